// Finer coastlines for zoomed-in views: Natural Earth's 1:50m countries (the
// world-atlas package, like the 1:110m basemap), a separate chunk of the
// bundle loaded the first time the map zooms in past DETAIL_ZOOM, and never
// fetched from the network (the webview may load only the app's own files).
// Until it is ready, and when zoomed out, the 1:110m basemap is drawn.
import { basemap, buildBasemap, type Basemap } from "./projection";

/** From this zoom (k, 1 = whole world) on, the 1:50m basemap is drawn. */
export const DETAIL_ZOOM = 2.5;

export type BasemapDetail = "110m" | "50m";

let detailed: Basemap | null = null;
let loading: Promise<void> | null = null;

/** Loads the 1:50m basemap (once); resolves when it is built. */
export function loadDetail(): Promise<void> {
  loading ??= import("world-atlas/countries-50m.json").then((atlas) => {
    detailed = buildBasemap(atlas.default);
  });
  return loading;
}

/**
 * The basemap to draw at zoom `k` and which one it is. Past DETAIL_ZOOM this
 * starts loading the 1:50m one and calls `onReady` when it can be drawn.
 */
export function basemapAt(k: number, onReady: () => void): { basemap: Basemap; detail: BasemapDetail } {
  if (k >= DETAIL_ZOOM) {
    if (detailed) return { basemap: detailed, detail: "50m" };
    // Asked once: frames drawn while it loads do not each wait on it.
    if (!loading) loadDetail().then(onReady, (e: unknown) => console.error("the 1:50m basemap did not load", e));
  }
  return { basemap: basemap(), detail: "110m" };
}
