// A SIMPLIFIED mock of the Rust placement engine (crates/fleet-core/src/placement),
// for the browser preview and tests only. Same rule order, Decision shape and
// reasons in words, and the same score order (same-group count, preferred rank,
// distance band from the home, then fit); no anti-affinity groups (the same-group
// count is always 0) and no least-loaded strategy.
// One knowing difference: the mock runs no stamp agents, so a stamp whose
// health is "unknown" (no endpoint) passes here, where the engine refuses it.
import type {
  Decision,
  FleetOverview,
  GeoPoint,
  HealthState,
  Outcome,
  PlaceTenant,
  Region,
  Rejection,
  Rule,
  ScoredStamp,
  StampTemplate,
  StampView,
  Tenant,
} from "../../generated/bindings";
import { distanceKm, pointOf } from "../geo";
import { BackendError } from "./backend";
import { describeResidency, residencyAllows, usableUnits, validateTenant } from "./mockRules";

export { describeResidency, residencyAllows, usableUnits, validateTenant };

/** The rules in the order the engine checks them; a stamp fails the first only. */
export const RULES: readonly Rule[] = ["notActive", "notHealthy", "residency", "isolation", "tier", "capacity"];

/** The chosen stamp and the runners-up, at most this many in all. */
export const RANKED = 4;

export const DEFAULT_HEADROOM_PERCENT = 20;

/** Regions this many km apart from the home score alike (then the better fit wins). */
export const DISTANCE_BAND_KM = 250;

/** What the mock's health checks answer for a stamp. */
export type HealthOf = (view: StampView) => HealthState;

export const ONBOARD_STEPS: readonly { step: string; percent: number; message: string }[] = [
  { step: "place", percent: 10, message: "Checking the stamps' health and placing the tenant" },
  { step: "record", percent: 25, message: "Recorded the tenant in the catalogue" },
  { step: "provision", percent: 40, message: "Provisioning the tenant on the stamp" },
  { step: "bind", percent: 80, message: "Binding the tenant to the stamp" },
  { step: "done", percent: 100, message: "The tenant is onboarded" },
];

type Context = {
  overview: FleetOverview;
  tenant: Tenant;
  reserve: number;
  home: GeoPoint | null;
  regionOf: (id: string) => Region | undefined;
  templateOf: (view: StampView) => StampTemplate | undefined;
  healthOf: HealthOf;
};

/** The first rule the stamp fails, with the reason in words; null when it passes. */
function firstFailure(view: StampView, ctx: Context): Rejection | null {
  const { stamp, capacity, tenantCount } = view;
  const fail = (rule: Rule, reason: string): Rejection => ({ stamp: stamp.id, rule, reason });
  if (stamp.status !== "active") return fail("notActive", `stamp is ${stamp.status}, not active`);
  const health = ctx.healthOf(view);
  if (health === "degraded" || health === "unreachable") {
    return fail("notHealthy", "last health check was not healthy");
  }
  const region = ctx.regionOf(stamp.region);
  if (!region) return fail("residency", `region ${stamp.region} is unknown`);
  if (!residencyAllows(ctx.tenant.residency, region)) {
    return fail(
      "residency",
      `region ${region.id} (${region.country}, ${region.geography}) is outside the tenant's residency ` +
        `(${describeResidency(ctx.tenant.residency)})`,
    );
  }
  const dedicated = ctx.templateOf(view)?.isolation === "dedicated";
  if (ctx.tenant.isolation === "dedicated" && !dedicated) {
    return fail("isolation", "shared stamp; the tenant needs a dedicated one");
  }
  if (ctx.tenant.isolation === "dedicated" && tenantCount > 0) {
    return fail("isolation", `dedicated stamp already holds ${tenantCount} tenant(s)`);
  }
  if (ctx.tenant.isolation === "shared" && dedicated) {
    return fail("isolation", "dedicated stamp; the tenant is shared");
  }
  const tiers = ctx.templateOf(view)?.tiers ?? [];
  if (tiers.length > 0 && !tiers.includes(ctx.tenant.tier)) {
    return fail("tier", `template ${view.stamp.template} does not serve the ${ctx.tenant.tier} tier`);
  }
  const usable = usableUnits(capacity.totalUnits, ctx.reserve);
  if (capacity.usedUnits + ctx.tenant.sizeUnits > usable) {
    return fail(
      "capacity",
      `${ctx.tenant.sizeUnits} units do not fit: ${capacity.usedUnits} of ${usable} usable units used ` +
        `(${ctx.reserve}% of ${capacity.totalUnits} kept free)`,
    );
  }
  return null;
}

function scored(view: StampView, ctx: Context, preferred: string[]): ScoredStamp {
  const rank = preferred.indexOf(view.stamp.region);
  const after = view.capacity.usedUnits + ctx.tenant.sizeUnits;
  const region = ctx.regionOf(view.stamp.region);
  return {
    stamp: view.stamp.id,
    region: view.stamp.region,
    sameGroup: 0,
    preferredRank: rank >= 0 ? rank : null,
    distanceKm: ctx.home && region ? Math.trunc(distanceKm(ctx.home, pointOf(region))) : null,
    freeAfter: usableUnits(view.capacity.totalUnits, ctx.reserve) - after,
    utilizationAfter: Math.floor((after * 100) / view.capacity.totalUnits),
  };
}

/** Preferred regions first (in their order), then nearer to the home by band, then best fit. */
function better(a: ScoredStamp, b: ScoredStamp): number {
  const rank = (s: ScoredStamp) => s.preferredRank ?? Number.MAX_SAFE_INTEGER;
  const band = (s: ScoredStamp) => Math.floor((s.distanceKm ?? 0) / DISTANCE_BAND_KM);
  return (
    a.sameGroup - b.sameGroup ||
    rank(a) - rank(b) ||
    band(a) - band(b) ||
    a.freeAfter - b.freeAfter ||
    a.stamp.localeCompare(b.stamp)
  );
}

function whyBest(best: ScoredStamp, next: ScoredStamp | undefined): string {
  const parts: string[] = [];
  if (best.preferredRank !== null) parts.push(`preferred region #${best.preferredRank + 1}`);
  if (best.distanceKm !== null) parts.push(`${best.distanceKm} km from the tenant's home`);
  parts.push(`best fit: ${best.freeAfter} usable units left after placing`);
  const runner = next ? `; next best ${next.stamp}` : "; no other stamp passes every rule";
  return `${best.stamp} in ${best.region}: ${parts.join(", ")}${runner}`;
}

const RULE_WORDS: Record<Rule, string> = {
  notActive: "not active",
  notHealthy: "not healthy",
  residency: "outside the residency",
  isolation: "wrong isolation",
  tier: "not for this tier",
  capacity: "full",
};

/** The region nearest the home (the first in the fleet's order on a tie); null without a home. */
function nearestTo(home: GeoPoint | null, regions: Region[]): { region: Region; km: number } | null {
  if (!home) return null;
  let best: { region: Region; km: number } | null = null;
  for (const region of regions) {
    const km = distanceKm(home, pointOf(region));
    if (!best || km < best.km) best = { region, km };
  }
  return best;
}

/** No stamp fits: propose a new one in an allowed region, or refuse. */
function noStampFits(ctx: Context, preferred: string[], byRule: [Rule, number][]): Outcome {
  const { overview, tenant } = ctx;
  const allowed = overview.regions.map((r) => r.region).filter((r) => residencyAllows(tenant.residency, r));
  if (allowed.length === 0) {
    return {
      kind: "refuse",
      reason:
        `no known region satisfies the residency (${describeResidency(tenant.residency)}): ` +
        `no stamp can ever hold ${tenant.id}`,
    };
  }
  const newest = overview.templates
    .filter((t) => t.isolation === tenant.isolation && (!t.tiers?.length || t.tiers.includes(tenant.tier)))
    .filter((t, _, all) => !all.some((o) => o.name === t.name && o.version.localeCompare(t.version, undefined, { numeric: true }) > 0));
  const template = newest
    .filter((t) => usableUnits(t.capacityUnits, ctx.reserve) >= tenant.sizeUnits)
    .sort((a, b) => a.capacityUnits - b.capacityUnits || a.name.localeCompare(b.name))[0];
  if (!template) {
    return { kind: "refuse", reason: `no ${tenant.isolation} template can hold ${tenant.sizeUnits} units` };
  }
  const first = preferred.map((id) => allowed.find((r) => r.id === id)).find((r) => r !== undefined);
  const nearest = nearestTo(ctx.home, allowed);
  const region = first ?? nearest?.region ?? [...allowed].sort((a, b) => a.id.localeCompare(b.id))[0];
  const why = first
    ? "the first preferred region the residency allows"
    : nearest
      ? `the nearest allowed region to the tenant's home (${nearest.km.toFixed(0)} km)`
      : "the first allowed region by id";
  const summary =
    byRule.length === 0
      ? "the fleet has no stamps"
      : `no stamp fits (${byRule.map(([rule, n]) => `${n} ${RULE_WORDS[rule]}`).join(", ")})`;
  return {
    kind: "newStamp",
    template: template.name,
    version: template.version,
    region: region.id,
    reason:
      `${summary}: provision a new ${template.name}@${template.version} stamp ` +
      `(${template.capacityUnits} units) in ${region.id}, ${why}`,
  };
}

/** Decides where the tenant goes and explains every other stamp (a dry run). */
export function placeMock(overview: FleetOverview, request: PlaceTenant, healthOf: HealthOf): Decision {
  validateTenant(request.tenant);
  const regions = new Map(overview.regions.map((r) => [r.region.id, r.region]));
  request.preferredRegions.forEach((id, i) => {
    if (!regions.has(id)) throw new BackendError("invalid_input", `preferredRegions[${i}]: unknown region ${id}`);
  });
  const ctx: Context = {
    overview,
    tenant: request.tenant,
    reserve: request.policy?.headroomReservePercent ?? DEFAULT_HEADROOM_PERCENT,
    home: request.home,
    regionOf: (id) => regions.get(id),
    templateOf: (view) =>
      overview.templates.find((t) => t.name === view.stamp.template && t.version === view.stamp.templateVersion),
    healthOf,
  };
  const rejected: Rejection[] = [];
  const passing: ScoredStamp[] = [];
  for (const view of overview.stamps) {
    const failure = firstFailure(view, ctx);
    if (failure) rejected.push(failure);
    else passing.push(scored(view, ctx, request.preferredRegions));
  }
  const ranked = passing.sort(better).slice(0, RANKED);
  const rejectedByRule = RULES.map((rule): [Rule, number] => [rule, rejected.filter((r) => r.rule === rule).length])
    .filter(([, n]) => n > 0);
  const outcome: Outcome = ranked[0]
    ? { kind: "place", stamp: ranked[0].stamp, reason: whyBest(ranked[0], ranked[1]) }
    : noStampFits(ctx, request.preferredRegions, rejectedByRule);
  return { outcome, ranked, rejectedByRule, rejected };
}

/** The stamp an onboarding goes to: the operator's choice if it still passes, else the proposal. */
export function onboardTarget(decision: Decision, chosen: string | null, overview: FleetOverview): string {
  if (chosen !== null) {
    if (!overview.stamps.some((s) => s.stamp.id === chosen)) {
      throw new BackendError("invalid_input", `no stamp ${chosen} in the catalogue`);
    }
    const rejection = decision.rejected.find((r) => r.stamp === chosen);
    if (rejection) throw new BackendError("conflict", `${chosen} no longer fits: ${rejection.reason}`);
    return chosen;
  }
  const { outcome } = decision;
  if (outcome.kind === "place" || outcome.kind === "stay") return outcome.stamp;
  throw new BackendError("conflict", `no stamp can take the tenant: ${outcome.reason}`);
}
