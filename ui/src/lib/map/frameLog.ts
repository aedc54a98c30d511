// Performance hooks read by ui/bench/map-bench.mjs and health-bench.mjs: two performance marks,
// a bounded log of per-frame draw durations (window.__stampfleetMapFrames) and of health messages.

declare global {
  interface Window {
    /** Draw duration (ms) of each of the map's last FRAME_LOG_SIZE frames, oldest first. */
    __stampfleetMapFrames?: number[];
    /** When (performance.now()) each of those frames started, oldest first. */
    __stampfleetMapFrameTimes?: number[];
  }
}

/** Marked when the fleet overview reaches the UI (by the backend layer, else by the map). */
export const MARK_OVERVIEW_ARRIVED = "stampfleet:overview-arrived";
/** Marked after the first frame that drew markers. */
export const MARK_MAP_PAINTED = "stampfleet:map-painted";

export const FRAME_LOG_SIZE = 2400;

/** Places a performance mark unless one of that name exists already. */
export function markOnce(name: string): void {
  if (performance.getEntriesByName(name, "mark").length === 0) performance.mark(name);
}

export function recordFrame(durationMs: number): void {
  const log = (window.__stampfleetMapFrames ??= []);
  const times = (window.__stampfleetMapFrameTimes ??= []);
  log.push(durationMs);
  times.push(performance.now() - durationMs);
  if (log.length > FRAME_LOG_SIZE) log.splice(0, log.length - FRAME_LOG_SIZE);
  if (times.length > FRAME_LOG_SIZE) times.splice(0, times.length - FRAME_LOG_SIZE);
}

declare global {
  interface Window {
    /** Each health message the window took in: when, how many stamps it named, how many it knew after. */
    __stampfleetHealthMessages?: { at: number; entries: number; known: number }[];
  }
}

/** Notes one health message for ui/bench/health-bench.mjs (bounded like the frame log). */
export function recordHealthMessage(entries: number, known: number): void {
  const log = (window.__stampfleetHealthMessages ??= []);
  log.push({ at: performance.now(), entries, known });
  if (log.length > FRAME_LOG_SIZE) log.splice(0, log.length - FRAME_LOG_SIZE);
}

declare global {
  interface Window {
    /** How each of the last frames drew its basemap: "blit" (the off-screen bitmap),
     * "render" (the bitmap made again, then blitted) or "direct" (painted). */
    __stampfleetBasemapPaths?: string[];
  }
}

/** Notes how a frame drew its basemap (for the frame-rate benchmarks). */
export function recordBasemapPath(path: "blit" | "render" | "direct"): void {
  const log = (window.__stampfleetBasemapPaths ??= []);
  log.push(path);
  if (log.length > FRAME_LOG_SIZE) log.splice(0, log.length - FRAME_LOG_SIZE);
}
