// Tells the backend when the window's start-up milestones happened (the page's
// performance marks named stampfleet:*, and the page's own start, as ms since
// the epoch) once the map has painted its first frame. The app logs them as
// times after its launch; .ci/bench-footprint reads that line.
import type { Backend } from "./backend";
import { MARK_MAP_PAINTED } from "./map/frameLog";

const PREFIX = "stampfleet:";

export function reportStartupOnce(backend: Backend): void {
  if (typeof PerformanceObserver === "undefined") return;
  const observer = new PerformanceObserver((list) => {
    if (list.getEntriesByName(MARK_MAP_PAINTED).length === 0) return;
    observer.disconnect();
    const marks: Record<string, number> = { "page-start": performance.timeOrigin };
    for (const mark of performance.getEntriesByType("mark")) {
      if (mark.name.startsWith(PREFIX)) marks[mark.name.slice(PREFIX.length)] = performance.timeOrigin + mark.startTime;
    }
    backend.reportStartup(marks).catch((reason: unknown) => console.warn("the start-up report was not logged", reason));
  });
  observer.observe({ type: "mark", buffered: true });
}
