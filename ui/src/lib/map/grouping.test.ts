import { describe, expect, test } from "vitest";
import demo from "../../generated/demo-overview.json";
import type { FleetOverview, RegionSummary, StampView } from "../../generated/bindings";
import type { RingState } from "./colourScale";
import { placeRegions, prepareFleet, type Marker, type PreparedFleet } from "./fleet";
import { FOCUS_ZOOMS, firstZoomShowing, groupMarkers } from "./grouping";
import { RING_OUTSET } from "./spiral";
import { WORLD_BOUNDS } from "./projection";
import { MAX_ZOOM, fitScale, type Frame } from "./viewTransform";

const fleet = demo as FleetOverview;
const frame: Frame = { width: 960, height: 540, world: WORLD_BOUNDS };
const healthy = (): RingState => "healthy";

function prepare(
  stamps: readonly StampView[] = fleet.stamps,
  regions: readonly RegionSummary[] = fleet.regions,
  ringOf: (view: StampView) => RingState = healthy,
): PreparedFleet {
  return prepareFleet(stamps, placeRegions(regions), ringOf);
}

function at(prepared: PreparedFleet, k: number) {
  const scale = fitScale(frame) * k;
  return { scale, ...groupMarkers(prepared, scale, k) };
}

/** Asserts no two stamp markers' rings touch on screen. */
function expectNoStampOverlap(markers: readonly Marker[], scale: number): void {
  const stamps = markers.filter((m) => m.kind === "stamp");
  for (let i = 0; i < stamps.length; i++) {
    for (let j = i + 1; j < stamps.length; j++) {
      const a = stamps[i];
      const b = stamps[j];
      const distance = Math.hypot(a.x - b.x, a.y - b.y) * scale;
      expect(distance, `${a.id} and ${b.id}`).toBeGreaterThanOrEqual(
        a.radius + b.radius + 2 * RING_OUTSET,
      );
    }
  }
}

/** A region like the demo's Frankfurt one, holding `n` stamps. */
function crowdedRegion(n: number): { stamps: StampView[]; region: RegionSummary } {
  const template = fleet.stamps[0];
  const region = fleet.regions.find((r) => r.region.id === template.stamp.region);
  if (!region) throw new Error("demo fixture changed");
  const stamps = Array.from({ length: n }, (_, i) => ({
    ...template,
    stamp: { ...template.stamp, id: `crowd-${String(i).padStart(3, "0")}` },
  }));
  return { stamps, region };
}

describe("grouping the demo fleet", () => {
  test("at zoom 1 every region is in exactly one region or cluster marker", () => {
    const { markers, areas } = at(prepare(), 1);
    expect(areas).toEqual([]);
    expect(markers.every((m) => m.kind === "region" || m.kind === "cluster")).toBe(true);
    const regionIds = markers.flatMap((m) => m.regionIds).sort();
    expect(regionIds).toEqual(fleet.regions.map((r) => r.region.id).sort());
    expect(markers.reduce((sum, m) => sum + m.count, 0)).toBe(fleet.stamps.length);
    // Frankfurt and Amsterdam are a few pixels apart at world zoom: one cluster.
    const europe = markers.find((m) => m.regionIds.includes("azure-westeurope"));
    expect(europe?.kind).toBe("cluster");
    expect(europe?.regionIds).toEqual(["aws-eu-central-1", "azure-westeurope"]);
    expect(europe?.id).toBe("cluster:aws-eu-central-1,azure-westeurope");
  });

  test("aggregated markers add up units, tenants and outdated stamps", () => {
    const { markers } = at(prepare(), 1);
    const usEast = markers.find((m) => m.id === "aws-us-east-1");
    expect(usEast?.kind).toBe("region");
    expect(usEast?.totals.usedUnits).toBe(693);
    expect(usEast?.totals.totalUnits).toBe(2000);
    expect(usEast?.utilization).toBeCloseTo(34.65, 6);
    expect(usEast?.outdated).toBe(true);
    expect(usEast?.stampIds).toEqual(["use-01", "use-02"]);
  });

  test("at high zoom every stamp has its own marker, in stamp-id order", () => {
    for (const k of [16, MAX_ZOOM]) {
      const { markers, scale } = at(prepare(), k);
      expect(markers.map((m) => m.kind)).toEqual(fleet.stamps.map(() => "stamp"));
      expect(markers.map((m) => m.id)).toEqual(fleet.stamps.map((s) => s.stamp.id).sort());
      expectNoStampOverlap(markers, scale);
    }
  });

  test("stamp markers never overlap, at any zoom", () => {
    const prepared = prepare();
    for (const k of FOCUS_ZOOMS) {
      const { markers, scale } = at(prepared, k);
      expectNoStampOverlap(markers, scale);
    }
  });

  test("the result does not depend on input order and is repeatable", () => {
    const reversed = prepare([...fleet.stamps].reverse(), [...fleet.regions].reverse());
    for (const k of [1, 4, 8, 40]) {
      const a = at(prepare(), k);
      const b = at(reversed, k);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });

  test("a region's ring is its worst stamp; provisioning counts as its own state", () => {
    const rings: Record<string, RingState> = { "use-01": "degraded", "use-02": "provisioning" };
    const { markers } = at(prepare(fleet.stamps, fleet.regions, (v) => rings[v.stamp.id] ?? "healthy"), 1);
    const usEast = markers.find((m) => m.id === "aws-us-east-1");
    expect(usEast?.ring).toBe("degraded");
    expect(usEast?.totals.rings).toMatchObject({ degraded: 1, provisioning: 1, healthy: 0 });
  });

  test("stamps of regions not on the map, and regions without stamps, are left out", () => {
    const stamps = fleet.stamps.filter((s) => s.stamp.region === "aws-us-east-1");
    const prepared = prepare(stamps);
    expect(prepared.regions.map((r) => r.id)).toEqual(["aws-us-east-1"]);
    const orphans = prepare(fleet.stamps, []);
    expect(orphans.stampCount).toBe(0);
    expect(at(orphans, 1).markers).toEqual([]);
  });

  test("focus finds the first zoom at which a stamp stands alone", () => {
    const prepared = prepare();
    const found = firstZoomShowing(prepared, fitScale(frame), 3, (g) =>
      g.markers.find((m) => m.kind === "stamp" && m.id === "weu-02"),
    );
    expect(found).not.toBeNull();
    expect(found?.k).toBeGreaterThanOrEqual(3);
    expect(found?.k).toBeLessThanOrEqual(16);
  });
});

describe("neighbouring regions", () => {
  test("Frankfurt and West Europe (about 360 km apart) are told apart when zoomed in", () => {
    const prepared = prepare(fleet.stamps, fleet.regions);
    const { areas, markers } = at(prepared, MAX_ZOOM);
    const groupOf = (id: string) =>
      areas.find((a) => a.regionIds.includes(id))?.regionIds ?? markers.find((m) => m.regionIds.includes(id))?.regionIds;
    expect(groupOf("aws-eu-central-1")).toEqual(["aws-eu-central-1"]);
    expect(groupOf("azure-westeurope")).toEqual(["azure-westeurope"]);
  });
});

describe("grouping crowded regions", () => {
  test("150 stamps in one region spread without overlap at the highest zoom", () => {
    const { stamps, region } = crowdedRegion(150);
    const prepared = prepare(stamps, [region]);
    const { markers, areas, scale } = at(prepared, MAX_ZOOM);
    expect(markers).toHaveLength(150);
    expect(areas).toHaveLength(1);
    expectNoStampOverlap(markers, scale);
  });

  test("co-located regions stay one group and spread their stamps together", () => {
    const gcp: RegionSummary = {
      ...fleet.regions[0],
      region: { ...fleet.regions[0].region, id: "gcp-europe-west3", provider: "gcp", code: "europe-west3" },
    };
    const extra: StampView = {
      ...fleet.stamps[0],
      stamp: { ...fleet.stamps[0].stamp, id: "fra-gcp-01", region: "gcp-europe-west3" },
    };
    const prepared = prepare([...fleet.stamps, extra], [...fleet.regions, gcp]);
    for (const k of FOCUS_ZOOMS) {
      const { markers, areas } = at(prepared, k);
      const group =
        areas.find((a) => a.regionIds.includes("gcp-europe-west3")) ??
        markers.find((m) => m.regionIds.includes("gcp-europe-west3"));
      expect(group?.regionIds, `zoom ${k}`).toContain("aws-eu-central-1");
    }
    const close = at(prepared, MAX_ZOOM);
    const frankfurt = close.areas.find((a) => a.regionIds.includes("gcp-europe-west3"));
    expect(frankfurt?.regionIds).toEqual(["aws-eu-central-1", "gcp-europe-west3"]);
    expect(frankfurt?.label).toBe("Frankfurt · 2 regions");
    expectNoStampOverlap(close.markers, close.scale);
  });
});
