// Which marker is under a point. A linear scan: a few thousand markers take
// well under a millisecond, and only markers drawn in the last frame are passed in.
import type { Marker } from "./fleet";
import { RING_OUTSET } from "./spiral";
import type { Point } from "./projection";
import type { Mapping } from "./viewTransform";

/** The topmost marker (the last one drawn) whose disc or ring covers the screen point. */
export function hitTest(
  markers: readonly Marker[],
  point: Point,
  mapping: Mapping,
  tolerance = RING_OUTSET,
): Marker | null {
  for (let i = markers.length - 1; i >= 0; i--) {
    const marker = markers[i];
    const dx = marker.x * mapping.scale + mapping.x - point[0];
    const dy = marker.y * mapping.scale + mapping.y - point[1];
    const reach = marker.radius + tolerance;
    if (dx * dx + dy * dy <= reach * reach) return marker;
  }
  return null;
}

/** The marker whose centre is nearest the screen point, within `maxDistance` CSS px. */
export function nearestMarker(
  markers: readonly Marker[],
  point: Point,
  mapping: Mapping,
  maxDistance: number,
): Marker | null {
  let best: Marker | null = null;
  let bestDistance = maxDistance * maxDistance;
  for (const marker of markers) {
    const dx = marker.x * mapping.scale + mapping.x - point[0];
    const dy = marker.y * mapping.scale + mapping.y - point[1];
    const distance = dx * dx + dy * dy;
    if (distance <= bestDistance) {
      best = marker;
      bestDistance = distance;
    }
  }
  return best;
}

/** A marker's centre in CSS pixels. */
export function screenPosition(marker: Marker, mapping: Mapping): Point {
  return [marker.x * mapping.scale + mapping.x, marker.y * mapping.scale + mapping.y];
}

/**
 * The stamp a drop at the point lands on: a stamp marker's, or that of a region or
 * cluster marker standing for a single stamp; null anywhere else.
 */
export function stampAt(markers: readonly Marker[], point: Point, mapping: Mapping): string | null {
  const marker = hitTest(markers, point, mapping);
  if (!marker) return null;
  if (marker.kind === "stamp") return marker.id;
  return marker.stampIds.length === 1 ? marker.stampIds[0] : null;
}
