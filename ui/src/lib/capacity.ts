// Aggregates behind the capacity charts, computed from the (filtered) stamps.
import type {
  Capacity,
  ProviderId,
  RegionSummary,
  StampHealth,
  StampView,
} from "../generated/bindings";
import { CONDITIONS, stampCondition, type StampCondition } from "./filters";
import { formatCount, utilization } from "./format";

export function sumCapacity(stamps: StampView[]): Capacity {
  let totalUnits = 0;
  let usedUnits = 0;
  for (const view of stamps) {
    totalUnits += view.capacity.totalUnits;
    usedUnits += view.capacity.usedUnits;
  }
  return { totalUnits, usedUnits };
}

export function headroom(capacity: Capacity): number {
  return Math.max(0, capacity.totalUnits - capacity.usedUnits);
}

/**
 * Units free after a placement, counted as the tables count them (capacity minus
 * used), with the headroom reserve named: "157 units free after, 37 above the
 * 120-unit reserve".
 */
export function freeAfterWords(usableAfter: number, reserve: number): string {
  return `${formatCount(usableAfter + reserve)} units free after, ${formatCount(usableAfter)} above the ${formatCount(reserve)}-unit reserve`;
}

/**
 * The summaries of the regions that hold at least one of `stamps`, with
 * counts and capacity recomputed from those stamps only; in `regions` order.
 */
export function regionSummaries(regions: RegionSummary[], stamps: StampView[]): RegionSummary[] {
  const byRegion = new Map<string, { stampCount: number; tenantCount: number; capacity: Capacity }>();
  for (const view of stamps) {
    let entry = byRegion.get(view.stamp.region);
    if (!entry) {
      entry = { stampCount: 0, tenantCount: 0, capacity: { totalUnits: 0, usedUnits: 0 } };
      byRegion.set(view.stamp.region, entry);
    }
    entry.stampCount += 1;
    entry.tenantCount += view.tenantCount;
    entry.capacity.totalUnits += view.capacity.totalUnits;
    entry.capacity.usedUnits += view.capacity.usedUnits;
  }
  return regions.flatMap((summary) => {
    const entry = byRegion.get(summary.region.id);
    return entry ? [{ region: summary.region, ...entry }] : [];
  });
}

export type ProviderSummary = {
  provider: ProviderId;
  regionCount: number;
  stampCount: number;
  capacity: Capacity;
};

export function providerSummaries(regions: RegionSummary[]): ProviderSummary[] {
  const byProvider = new Map<ProviderId, ProviderSummary>();
  for (const summary of regions) {
    const provider = summary.region.provider;
    const entry = byProvider.get(provider) ?? {
      provider,
      regionCount: 0,
      stampCount: 0,
      capacity: { totalUnits: 0, usedUnits: 0 },
    };
    entry.regionCount += 1;
    entry.stampCount += summary.stampCount;
    entry.capacity.totalUnits += summary.capacity.totalUnits;
    entry.capacity.usedUnits += summary.capacity.usedUnits;
    byProvider.set(provider, entry);
  }
  return [...byProvider.values()].sort((a, b) => a.provider.localeCompare(b.provider));
}

/** The `n` most utilized stamps that are not retired, hottest first (ties by id). */
export function hottestStamps(stamps: StampView[], n = 8): StampView[] {
  return stamps
    .filter((view) => view.stamp.status !== "retired")
    .map((view) => ({ view, u: utilization(view.capacity) }))
    .sort((a, b) => b.u - a.u || a.view.stamp.id.localeCompare(b.view.stamp.id))
    .slice(0, n)
    .map(({ view }) => view);
}

/** Regions sorted hottest first (ties by id); the region chart's order. */
export function regionsByUtilization(regions: RegionSummary[]): RegionSummary[] {
  return [...regions].sort(
    (a, b) =>
      utilization(b.capacity) - utilization(a.capacity) || a.region.id.localeCompare(b.region.id),
  );
}

export function conditionCounts(
  stamps: StampView[],
  health: Record<string, StampHealth>,
): Record<StampCondition, number> {
  const counts = Object.fromEntries(CONDITIONS.map((c) => [c, 0])) as Record<StampCondition, number>;
  for (const view of stamps) counts[stampCondition(view, health)] += 1;
  return counts;
}

/** One column of a histogram: stamps holding `from`..`to` tenants (inclusive). */
export type Bin = { from: number; to: number; count: number };

/** The smallest bin width of 1, 2 or 5 times a power of ten giving at most `maxBins` bins. */
function binWidth(most: number, maxBins: number): number {
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const m of [1, 2, 5]) {
      if (Math.floor(most / (m * magnitude)) + 1 <= maxBins) return m * magnitude;
    }
  }
}

/** Stamps by tenant count in at most `maxBins` equal-width bins starting at 0. */
export function tenantHistogram(stamps: StampView[], maxBins = 8): Bin[] {
  if (stamps.length === 0) return [];
  const most = stamps.reduce((m, s) => Math.max(m, s.tenantCount), 0);
  const width = binWidth(most, maxBins);
  const bins: Bin[] = [];
  for (let from = 0; from <= most; from += width) bins.push({ from, to: from + width - 1, count: 0 });
  for (const view of stamps) {
    const bin = bins[Math.floor(view.tenantCount / width)];
    if (bin) bin.count += 1;
  }
  return bins;
}

/** "1 unreachable, 2 degraded" per region id, for the regions with unhealthy stamps. */
export function unhealthyNotes(
  stamps: StampView[],
  health: Record<string, StampHealth>,
): Map<string, string> {
  const counts = new Map<string, { unreachable: number; degraded: number }>();
  for (const view of stamps) {
    const state = health[view.stamp.id]?.state;
    if (state !== "unreachable" && state !== "degraded") continue;
    const entry = counts.get(view.stamp.region) ?? { unreachable: 0, degraded: 0 };
    entry[state] += 1;
    counts.set(view.stamp.region, entry);
  }
  const notes = new Map<string, string>();
  for (const [region, { unreachable, degraded }] of counts) {
    const parts = [];
    if (unreachable > 0) parts.push(`${unreachable} unreachable`);
    if (degraded > 0) parts.push(`${degraded} degraded`);
    notes.set(region, parts.join(", "));
  }
  return notes;
}
