// SIMPLIFIED mocks of the Rust capacity forecast (crates/fleet-core/src/forecast.rs) and
// rebalance planner (crates/fleet-core/src/rebalance.rs), for the browser preview and
// tests only. The mock has no usage history: every active stamp "grows" by a made-up,
// deterministic amount that rises with its utilization (below 30% it does not grow), so
// the demo fleet has a few stamps that fill up within 30 days. The rebalance is greedy:
// per stamp over the limit, its largest movable tenants go to the least loaded stamp
// that passes placement and stays under the limit.
import type {
  FleetOverview,
  PlanAction,
  PlannedMove,
  RebalancePlan,
  RegionForecast,
  StampForecast,
  StampView,
  TenantView,
} from "../../generated/bindings";
import { rebind } from "./mockMoves";
import { DEFAULT_HEADROOM_PERCENT, placeMock, usableUnits } from "./mockPlacement";
import { describeAction } from "./mockPlanProjection";

const round1 = (n: number) => Math.round(n * 10) / 10;
const active = (s: StampView) => s.stamp.status === "active";

/** Made-up growth in units per day: more for fuller stamps, none below 30% used. */
export function mockGrowth(view: StampView): number {
  const { usedUnits, totalUnits } = view.capacity;
  const used = totalUnits > 0 ? usedUnits / totalUnits : 0;
  if (used < 0.3) return 0;
  return round1(used >= 0.5 ? (usedUnits * used) / 50 : usedUnits / 400);
}

function daysUntil(free: number, growth: number): number | null {
  return growth > 0 ? round1(Math.max(free, 0) / growth) : null;
}

export function forecastStamps(overview: FleetOverview): StampForecast[] {
  return overview.stamps.map((s) => {
    const growth = active(s) ? mockGrowth(s) : null;
    const usable = usableUnits(s.capacity.totalUnits, DEFAULT_HEADROOM_PERCENT);
    return {
      stamp: s.stamp.id,
      region: s.stamp.region,
      growthPerDay: growth,
      daysUntilFull: growth === null ? null : daysUntil(usable - s.capacity.usedUnits, growth),
    };
  });
}

export function forecastRegions(overview: FleetOverview): RegionForecast[] {
  return overview.regions.map(({ region }) => {
    const stamps = overview.stamps.filter((s) => s.stamp.region === region.id && active(s));
    const growth = round1(stamps.reduce((sum, s) => sum + mockGrowth(s), 0));
    const free = stamps.reduce(
      (sum, s) => sum + usableUnits(s.capacity.totalUnits, DEFAULT_HEADROOM_PERCENT) - s.capacity.usedUnits,
      0,
    );
    return { region: region.id, growthPerDay: growth, daysUntilFull: daysUntil(free, growth) };
  });
}

/** A free id next to the region's stamps: `fra-01` → `fra-02`. */
function nextStampId(overview: FleetOverview, region: string): string {
  const taken = new Set(overview.stamps.map((s) => s.stamp.id));
  const first = overview.stamps.find((s) => s.stamp.region === region && /-\d+$/.test(s.stamp.id));
  const prefix = first ? first.stamp.id.replace(/-\d+$/, "") : region;
  let n = 1;
  while (taken.has(`${prefix}-${String(n).padStart(2, "0")}`)) n++;
  return `${prefix}-${String(n).padStart(2, "0")}`;
}

/** One new stamp (the newest version of the region's shared template) per region full within the horizon. */
export function forecastProposals(overview: FleetOverview, regions: RegionForecast[], horizonDays: number): PlanAction[] {
  const newer = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true }) > 0;
  return regions
    .filter((r) => r.daysUntilFull !== null && r.daysUntilFull <= horizonDays)
    .flatMap((r): PlanAction[] => {
      const own = overview.stamps.find((s) => s.stamp.region === r.region && active(s));
      const name = own?.stamp.template ?? "standard";
      const template = overview.templates
        .filter((t) => t.name === name)
        .reduce<(typeof overview.templates)[number] | undefined>((best, t) => (!best || newer(t.version, best.version) ? t : best), undefined);
      if (!template) return [];
      const stamp = nextStampId(overview, r.region);
      return [{ action: "addStamp", stamp, region: r.region, template: template.name, version: template.version }];
    });
}

export function forecastMock(overview: FleetOverview, horizonDays: number) {
  const regions = forecastRegions(overview);
  const proposals = forecastProposals(overview, regions, horizonDays);
  return {
    stamps: forecastStamps(overview),
    regions,
    proposals: proposals.map((action) => ({ description: describeAction(action), action })),
  };
}

/** The moves that bring every active stamp to at most `limit` percent used (greedy). */
export function rebalanceMock(overview: FleetOverview, tenants: TenantView[], limit: number): RebalancePlan {
  const fleet = structuredClone(overview);
  const placed = structuredClone(tenants);
  const cap = (s: StampView) => Math.floor((s.capacity.totalUnits * limit) / 100);
  const over = fleet.stamps.filter((s) => active(s) && s.capacity.usedUnits > cap(s));
  const plan: RebalancePlan = {
    limitPercent: limit,
    moves: [],
    movedUnits: 0,
    lowerBoundMoves: 0,
    lowerBoundUnits: 0,
    stampsOverBefore: over.length,
    unresolved: [],
  };
  for (const source of over) {
    const id = source.stamp.id;
    let excess = source.capacity.usedUnits - cap(source);
    plan.lowerBoundUnits += excess;
    const movable = placed
      .filter((t) => t.stamp === id && !t.tenant.pinned)
      .sort((a, b) => b.tenant.sizeUnits - a.tenant.sizeUnits || (a.tenant.id < b.tenant.id ? -1 : 1));
    let covered = 0;
    const covering = movable.findIndex((t) => (covered += t.tenant.sizeUnits) >= excess);
    plan.lowerBoundMoves += covering >= 0 ? covering + 1 : movable.length;
    for (const { tenant } of movable) {
      if (excess <= 0) break;
      const { rejected } = placeMock(fleet, { tenant, preferredRegions: [], home: null, policy: null }, () => "healthy");
      const target = fleet.stamps
        .filter((s) => s !== source && active(s) && !rejected.some((r) => r.stamp === s.stamp.id))
        .filter((s) => s.capacity.usedUnits + tenant.sizeUnits <= cap(s))
        .sort((a, b) => cap(b) - b.capacity.usedUnits - (cap(a) - a.capacity.usedUnits) || a.stamp.id.localeCompare(b.stamp.id))[0];
      if (!target) continue;
      rebind(fleet, placed, tenant.id, target.stamp.id);
      const move: PlannedMove = { tenant: tenant.id, from: id, to: target.stamp.id, sizeUnits: tenant.sizeUnits };
      plan.moves.push(move);
      plan.movedUnits += tenant.sizeUnits;
      excess -= tenant.sizeUnits;
    }
    if (excess > 0) {
      plan.unresolved.push({
        stamp: id,
        reason: `${excess} unit(s) over ${limit}%: no stamp under the limit can take its movable tenants`,
      });
    }
  }
  return plan;
}
