// The fleet as the map sees it: regions placed on the projection, each with
// its stamps (sorted by id), totals and marker sizes. Computed once per change
// of stamps, regions or health; grouping.ts then decides, per zoom, which
// markers to show.
import type { RegionSummary, StampView } from "../../generated/bindings";
import { REGION_RADIUS, radiusFor, stampRadiusRange, worseRing, type RingState } from "./colourScale";
import { projectLonLat } from "./projection";

/** A region with its projected position in base coordinates. */
export interface PlacedRegion {
  summary: RegionSummary;
  x: number;
  y: number;
}

/** Projects the regions' coordinates; a region the projection cannot place is left out. */
export function placeRegions(regions: readonly RegionSummary[]): PlacedRegion[] {
  const placed: PlacedRegion[] = [];
  for (const summary of regions) {
    const point = projectLonLat(summary.region.longitude, summary.region.latitude);
    if (point) placed.push({ summary, x: point[0], y: point[1] });
  }
  return placed;
}

/** What a marker stands for, summed over its stamps. */
export interface Totals {
  stamps: number;
  usedUnits: number;
  totalUnits: number;
  tenants: number;
  outdated: number;
  rings: Record<RingState, number>;
  worst: RingState;
}

export type MarkerKind = "region" | "cluster" | "stamp";

export interface Marker {
  kind: MarkerKind;
  /** Stamp id, region id, or "cluster:" + the region ids joined by ",". */
  id: string;
  /** Centre in base coordinates. */
  x: number;
  y: number;
  /** Radius of the filled disc in CSS px (the ring sits just outside it). */
  radius: number;
  /** Used / total units in percent, unrounded. */
  utilization: number;
  /** Worst ring state among its stamps. */
  ring: RingState;
  /** At least one of its stamps runs an outdated template version. */
  outdated: boolean;
  /** The fill when the map is coloured by template version (else null: by utilization). */
  tint?: string | null;
  /** Number of stamps. */
  count: number;
  stampIds: readonly string[];
  regionIds: readonly string[];
  totals: Totals;
  regions: readonly RegionSummary[];
  /** The stamp of a stamp marker. */
  stamp: StampView | null;
}

export interface FleetStamp {
  view: StampView;
  marker: Marker;
}

export interface FleetRegion {
  place: PlacedRegion;
  id: string;
  stamps: FleetStamp[];
  totals: Totals;
  radius: number;
  maxStampRadius: number;
}

/** The data side of grouping, computed once per change of stamps, regions or health. */
export interface PreparedFleet {
  regions: FleetRegion[];
  maxRegionUnits: number;
  stampCount: number;
}

export const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function emptyTotals(): Totals {
  return {
    stamps: 0,
    usedUnits: 0,
    totalUnits: 0,
    tenants: 0,
    outdated: 0,
    rings: { healthy: 0, degraded: 0, unreachable: 0, unknown: 0, provisioning: 0 },
    worst: "healthy",
  };
}

export function addTotals(into: Totals, from: Totals): void {
  into.stamps += from.stamps;
  into.usedUnits += from.usedUnits;
  into.totalUnits += from.totalUnits;
  into.tenants += from.tenants;
  into.outdated += from.outdated;
  for (const state of Object.keys(from.rings) as RingState[]) into.rings[state] += from.rings[state];
  into.worst = worseRing(into.worst, from.worst);
}

export function percentOf(totals: Totals): number {
  return totals.totalUnits > 0 ? (totals.usedUnits / totals.totalUnits) * 100 : 0;
}

/** Groups the stamps by region (skipping stamps whose region has no position), sorted by id. */
export function prepareFleet(
  stamps: readonly StampView[],
  regions: readonly PlacedRegion[],
  ringOf: (view: StampView) => RingState,
): PreparedFleet {
  const byRegion = new Map<string, FleetRegion>();
  for (const place of regions) {
    const id = place.summary.region.id;
    const region = { place, id, stamps: [], totals: emptyTotals(), radius: 0, maxStampRadius: 0 };
    byRegion.set(id, region);
  }
  let maxStamps = 0;
  let maxStampUnits = 0;
  for (const view of stamps) {
    const region = byRegion.get(view.stamp.region);
    if (!region) continue;
    const ring = ringOf(view);
    const totals = emptyTotals();
    totals.stamps = 1;
    totals.usedUnits = view.capacity.usedUnits;
    totals.totalUnits = view.capacity.totalUnits;
    totals.tenants = view.tenantCount;
    totals.outdated = view.templateOutdated ? 1 : 0;
    totals.rings[ring] = 1;
    totals.worst = ring;
    const marker: Marker = {
      kind: "stamp",
      id: view.stamp.id,
      x: region.place.x,
      y: region.place.y,
      radius: 0,
      utilization: percentOf(totals),
      ring,
      outdated: view.templateOutdated,
      count: 1,
      stampIds: [view.stamp.id],
      regionIds: [region.id],
      totals,
      regions: [region.place.summary],
      stamp: view,
    };
    region.stamps.push({ view, marker });
    addTotals(region.totals, totals);
    maxStamps = Math.max(maxStamps, region.stamps.length);
    maxStampUnits = Math.max(maxStampUnits, view.capacity.totalUnits);
  }
  const stampRange = stampRadiusRange(maxStamps);
  const used = [...byRegion.values()].filter((r) => r.stamps.length > 0).sort(byId);
  const maxRegionUnits = Math.max(0, ...used.map((r) => r.totals.totalUnits));
  let stampCount = 0;
  for (const region of used) {
    region.stamps.sort((a, b) => byId(a.marker, b.marker));
    region.radius = radiusFor(region.totals.totalUnits, maxRegionUnits, REGION_RADIUS);
    for (const { marker } of region.stamps) {
      marker.radius = radiusFor(marker.totals.totalUnits, maxStampUnits, stampRange);
      region.maxStampRadius = Math.max(region.maxStampRadius, marker.radius);
    }
    stampCount += region.stamps.length;
  }
  return { regions: used, maxRegionUnits, stampCount };
}
