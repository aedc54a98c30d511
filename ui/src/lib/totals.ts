import type { Capacity, FleetOverview } from "../generated/bindings";

/** The fleet-wide numbers shown in the header. */
export type Totals = { stamps: number; tenants: number; capacity: Capacity };

export function fleetTotals(overview: FleetOverview): Totals {
  return {
    stamps: overview.stamps.length,
    tenants: overview.tenantCount,
    capacity: overview.totals,
  };
}

/** A catalogue with neither stamps nor tenants gets the first-run screen. */
export function isEmptyFleet(overview: FleetOverview): boolean {
  return overview.stamps.length === 0 && overview.tenantCount === 0;
}
