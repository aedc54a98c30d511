import { describe, expect, test } from "vitest";
import demo from "../../generated/demo-overview.json";
import type { FleetOverview } from "../../generated/bindings";
import { viewForFocus, viewIntoCluster } from "./focus";
import { placeRegions, prepareFleet } from "./fleet";
import { groupMarkers } from "./grouping";
import { WORLD_BOUNDS } from "./projection";
import { fitScale, fitView, scaleOf, toScreen, type Frame } from "./viewTransform";

const overview = demo as FleetOverview;
const fleet = prepareFleet(overview.stamps, placeRegions(overview.regions), () => "healthy");
const frame: Frame = { width: 960, height: 540, world: WORLD_BOUNDS };
const world = fitView(frame);

function markersAt(view: ReturnType<typeof fitView>) {
  return groupMarkers(fleet, scaleOf(frame, view), view.k).markers;
}

describe("focus", () => {
  test("a stamp is centred at a zoom where it has a marker of its own", () => {
    const view = viewForFocus(fleet, frame, world, { stamp: "weu-02" });
    if (!view) throw new Error("weu-02 not found");
    const marker = markersAt(view).find((m) => m.id === "weu-02");
    expect(marker?.kind).toBe("stamp");
    const [x, y] = toScreen(frame, view, [marker?.x ?? 0, marker?.y ?? 0]);
    // Centred, as far as the edge of the world allows (Amsterdam is near the top at this zoom).
    expect(Math.abs(x - frame.width / 2)).toBeLessThan(10);
    expect(Math.abs(y - frame.height / 2)).toBeLessThan(10);
  });

  test("a region merged into a cluster at world zoom is shown on its own", () => {
    const view = viewForFocus(fleet, frame, world, { region: "azure-westeurope" });
    if (!view) throw new Error("region not found");
    expect(view.k).toBeGreaterThan(1);
    const own = markersAt(view).filter((m) => m.regionIds.includes("azure-westeurope"));
    expect(own.every((m) => m.regionIds.length === 1)).toBe(true);
  });

  test("focus never zooms out", () => {
    const close = { ...world, k: 30 };
    expect(viewForFocus(fleet, frame, close, { stamp: "syd-01" })?.k).toBe(30);
  });

  test("an unknown stamp or region gives no view", () => {
    expect(viewForFocus(fleet, frame, world, { stamp: "nope" })).toBeNull();
    expect(viewForFocus(fleet, frame, world, { region: "nope" })).toBeNull();
    expect(viewForFocus(fleet, frame, world, {})).toBeNull();
  });

  test("opening a cluster zooms in until its regions come apart", () => {
    const cluster = groupMarkers(fleet, fitScale(frame), 1).markers.find((m) => m.kind === "cluster");
    if (!cluster) throw new Error("no cluster at world zoom");
    const view = viewIntoCluster(fleet, frame, world, cluster);
    expect(view.k).toBeGreaterThan(1);
    const after = markersAt(view).filter((m) => m.regionIds.some((id) => cluster.regionIds.includes(id)));
    expect(after.every((m) => m.regionIds.length < cluster.regionIds.length)).toBe(true);
  });
});
