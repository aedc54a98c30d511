import type { Region, StampTemplate, StampView } from "../generated/bindings";

/** Why `id` is not a valid stamp id (the catalogue's slug rule), or null when it is. */
export function slugProblem(id: string): string | null {
  if (id.length === 0) return "Enter a name for the stamp.";
  if (id.length > 63) return "Use at most 63 characters.";
  if (!/^[a-z]/.test(id)) return "Start with a lowercase letter (a–z).";
  if (!/^[a-z0-9-]+$/.test(id)) return "Use only lowercase letters a–z, digits 0–9 and '-'.";
  if (id.includes("--")) return "Do not use two '-' in a row.";
  if (id.endsWith("-")) return "Do not end with '-'.";
  return null;
}

/** Up to three letters of the region's provider code: `westeurope` → `wes`. */
export function regionPrefix(region: Pick<Region, "code">): string {
  const letters = region.code.toLowerCase().replace(/[^a-z]/g, "").slice(0, 3);
  return letters.length > 0 ? letters : "stm";
}

/**
 * A free id for a new stamp in `region`: the region prefix and the next
 * two-digit number after the stamps the region already has, e.g. `wes-03`.
 */
export function suggestStampId(region: Pick<Region, "id" | "code">, stamps: StampView[]): string {
  const taken = new Set(stamps.map((s) => s.stamp.id));
  const prefix = regionPrefix(region);
  let n = stamps.filter((s) => s.stamp.region === region.id).length + 1;
  while (taken.has(`${prefix}-${String(n).padStart(2, "0")}`)) n++;
  return `${prefix}-${String(n).padStart(2, "0")}`;
}

/** How the UI names a template version: `standard@1.4.0`. */
export function templateKey(template: StampTemplate): string {
  return `${template.name}@${template.version}`;
}

/** The latest version of a shared template if there is one, else the first template. */
export function defaultTemplate(templates: StampTemplate[]): StampTemplate | undefined {
  const newer = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true }) > 0;
  const latest = templates.filter(
    (t) => !templates.some((o) => o.name === t.name && newer(o.version, t.version)),
  );
  return latest.find((t) => t.isolation === "shared") ?? latest[0] ?? templates[0];
}
