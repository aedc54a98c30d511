// A SIMPLIFIED mock of the Rust tenant-file reader (crates/fleet-core/src/tenant_file.rs),
// for the browser preview and tests only: the same CSV columns and JSON shape, the same
// checks and (mostly) the same messages, each naming its line and field. Differences:
// JSON type errors are reported per object rather than at the first one, and there is
// no byte limit.
import type { Isolation, Region, Residency, Tenant, Tier } from "../../generated/bindings";

/** At most this many tenants per file (as in Rust). */
export const MAX_ROWS = 200_000;

export const COLUMNS = ["id", "name", "tier", "size", "countries", "geographies", "regions", "isolation", "preferred", "group"];

const TIERS: readonly Tier[] = ["free", "standard", "premium", "enterprise"];
const ISOLATIONS: readonly Isolation[] = ["shared", "dedicated"];
const JSON_KEYS = ["id", "displayName", "tier", "sizeUnits", "residency", "isolation", "preferredRegions"];

/** One tenant from a file, with the line it came from. */
export type TenantFileRow = { line: number; tenant: Tenant; preferredRegions: string[] };

/** A problem with one field of one row. */
export type RowError = { line: number; field: string; message: string };

/** `"x"` as Rust's `{:?}` prints a string. */
const quoted = (value: string) => JSON.stringify(value);

/** The slug rule of every id (crates/fleet-core/src/ids.rs), in its words. */
export function idProblem(kind: string, value: string): string | null {
  const rule =
    value.length === 0
      ? "must not be empty"
      : value.length > 63
        ? "must be at most 63 characters"
        : !/^[a-z0-9-]+$/.test(value)
          ? "may contain only lowercase letters a-z, digits and '-'"
          : !/^[a-z]/.test(value)
            ? "must start with a lowercase letter"
            : value.endsWith("-")
              ? "must not end with '-'"
              : value.includes("--")
                ? "must not contain '--'"
                : null;
  return rule === null ? null : `${kind} id ${quoted(value)} is invalid: ${rule}`;
}

function countryProblem(code: string): string | null {
  return /^[A-Z]{2}$/.test(code)
    ? null
    : `country ${quoted(code)} is invalid: must be an ISO 3166-1 alpha-2 code of two uppercase letters, e.g. DE`;
}

/** Splits one CSV record into fields (quotes with doubled quotes inside). */
export function csvFields(line: string): string[] | string {
  const fields: string[] = [];
  let field = "";
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inQuotes && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (inQuotes && c === '"') inQuotes = false;
    else if (!inQuotes && c === '"' && field === "") inQuotes = true;
    else if (!inQuotes && c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  if (inQuotes) return "a quoted field is not closed";
  fields.push(field);
  return fields;
}

const list = (value: string) =>
  value
    .split(";")
    .map((v) => v.trim())
    .filter((v) => v !== "");

/** Raw values of one row, before checking. */
type RawRow = {
  line: number;
  id: string;
  name: string;
  tier: string;
  size: number | string;
  residency: Residency;
  isolation: string;
  preferred: string[];
};

/** Checks one row; `seen` maps each id met so far to its first line. */
function checkRow(raw: RawRow, known: Set<string>, seen: Map<string, number>, errors: RowError[]): TenantFileRow | null {
  const before = errors.length;
  const err = (field: string, message: string) => errors.push({ line: raw.line, field, message });
  const first = seen.get(raw.id);
  if (first !== undefined) err("id", `${raw.id} appears again (first on line ${first})`);
  else seen.set(raw.id, raw.line);
  const idError = idProblem("tenant", raw.id);
  if (idError) err("id", idError);
  if (raw.name.trim() === "") err("name", "must not be empty");
  const tier = TIERS.find((t) => t === raw.tier.trim());
  if (!tier) err("tier", `unknown tier ${quoted(raw.tier)} (free, standard, premium, enterprise)`);
  if (typeof raw.size === "string") err("size", raw.size);
  else if (raw.size === 0) err("size", "must be greater than 0");
  else if (raw.size > 0xffff_ffff) err("size", `${raw.size} is too large`);
  for (const country of raw.residency.countries) {
    const problem = countryProblem(country);
    if (problem) err("countries", problem);
  }
  for (const region of raw.residency.regions) {
    const problem = idProblem("region", region);
    if (problem) err("regions", problem);
    else if (!known.has(region)) err("regions", `unknown region ${region}`);
  }
  const isolation = ISOLATIONS.find((i) => i === raw.isolation.trim());
  if (!isolation) err("isolation", `unknown isolation ${quoted(raw.isolation)} (shared, dedicated)`);
  for (const p of raw.preferred) if (!known.has(p)) err("preferred", `unknown region ${p}`);
  if (errors.length > before || !tier || !isolation || typeof raw.size === "string") return null;
  return {
    line: raw.line,
    tenant: {
      id: raw.id,
      displayName: raw.name.trim(),
      tier,
      sizeUnits: raw.size,
      residency: raw.residency,
      isolation,
      pinned: false,
    },
    preferredRegions: raw.preferred,
  };
}

function parseCsv(text: string, known: Set<string>, errors: RowError[]): TenantFileRow[] {
  const lines = text
    .split("\n")
    .map((l, i) => ({ at: i + 1, text: l.endsWith("\r") ? l.slice(0, -1) : l }))
    .filter((l) => l.text.trim() !== "");
  const header = lines.shift();
  if (!header) {
    errors.push({ line: 1, field: "header", message: "the file is empty" });
    return [];
  }
  const headerFields = csvFields(header.text);
  if (typeof headerFields === "string") {
    errors.push({ line: header.at, field: "header", message: headerFields });
    return [];
  }
  const names = headerFields.map((h) => h.trim().toLowerCase());
  for (const n of names) {
    if (!COLUMNS.includes(n)) {
      errors.push({ line: header.at, field: n, message: `unknown column (expected ${COLUMNS.join(",")})` });
    }
  }
  for (const required of ["id", "name", "size"]) {
    if (!names.includes(required)) {
      errors.push({ line: header.at, field: required, message: "required column is missing" });
    }
  }
  if (errors.length > 0) return [];
  const rows: TenantFileRow[] = [];
  const seen = new Map<string, number>();
  for (const { at, text: line } of lines) {
    const fields = csvFields(line);
    if (typeof fields === "string" || fields.length !== names.length) {
      const message = typeof fields === "string" ? fields : `${fields.length} fields, the header has ${names.length}`;
      errors.push({ line: at, field: "row", message });
      continue;
    }
    const get = (name: string) => {
      const i = names.indexOf(name);
      return i < 0 ? "" : fields[i];
    };
    const size = get("size").trim();
    const row = checkRow(
      {
        line: at,
        id: get("id").trim(),
        name: get("name"),
        tier: get("tier").trim() === "" ? "standard" : get("tier"),
        size: /^\+?\d+$/.test(size) ? Number(size) : `${quoted(get("size"))} is not a whole number`,
        residency: { countries: list(get("countries")), geographies: list(get("geographies")), regions: list(get("regions")) },
        isolation: get("isolation").trim() === "" ? "shared" : get("isolation"),
        preferred: list(get("preferred")),
      },
      known,
      seen,
      errors,
    );
    if (row) rows.push(row);
  }
  return rows;
}

/** The line of each top-level object's `{` (the n-th `{` at nesting depth 2). */
function objectLines(text: string): number[] {
  const starts: number[] = [];
  let [depth, line, inString, escaped] = [0, 1, false, false];
  for (const c of text) {
    if (c === "\n") line++;
    else if (c === '"' && !escaped) inString = !inString;
    else if ((c === "[" || c === "{") && !inString) {
      depth++;
      if (c === "{" && depth === 2) starts.push(line);
    } else if ((c === "]" || c === "}") && !inString) depth--;
    escaped = c === "\\" && !escaped;
  }
  return starts;
}

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === "string");

function parseJson(text: string, known: Set<string>, errors: RowError[]): TenantFileRow[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (reason) {
    errors.push({ line: 1, field: ".", message: reason instanceof Error ? reason.message : String(reason) });
    return [];
  }
  if (!Array.isArray(items)) {
    errors.push({ line: 1, field: ".", message: "expected an array of tenants" });
    return [];
  }
  const starts = objectLines(text);
  const rows: TenantFileRow[] = [];
  const seen = new Map<string, number>();
  items.forEach((item: unknown, i) => {
    const line = starts[i] ?? 1;
    const typeError = (field: string, message: string) => errors.push({ line, field: `[${i}].${field}`, message });
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      errors.push({ line, field: `[${i}]`, message: "expected a tenant object" });
      return;
    }
    const o = item as Record<string, unknown>;
    const before = errors.length;
    for (const key of Object.keys(o)) if (!JSON_KEYS.includes(key)) typeError(key, `unknown field \`${key}\``);
    if (typeof o.id !== "string") typeError("id", "missing field `id` or not a string");
    if (typeof o.displayName !== "string") typeError("displayName", "missing field `displayName` or not a string");
    if (!Number.isInteger(o.sizeUnits) || (o.sizeUnits as number) < 0) {
      typeError("sizeUnits", "missing field `sizeUnits` or not a whole number");
    }
    for (const key of ["tier", "isolation"]) {
      if (o[key] !== undefined && typeof o[key] !== "string") typeError(key, "expected a string");
    }
    if (o.preferredRegions !== undefined && !isStrings(o.preferredRegions)) typeError("preferredRegions", "expected a list of strings");
    const r = (o.residency ?? {}) as Record<string, unknown>;
    for (const key of ["countries", "geographies", "regions"]) {
      if (r[key] !== undefined && !isStrings(r[key])) typeError(`residency.${key}`, "expected a list of strings");
    }
    if (errors.length > before) return;
    const row = checkRow(
      {
        line,
        id: o.id as string,
        name: o.displayName as string,
        tier: (o.tier as string | undefined) ?? "standard",
        size: o.sizeUnits as number,
        residency: {
          countries: (r.countries as string[] | undefined) ?? [],
          geographies: (r.geographies as string[] | undefined) ?? [],
          regions: (r.regions as string[] | undefined) ?? [],
        },
        isolation: (o.isolation as string | undefined) ?? "shared",
        preferred: (o.preferredRegions as string[] | undefined) ?? [],
      },
      known,
      seen,
      errors,
    );
    if (row) rows.push(row);
  });
  return rows;
}

/**
 * Reads and checks a tenant file named `name` (its extension picks CSV or JSON):
 * every row, or every problem found, sorted by line (nothing is half-read).
 */
export function parseTenantFile(
  name: string,
  text: string,
  regions: Region[],
): { ok: true; rows: TenantFileRow[] } | { ok: false; errors: RowError[] } {
  const known = new Set(regions.map((r) => r.id));
  const errors: RowError[] = [];
  const lower = name.toLowerCase();
  let rows: TenantFileRow[];
  if (lower.endsWith(".json")) rows = parseJson(text, known, errors);
  else if (lower.endsWith(".csv")) rows = parseCsv(text, known, errors);
  else return { ok: false, errors: [{ line: 0, field: "file", message: `${name}: use a .csv or .json file` }] };
  if (rows.length > MAX_ROWS) {
    return { ok: false, errors: [{ line: 0, field: "file", message: `${rows.length} tenants is over the limit of ${MAX_ROWS} per file` }] };
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  return { ok: true, rows };
}
