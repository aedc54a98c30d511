// What the operator narrows the fleet down to: the filters above the map
// (provider, health, utilization) and the drill-down selection (region, stamp).
// The same filtered stamps feed the map, the charts and the stamp table.
import type {
  HealthState,
  ProviderId,
  RegionId,
  RegionSummary,
  StampHealth,
  StampId,
  StampView,
} from "../generated/bindings";
import { utilization } from "./format";
import { ringStateFor } from "./map/colourScale";

/** What the operator has drilled down to. */
export type Selection = { region: RegionId | null; stamp: StampId | null };

/** A stamp's health as the filters see it: a provisioning stamp counts as provisioning. */
export type StampCondition = HealthState | "provisioning";

export const CONDITIONS: readonly StampCondition[] = [
  "healthy",
  "degraded",
  "unreachable",
  "provisioning",
  "unknown",
];

/** The filters above the map; null means "all". */
export type FleetFilter = {
  provider: ProviderId | null;
  condition: StampCondition | null;
  /** Only stamps at or above this utilization, in percent (0 keeps every stamp). */
  minUtilization: number;
};

export const NO_FILTER: FleetFilter = { provider: null, condition: null, minUtilization: 0 };

export function isFiltering(filter: FleetFilter): boolean {
  return filter.provider !== null || filter.condition !== null || filter.minUtilization > 0;
}

/** The latest health check's state; provisioning wins; no check yet is unknown (as on the map). */
export function stampCondition(
  view: StampView,
  health: Record<string, StampHealth>,
): StampCondition {
  return ringStateFor(view.stamp.status, health[view.stamp.id]);
}

/** The stamps that pass every filter, in their original order. */
export function filterStamps(
  stamps: StampView[],
  regions: RegionSummary[],
  health: Record<string, StampHealth>,
  filter: FleetFilter,
): StampView[] {
  if (!isFiltering(filter)) return stamps;
  const providerOf = new Map(regions.map((r) => [r.region.id, r.region.provider]));
  return stamps.filter(
    (view) =>
      (filter.provider === null || providerOf.get(view.stamp.region) === filter.provider) &&
      (filter.condition === null || stampCondition(view, health) === filter.condition) &&
      utilization(view.capacity) >= filter.minUtilization,
  );
}

/** The stamps of the selected region (all of them when no region is selected). */
export function stampsInScope(stamps: StampView[], selection: Selection): StampView[] {
  if (selection.region === null) return stamps;
  return stamps.filter((s) => s.stamp.region === selection.region);
}

/** The providers that host at least one region of the fleet, by name. */
export function providersOf(regions: RegionSummary[]): ProviderId[] {
  return [...new Set(regions.map((r) => r.region.provider))].sort();
}
