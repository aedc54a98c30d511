import { describe, expect, test } from "vitest";
import type { FleetOverview, StampHealth, StampStatus } from "../generated/bindings";
import demoOverview from "../generated/demo-overview.json";
import { NO_FILTER, filterStamps, isFiltering, providersOf, stampCondition, stampsInScope } from "./filters";

const DEMO = demoOverview as FleetOverview;
const ids = (views: { stamp: { id: string } }[]) => views.map((v) => v.stamp.id);

function check(stamp: string, state: StampHealth["state"]): StampHealth {
  return { stamp, state, detail: "", problem: null, fix: null, softwareVersion: null, templateVersion: null, errorRate: null, capacityUsed: null, tenantCount: null, checkedAt: 0, pushed: false };
}

describe("fleet filters", () => {
  test("no filter keeps the very same list", () => {
    expect(isFiltering(NO_FILTER)).toBe(false);
    expect(filterStamps(DEMO.stamps, DEMO.regions, {}, NO_FILTER)).toBe(DEMO.stamps);
  });

  test("provider keeps the stamps in that provider's regions", () => {
    const aws = filterStamps(DEMO.stamps, DEMO.regions, {}, { ...NO_FILTER, provider: "aws" });
    expect(ids(aws)).toEqual(["fra-01", "fra-ded-01", "use-01", "use-02"]);
  });

  test("utilization keeps stamps at or above the threshold", () => {
    const at = (minUtilization: number) =>
      ids(filterStamps(DEMO.stamps, DEMO.regions, {}, { ...NO_FILTER, minUtilization }));
    // fra-01 65.5 %, syd-01 87.5 %, tyo-01 61.6 %: the threshold compares unrounded values.
    expect(at(60)).toEqual(["fra-01", "syd-01", "tyo-01"]);
    expect(at(62)).toEqual(["fra-01", "syd-01"]);
    expect(at(88)).toEqual([]);
  });

  test("health: a missing check is unknown, provisioning wins over any check", () => {
    const health = { "weu-01": check("weu-01", "degraded"), "weu-02": check("weu-02", "healthy") };
    const degraded = filterStamps(DEMO.stamps, DEMO.regions, health, { ...NO_FILTER, condition: "degraded" });
    expect(ids(degraded)).toEqual(["weu-01"]);
    const unknown = filterStamps(DEMO.stamps, DEMO.regions, health, { ...NO_FILTER, condition: "unknown" });
    expect(unknown).toHaveLength(DEMO.stamps.length - 2);
    const building = { ...DEMO.stamps[0], stamp: { ...DEMO.stamps[0].stamp, status: "provisioning" as StampStatus } };
    expect(stampCondition(building, { [building.stamp.id]: check(building.stamp.id, "healthy") })).toBe("provisioning");
  });

  test("filters combine", () => {
    const filter = { provider: "aws", condition: null, minUtilization: 40 };
    expect(ids(filterStamps(DEMO.stamps, DEMO.regions, {}, filter))).toEqual(["fra-01"]);
  });

  test("region scope and providers", () => {
    const scoped = stampsInScope(DEMO.stamps, { region: "aws-us-east-1", stamp: null });
    expect(ids(scoped)).toEqual(["use-01", "use-02"]);
    expect(stampsInScope(DEMO.stamps, { region: null, stamp: "syd-01" })).toBe(DEMO.stamps);
    expect(providersOf(DEMO.regions)).toEqual(["aws", "azure", "gcp"]);
  });
});
