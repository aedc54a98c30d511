// The data attributes the world map publishes after each frame, for the
// browser tests (tests/support/harness.mjs) and the benchmark
// (bench/map-bench.mjs): on the wrapper, how many markers are drawn, the zoom
// and, once markers were first drawn, data-painted (with a performance mark,
// frameLog.ts); on the canvas, while there are few enough, the drawn markers
// with their screen positions. Attributes are written only when they change.
import type { Marker } from "./fleet";
import { MARK_MAP_PAINTED, markOnce } from "./frameLog";
import { screenPosition } from "./hitTest";
import type { Mapping } from "./viewTransform";

/** data-markers lists the drawn markers only while there are fewer than this. */
export const MARKER_LIST_LIMIT = 300;

/**
 * data-markers: kind, id and screen position (CSS px, to 0.1) of each marker, and its
 * fill colour while the map is coloured by version, as JSON; "" for MARKER_LIST_LIMIT or more.
 */
export function markerList(markers: readonly Marker[], mapping: Mapping): string {
  if (markers.length >= MARKER_LIST_LIMIT) return "";
  return JSON.stringify(
    markers.map((marker) => {
      const [x, y] = screenPosition(marker, mapping);
      const tint = marker.tint ?? undefined;
      return { kind: marker.kind, id: marker.id, x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10, tint };
    }),
  );
}

export class MapAttributes {
  private markers = "";
  private painted = false;

  /** Publishes a frame that drew `drawn` at zoom `k`. */
  publish(root: HTMLElement, canvas: HTMLCanvasElement, drawn: readonly Marker[], mapping: Mapping, k: number): void {
    root.dataset.markerCount = String(drawn.length);
    root.dataset.zoom = k.toFixed(2);
    const list = markerList(drawn, mapping);
    if (list !== this.markers) {
      this.markers = list;
      if (list) canvas.dataset.markers = list;
      else delete canvas.dataset.markers;
    }
    if (!this.painted && drawn.length > 0) {
      this.painted = true;
      root.dataset.painted = "true";
      markOnce(MARK_MAP_PAINTED);
    }
  }
}
