// Zoom and pan as pure functions. A view maps base coordinates (projection.ts)
// to CSS pixels of the canvas:
//
//   screen = base × scale + (x, y),   scale = fitScale(frame) × k
//
// k = 1 is the whole world fitted into the canvas; k never goes below that
// nor above MAX_ZOOM, and the view never pans the world out of sight.
import type { Bounds, Point } from "./projection";

export const MIN_ZOOM = 1;
export const MAX_ZOOM = 40;

/** The canvas (CSS pixels) and the base-coordinate extent it must be able to show whole. */
export interface Frame {
  width: number;
  height: number;
  world: Bounds;
}

/** Zoom factor k (1 = world fits) and translation in CSS pixels. */
export interface View {
  k: number;
  x: number;
  y: number;
}

/** CSS pixels per base unit at k = 1. */
export function fitScale(frame: Frame): number {
  const w = frame.world.x1 - frame.world.x0;
  const h = frame.world.y1 - frame.world.y0;
  if (w <= 0 || h <= 0 || frame.width <= 0 || frame.height <= 0) return 1;
  return Math.min(frame.width / w, frame.height / h);
}

/** CSS pixels per base unit for this view. */
export function scaleOf(frame: Frame, view: View): number {
  return fitScale(frame) * view.k;
}

/** Zooms this close (relatively) to a limit snap onto it, so wheel zooming can land exactly there. */
const SNAP = 0.005;

export function clampZoom(k: number): number {
  if (!Number.isFinite(k) || k <= MIN_ZOOM * (1 + SNAP)) return MIN_ZOOM;
  return k >= MAX_ZOOM * (1 - SNAP) ? MAX_ZOOM : k;
}

/** Keeps one axis of the world on screen: centred when it is smaller than the canvas. */
function clampAxis(offset: number, lo: number, hi: number, scale: number, size: number): number {
  const extent = (hi - lo) * scale;
  if (extent <= size) return (size - extent) / 2 - lo * scale;
  return Math.min(-lo * scale, Math.max(size - hi * scale, offset));
}

/** The view with k within range and the world panned no further than its edges. */
export function clampView(frame: Frame, view: View): View {
  const k = clampZoom(view.k);
  const s = fitScale(frame) * k;
  return {
    k,
    x: clampAxis(view.x, frame.world.x0, frame.world.x1, s, frame.width),
    y: clampAxis(view.y, frame.world.y0, frame.world.y1, s, frame.height),
  };
}

/** The whole world, centred. */
export function fitView(frame: Frame): View {
  return clampView(frame, { k: MIN_ZOOM, x: 0, y: 0 });
}

export function toScreen(frame: Frame, view: View, base: Point): Point {
  const s = scaleOf(frame, view);
  return [base[0] * s + view.x, base[1] * s + view.y];
}

export function toBase(frame: Frame, view: View, screen: Point): Point {
  const s = scaleOf(frame, view);
  return [(screen[0] - view.x) / s, (screen[1] - view.y) / s];
}

/** Zooms to `k`, keeping the base point under the screen point `anchor` where it is. */
export function zoomAround(frame: Frame, view: View, k: number, anchor: Point): View {
  const base = toBase(frame, view, anchor);
  const s = fitScale(frame) * clampZoom(k);
  return clampView(frame, { k, x: anchor[0] - base[0] * s, y: anchor[1] - base[1] * s });
}

/** Zooms by a factor around a screen point. */
export function zoomBy(frame: Frame, view: View, factor: number, anchor: Point): View {
  return zoomAround(frame, view, view.k * factor, anchor);
}

/** Moves the map by (dx, dy) CSS pixels. */
export function panBy(frame: Frame, view: View, dx: number, dy: number): View {
  return clampView(frame, { k: view.k, x: view.x + dx, y: view.y + dy });
}

/** The view at zoom k that puts the base point in the middle of the canvas (as far as clamping allows). */
export function centreOn(frame: Frame, base: Point, k: number): View {
  const s = fitScale(frame) * clampZoom(k);
  return clampView(frame, { k, x: frame.width / 2 - base[0] * s, y: frame.height / 2 - base[1] * s });
}

/** The base point shown in the middle of the canvas. */
export function centreOf(frame: Frame, view: View): Point {
  return toBase(frame, view, [frame.width / 2, frame.height / 2]);
}

/** The same place and zoom after the canvas changed size. */
export function resizeView(before: Frame, after: Frame, view: View): View {
  if (before.width <= 0 || before.height <= 0) return fitView(after);
  return centreOn(after, centreOf(before, view), view.k);
}

/**
 * A point along a flight between two views, t in [0, 1]: zoom is interpolated
 * geometrically and the centre linearly, which reads as one smooth move.
 */
export function interpolateView(frame: Frame, from: View, to: View, t: number): View {
  const a = centreOf(frame, from);
  const b = centreOf(frame, to);
  const k = Math.exp(Math.log(from.k) + (Math.log(to.k) - Math.log(from.k)) * t);
  const centre: Point = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
  return t >= 1 ? to : centreOn(frame, centre, k);
}

/** A view flattened for drawing and hit testing: screen = base × scale + (x, y). */
export interface Mapping {
  scale: number;
  x: number;
  y: number;
}

export function mappingOf(frame: Frame, view: View): Mapping {
  return { scale: scaleOf(frame, view), x: view.x, y: view.y };
}
