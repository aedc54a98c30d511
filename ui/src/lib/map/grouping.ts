// Which markers the map shows at a given zoom.
//
// Far out, each region is one aggregated marker, and regions whose markers
// would overlap on screen are merged (greedily, in region-id order) into a
// cluster marker. Closer in, once a group of regions has room, its stamps are
// spread out on a spiral around the group's point (spiral.ts), so every stamp
// gets a marker of its own. At the highest zoom every group spreads, and discs
// that would collide are moved aside.
//
// Everything depends only on the data and the scale, never on the pan, so a
// grouping is recomputed when the zoom changes and reused while panning.
// Positions are base coordinates (projection.ts); radii are CSS pixels.
import { providerName } from "../format";
import { CLUSTER_RADIUS, radiusFor } from "./colourScale";
import {
  addTotals,
  byId,
  emptyTotals,
  percentOf,
  type FleetRegion,
  type FleetStamp,
  type Marker,
  type PreparedFleet,
} from "./fleet";
import { GAP, RING_OUTSET, placeDiscs, spiralOffset, spiralReach, spiralSpacing } from "./spiral";
import { MAX_ZOOM } from "./viewTransform";

/** Regions are never spread into stamps below this zoom. */
export const SPREAD_MIN_ZOOM = 3;

/** The disc a spread-out group's stamps occupy, drawn behind them. */
export interface SpreadArea {
  x: number;
  y: number;
  /** CSS px. */
  radius: number;
  /** Where the regions really are; differs from (x, y) when the disc had to move aside. */
  anchorX: number;
  anchorY: number;
  regionIds: readonly string[];
  label: string;
}

export interface Grouping {
  markers: Marker[];
  areas: SpreadArea[];
}

interface Group {
  regions: FleetRegion[];
  x: number;
  y: number;
  radius: number;
  units: number;
}

function groupOf(region: FleetRegion): Group {
  const { x, y } = region.place;
  return { regions: [region], x, y, radius: region.radius, units: region.totals.totalUnits };
}

function mergeInto(into: Group, from: Group, maxRegionUnits: number): void {
  into.regions.push(...from.regions);
  into.regions.sort(byId);
  into.x = into.regions.reduce((sum, r) => sum + r.place.x, 0) / into.regions.length;
  into.y = into.regions.reduce((sum, r) => sum + r.place.y, 0) / into.regions.length;
  into.units += from.units;
  into.radius = radiusFor(into.units, maxRegionUnits, CLUSTER_RADIUS);
}

/** Greedy clustering: merge any two groups whose aggregated markers would overlap on screen. */
function clusterRegions(fleet: PreparedFleet, scale: number): Group[] {
  const groups = fleet.regions.map(groupOf);
  const overlap = (a: Group, b: Group) =>
    Math.hypot(a.x - b.x, a.y - b.y) * scale < a.radius + b.radius + 2 * RING_OUTSET + GAP;
  let merged = true;
  while (merged) {
    merged = false;
    for (let i = 0; i < groups.length && !merged; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        if (!overlap(groups[i], groups[j])) continue;
        mergeInto(groups[i], groups[j], fleet.maxRegionUnits);
        groups.splice(j, 1);
        merged = true;
        break;
      }
    }
  }
  return groups;
}

function stampsOf(group: Group): FleetStamp[] {
  return group.regions.flatMap((r) => r.stamps);
}

function maxStampRadiusOf(group: Group): number {
  return Math.max(...group.regions.map((r) => r.maxStampRadius));
}

/** Radius (CSS px, ring included) of the spiral holding all of a group's stamps. */
function spreadRadius(group: Group): number {
  const n = group.regions.reduce((sum, r) => sum + r.stamps.length, 0);
  const rMax = maxStampRadiusOf(group);
  return spiralReach(n, spiralSpacing(rMax)) + rMax + RING_OUTSET;
}

function areaLabel(group: Group): string {
  const regions = group.regions.map((r) => r.place.summary.region);
  if (regions.length === 1) return `${providerName(regions[0].provider)} ${regions[0].code}`;
  const cities = new Set(regions.map((r) => r.city));
  if (cities.size === 1) return `${regions[0].city} · ${regions.length} regions`;
  return `${regions.length} regions`;
}

function aggregateMarker(group: Group): Marker {
  const totals = emptyTotals();
  for (const region of group.regions) addTotals(totals, region.totals);
  const single = group.regions.length === 1;
  const regionIds = group.regions.map((r) => r.id);
  return {
    kind: single ? "region" : "cluster",
    id: single ? regionIds[0] : `cluster:${regionIds.join(",")}`,
    x: group.x,
    y: group.y,
    radius: group.radius,
    utilization: percentOf(totals),
    ring: totals.worst,
    outdated: totals.outdated > 0,
    count: totals.stamps,
    stampIds: stampsOf(group).map((s) => s.marker.id),
    regionIds,
    totals,
    regions: group.regions.map((r) => r.place.summary),
    stamp: null,
  };
}

/** The markers (and spread areas) at a scale of `scale` CSS px per base unit and zoom `k`. */
export function groupMarkers(fleet: PreparedFleet, scale: number, k: number): Grouping {
  const groups = clusterRegions(fleet, scale);
  const forced = k >= MAX_ZOOM - 1e-6;
  const footprint = groups.map((g) => ({
    spread: spreadRadius(g),
    aggregated: g.radius + RING_OUTSET,
  }));
  const hasRoom = (group: Group, gi: number) =>
    groups.every((other, oi) => {
      if (oi === gi) return true;
      const distance = Math.hypot(group.x - other.x, group.y - other.y) * scale;
      const theirs = Math.max(footprint[oi].spread, footprint[oi].aggregated);
      return footprint[gi].spread + theirs + GAP <= distance;
    });
  const aggregates: Marker[] = [];
  const spreading: { group: Group; radius: number; x: number; y: number }[] = [];
  groups.forEach((group, gi) => {
    if (forced || (k >= SPREAD_MIN_ZOOM && hasRoom(group, gi))) {
      spreading.push({ group, radius: footprint[gi].spread + 2, x: group.x, y: group.y });
    } else {
      aggregates.push(aggregateMarker(group));
    }
  });
  const centres = placeDiscs(spreading, scale);
  const stamps: Marker[] = [];
  const areas: SpreadArea[] = spreading.map(({ group, radius }, i) => {
    const [cx, cy] = centres[i];
    const members = stampsOf(group);
    const spacing = spiralSpacing(maxStampRadiusOf(group));
    members.forEach(({ marker }, j) => {
      const [dx, dy] = spiralOffset(j, members.length, spacing);
      stamps.push({ ...marker, x: cx + dx / scale, y: cy + dy / scale });
    });
    return {
      x: cx,
      y: cy,
      radius,
      anchorX: group.x,
      anchorY: group.y,
      regionIds: group.regions.map((r) => r.id),
      label: areaLabel(group),
    };
  });
  aggregates.sort((a, b) => b.radius - a.radius || byId(a, b));
  stamps.sort(byId);
  return { markers: [...aggregates, ...stamps], areas };
}

/** Zoom levels tried, in order, when looking for a zoom that shows something. */
export const FOCUS_ZOOMS: readonly number[] = [1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, MAX_ZOOM];

/**
 * The first zoom from `fromK` on (fromK itself, then the FOCUS_ZOOMS above it)
 * at which `pick` finds what it looks for in the grouping, with what it found.
 */
export function firstZoomShowing<T>(
  fleet: PreparedFleet,
  fitScale: number,
  fromK: number,
  pick: (grouping: Grouping) => T | undefined,
): { k: number; found: T } | null {
  const zooms = [fromK, ...FOCUS_ZOOMS.filter((k) => k > fromK)];
  for (const k of zooms) {
    const found = pick(groupMarkers(fleet, fitScale * k, k));
    if (found !== undefined) return { k, found };
  }
  return null;
}
