// A stamp marker for unit tests of the map's pure parts (hit testing, gestures):
// one healthy, empty stamp of the given radius at (x, y) in CSS px.
import type { Marker } from "./fleet";

export function stampMarker(id: string, x: number, y: number, radius = 6): Marker {
  return {
    kind: "stamp",
    id,
    x,
    y,
    radius,
    utilization: 0,
    ring: "healthy",
    outdated: false,
    count: 1,
    stampIds: [id],
    regionIds: [],
    totals: {
      stamps: 1,
      usedUnits: 0,
      totalUnits: 0,
      tenants: 0,
      outdated: 0,
      rings: { healthy: 1, degraded: 0, unreachable: 0, unknown: 0, provisioning: 0 },
      worst: "healthy",
    },
    regions: [],
    stamp: null,
  };
}
