import type { Capacity, Residency, Rule } from "../generated/bindings";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return integer.format(n);
}

/** How many match: "1,000+" when the search stopped counting there. */
export function formatMatches(page: { total: number; capped: boolean }): string {
  return formatCount(page.total) + (page.capped ? "+" : "");
}

/** Whether a list of `shown` tenants has more to load after a page of `lastPage`. */
export function hasMoreTenants(page: { total: number; capped: boolean }, shown: number, lastPage: number, pageSize: number): boolean {
  return page.capped ? lastPage === pageSize : shown < page.total;
}

/** Utilization in percent (0 when there is no capacity), unrounded. */
export function utilization(capacity: Capacity): number {
  return capacity.totalUnits > 0 ? (capacity.usedUnits / capacity.totalUnits) * 100 : 0;
}

/** Whole percent for display and aria-valuenow. */
export function percent(capacity: Capacity): number {
  return Math.round(utilization(capacity));
}

export type Load = "ok" | "warn" | "hot";

/** Green below 70 %, amber from 70 % to 85 %, red above 85 %. */
export function loadLevel(capacity: Capacity): Load {
  const u = utilization(capacity);
  if (u < 70) return "ok";
  if (u <= 85) return "warn";
  return "hot";
}

export function unitsLabel(capacity: Capacity): string {
  return `${formatCount(capacity.usedUnits)}/${formatCount(capacity.totalUnits)} units`;
}

/** "DE, NL, FR" or "anywhere" when the tenant has no residency constraint. */
export function residencyText(residency: Residency): string {
  const parts = [...residency.countries, ...residency.geographies, ...residency.regions];
  return parts.length > 0 ? parts.join(", ") : "anywhere";
}

const PROVIDER_NAMES: Record<string, string> = { azure: "Azure", aws: "AWS", gcp: "GCP" };

export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider.toUpperCase();
}

export function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(["en"], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * A stamp's status in words. "draining" in the catalogue means placement skips the
 * stamp; it is "Draining" only while tenants are being moved off it, else
 * "Placements stopped".
 */
export function statusWords(status: string, moving: boolean): { label: string; title: string } {
  switch (status) {
    case "draining":
      return moving
        ? { label: "Draining", title: "Tenants are being moved off this stamp; placement skips it" }
        : { label: "Placements stopped", title: "Placement skips this stamp; its tenants stay until moved" };
    case "active":
      return { label: "Active", title: "Takes new tenants" };
    case "provisioning":
      return { label: "Provisioning", title: "Being created" };
    case "retired":
      return { label: "Retired", title: "Out of service" };
    case "planned":
      return { label: "Planned", title: "Recorded, not created yet" };
    case "failed":
      return { label: "Failed", title: "Provisioning failed" };
    default:
      return { label: status, title: status };
  }
}

/** A placement rule in words: why a stamp cannot take a tenant. */
export const RULE_LABELS: Record<Rule, string> = {
  notActive: "not active",
  notHealthy: "not healthy",
  residency: "residency",
  isolation: "isolation",
  tier: "tier",
  capacity: "capacity",
};

/**
 * How fresh a stamp's health is, as its pill's tooltip says: a stamp that pushes its
 * health is current (the watcher holds a question open that it answers on a change);
 * another was as it says when it was last asked.
 */
export function healthFreshness(checkedAt: number, pushed: boolean, now: number): string {
  if (!pushed) return checkedAgo(checkedAt, now);
  return `current: the stamp pushes its changes (last change heard ${checkedAgo(checkedAt, now).replace(/^checked /, "")})`;
}

/** How long ago a health answer came (`checkedAt` and `now` in Unix seconds). */
export function checkedAgo(checkedAt: number, now: number): string {
  const secs = Math.max(0, Math.round(now - checkedAt));
  if (secs < 60) return `checked ${secs} s ago`;
  const mins = Math.round(secs / 60);
  if (mins < 60) return `checked ${mins} min ago`;
  return `checked ${Math.round(mins / 60)} h ago`;
}
