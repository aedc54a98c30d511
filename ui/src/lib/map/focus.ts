// Where the map flies to: a stamp or region to centre (the tenant locator,
// search), or a cluster to open up. Pure: fleet, canvas and current view in,
// target view out.
import type { Marker, PreparedFleet } from "./fleet";
import { SPREAD_MIN_ZOOM, firstZoomShowing } from "./grouping";
import type { Point } from "./projection";
import { MAX_ZOOM, centreOn, fitScale, type Frame, type View } from "./viewTransform";

export interface FocusTarget {
  stamp?: string;
  region?: string;
}

/** Region focus zooms in at least this far, so it reads as "going there". */
const REGION_FOCUS_ZOOM = 2;

/**
 * The view centred on the target at the first zoom (from the current one up)
 * where a stamp has a marker of its own, or a region is no longer merged into
 * a cluster; null when the target is not on the map.
 */
export function viewForFocus(fleet: PreparedFleet, frame: Frame, view: View, target: FocusTarget): View | null {
  const s = fitScale(frame);
  let found: { k: number; found: Point } | null = null;
  if (target.stamp) {
    const id = target.stamp;
    found = firstZoomShowing(fleet, s, Math.max(view.k, SPREAD_MIN_ZOOM), (g) => {
      const marker = g.markers.find((m) => m.kind === "stamp" && m.id === id);
      return marker ? ([marker.x, marker.y] as Point) : undefined;
    });
  } else if (target.region) {
    const id = target.region;
    found = firstZoomShowing(fleet, s, Math.max(view.k, REGION_FOCUS_ZOOM), (g) => {
      const marker = g.markers.find((m) => m.kind === "region" && m.id === id);
      if (marker) return [marker.x, marker.y] as Point;
      const area = g.areas.find((a) => a.regionIds.includes(id));
      return area ? ([area.x, area.y] as Point) : undefined;
    });
  }
  return found ? centreOn(frame, found.found, found.k) : null;
}

/** The view centred on a cluster at the first zoom where its regions come apart (or spread out). */
export function viewIntoCluster(fleet: PreparedFleet, frame: Frame, view: View, cluster: Marker): View {
  const members = new Set(cluster.regionIds);
  const found = firstZoomShowing(fleet, fitScale(frame), Math.min(MAX_ZOOM, view.k * 1.5), (g) =>
    g.markers.some((m) => m.regionIds.length < members.size && m.regionIds.some((id) => members.has(id)))
      ? true
      : undefined,
  );
  return centreOn(frame, [cluster.x, cluster.y], found?.k ?? MAX_ZOOM);
}
