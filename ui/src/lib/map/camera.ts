// Where the world map looks: the canvas frame, the current view, and the
// flight in progress (an eased move from one view to another, for the zoom
// buttons, keyboard zoom, focusing a stamp or region and opening a cluster).
// Plain state, not Svelte state: WorldMap.svelte's frame callback reads it
// every frame and calls advance() to carry a flight along; every change asks
// for a frame through the requestDraw callback. The view arithmetic itself is
// in viewTransform.ts.
import { WORLD_BOUNDS, type Point } from "./projection";
import {
  MIN_ZOOM,
  fitView,
  interpolateView,
  mappingOf,
  panBy,
  resizeView,
  zoomBy,
  type Frame,
  type Mapping,
  type View,
} from "./viewTransform";

/** How long a flight takes (ms). */
export const FLIGHT_MS = 480;

/** Ease in and out (cubic), t in [0, 1]: a flight starts and lands gently. */
export function easeInOutCubic(t: number): number {
  return t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2;
}

interface Flight {
  from: View;
  to: View;
  /** performance.now() when it took off. */
  start: number;
}

const prefersReducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

export class MapCamera {
  /** The canvas in CSS pixels: zero-sized until first measured. */
  frame: Frame = { width: 0, height: 0, world: WORLD_BOUNDS };
  view: View = { k: MIN_ZOOM, x: 0, y: 0 };
  private flight: Flight | null = null;

  constructor(
    private readonly requestDraw: () => void,
    /** With reduced motion, flights jump straight to where they are going. */
    private readonly reducedMotion: () => boolean = prefersReducedMotion,
  ) {}

  /** The canvas has a size, so views can be computed. */
  get measured(): boolean {
    return this.frame.width > 0 && this.frame.height > 0;
  }

  /** The view flattened for drawing and hit testing. */
  mapping(): Mapping {
    return mappingOf(this.frame, this.view);
  }

  /** The canvas changed size: same place and zoom, or the whole world the first time. Does not redraw. */
  resize(width: number, height: number): void {
    const next: Frame = { width, height, world: WORLD_BOUNDS };
    const known = this.measured;
    this.view = known ? resizeView(this.frame, next, this.view) : fitView(next);
    // A flight in progress carries on towards the same place, re-fitted to the new size.
    const flight = this.flight;
    if (flight && known) {
      this.flight = { ...flight, from: resizeView(this.frame, next, flight.from), to: resizeView(this.frame, next, flight.to) };
    }
    this.frame = next;
  }

  /** Jumps to a view, ending any flight. */
  setView(next: View): void {
    this.flight = null;
    this.view = next;
    this.requestDraw();
  }

  /** Flies from the current view to `target`, starting at `start` (performance.now()). */
  flyTo(target: View, start = performance.now()): void {
    if (this.reducedMotion()) {
      this.setView(target);
      return;
    }
    this.flight = { from: this.view, to: target, start };
    this.requestDraw();
  }

  /** Pans by (dx, dy) CSS pixels at once (a drag, an arrow key). */
  panBy(dx: number, dy: number): void {
    this.setView(panBy(this.frame, this.view, dx, dy));
  }

  /** Zooms by `factor` at once, keeping the point under `anchor` where it is (the wheel). */
  zoomAt(factor: number, anchor: Point): void {
    this.setView(zoomBy(this.frame, this.view, factor, anchor));
  }

  /** Flies to `factor` times the zoom, about the middle of the canvas (buttons, +/−). */
  zoomStep(factor: number): void {
    this.flyTo(zoomBy(this.frame, this.view, factor, [this.frame.width / 2, this.frame.height / 2]));
  }

  /** Flies back to the whole world. */
  reset(): void {
    this.flyTo(fitView(this.frame));
  }

  /** Moves a flight on to where it is at `now` (a frame's timestamp); asks for another frame until it lands. */
  advance(now: number): void {
    const flight = this.flight;
    if (!flight) return;
    const t = Math.min(1, Math.max(0, (now - flight.start) / FLIGHT_MS));
    this.view = interpolateView(this.frame, flight.from, flight.to, easeInOutCubic(t));
    if (t >= 1) this.flight = null;
    else this.requestDraw();
  }
}
