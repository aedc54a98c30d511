import { describe, expect, test } from "vitest";
import demo from "../../generated/demo-overview.json";
import type { FleetOverview, StampHealth } from "../../generated/bindings";
import { ringStateFor } from "./colourScale";
import { describeMarker } from "./describe";
import { placeRegions, prepareFleet } from "./fleet";
import { groupMarkers } from "./grouping";

const fleet = demo as FleetOverview;
const health: Record<string, StampHealth> = {
  "use-01": {
    stamp: "use-01",
    state: "degraded",
    detail: "slow probe",
    problem: null,
    fix: null,
    softwareVersion: "1.4.0",
    templateVersion: "1.4.0",
    errorRate: 0,
    capacityUsed: null,
    tenantCount: null,
    checkedAt: 0,
    pushed: false,
  },
};
const prepared = prepareFleet(fleet.stamps, placeRegions(fleet.regions), (v) =>
  ringStateFor(v.stamp.status, health[v.stamp.id]),
);
const markers = (k: number) => groupMarkers(prepared, k, k).markers;

describe("tooltip text", () => {
  test("a stamp: region, status, health, units, utilization band, tenants, template", () => {
    const marker = markers(40).find((m) => m.id === "use-02");
    if (!marker) throw new Error("no use-02 marker");
    const text = describeMarker(marker, health);
    expect(text.title).toBe("use-02");
    expect(text.subtitle).toBe("US East (N. Virginia) · AWS us-east-1");
    expect(Object.fromEntries(text.rows.map((r) => [r.label, r.value]))).toEqual({
      Status: "draining",
      Health: "Unknown",
      Capacity: "271 / 800 units",
      Utilization: "34% · Low",
      Tenants: "8",
      Template: "standard 1.3.0",
    });
    expect(text.notes).toEqual(["Newer template version available"]);
  });

  test("a region sums its stamps and spells out their health", () => {
    const marker = markers(1).find((m) => m.id === "aws-us-east-1");
    if (!marker) throw new Error("no us-east-1 marker");
    const text = describeMarker(marker, health);
    expect(text.title).toBe("US East (N. Virginia)");
    expect(text.subtitle).toBe("AWS us-east-1 · Ashburn, United States");
    const rows = Object.fromEntries(text.rows.map((r) => [r.label, r.value]));
    expect(rows.Health).toBe("1 unknown · 1 degraded");
    expect(rows.Capacity).toBe("693 / 2,000 units");
    expect(text.notes).toEqual(["1 stamp has a newer template available"]);
  });

  test("a cluster names its regions and says a click zooms in", () => {
    const marker = markers(1).find((m) => m.kind === "cluster");
    if (!marker) throw new Error("no cluster at world zoom");
    const text = describeMarker(marker, health);
    expect(text.title).toBe("2 regions");
    expect(text.subtitle).toBe("AWS eu-central-1, Azure westeurope");
    expect(text.notes).toContain("Click or press Enter to zoom in");
  });
});
