import { describe, expect, test } from "vitest";
import type { FleetOverview, StampHealth, StampView } from "../generated/bindings";
import demoOverview from "../generated/demo-overview.json";
import {
  conditionCounts,
  freeAfterWords,
  headroom,
  hottestStamps,
  providerSummaries,
  regionSummaries,
  regionsByUtilization,
  sumCapacity,
  tenantHistogram,
  unhealthyNotes,
} from "./capacity";

const DEMO = demoOverview as FleetOverview;

function withTenants(counts: number[]): StampView[] {
  return counts.map((tenantCount, i) => ({ ...DEMO.stamps[0], stamp: { ...DEMO.stamps[0].stamp, id: `s${i}` }, tenantCount }));
}

function check(stamp: string, state: StampHealth["state"]): StampHealth {
  return { stamp, state, detail: "", problem: null, fix: null, softwareVersion: null, templateVersion: null, errorRate: null, capacityUsed: null, tenantCount: null, checkedAt: 0, pushed: false };
}

describe("capacity aggregates", () => {
  test("the sum over all stamps is the overview's totals", () => {
    expect(sumCapacity(DEMO.stamps)).toEqual(DEMO.totals);
    expect(headroom(DEMO.totals)).toBe(DEMO.totals.totalUnits - DEMO.totals.usedUnits);
    expect(headroom({ totalUnits: 10, usedUnits: 12 })).toBe(0);
  });

  test("region summaries from every stamp equal the overview's", () => {
    expect(regionSummaries(DEMO.regions, DEMO.stamps)).toEqual(DEMO.regions);
  });

  test("region summaries of some stamps drop empty regions and recount", () => {
    const some = DEMO.stamps.filter((s) => s.stamp.id === "use-01" || s.stamp.id === "syd-01");
    const summaries = regionSummaries(DEMO.regions, some);
    expect(summaries.map((r) => [r.region.id, r.stampCount, r.capacity.totalUnits])).toEqual([
      ["aws-us-east-1", 1, 1200],
      ["azure-australiaeast", 1, 400],
    ]);
  });

  test("providers add up their regions", () => {
    const providers = providerSummaries(DEMO.regions);
    expect(providers.map((p) => [p.provider, p.regionCount, p.stampCount])).toEqual([
      ["aws", 2, 4],
      ["azure", 2, 3],
      ["gcp", 1, 1],
    ]);
    expect(sumCapacity(DEMO.stamps)).toEqual(
      providers.reduce(
        (t, p) => ({ totalUnits: t.totalUnits + p.capacity.totalUnits, usedUnits: t.usedUnits + p.capacity.usedUnits }),
        { totalUnits: 0, usedUnits: 0 },
      ),
    );
  });

  test("hottest stamps and regions come first; retired stamps are left out", () => {
    expect(hottestStamps(DEMO.stamps, 3).map((s) => s.stamp.id)).toEqual(["syd-01", "fra-01", "tyo-01"]);
    const retired = DEMO.stamps.map((s) => (s.stamp.id === "syd-01" ? { ...s, stamp: { ...s.stamp, status: "retired" as const } } : s));
    expect(hottestStamps(retired, 1)[0].stamp.id).toBe("fra-01");
    expect(regionsByUtilization(DEMO.regions)[0].region.id).toBe("azure-australiaeast");
  });

  test("histogram bins are 1, 2 or 5 × 10^n wide, at most 8, and count every stamp", () => {
    expect(tenantHistogram([])).toEqual([]);
    const demo = tenantHistogram(DEMO.stamps);
    expect(demo.map((b) => [b.from, b.to])).toEqual([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11]]);
    expect(demo.reduce((n, b) => n + b.count, 0)).toBe(DEMO.stamps.length);
    const wide = tenantHistogram(withTenants([0, 3, 399, 120]));
    expect(wide).toHaveLength(8);
    expect(wide[0]).toEqual({ from: 0, to: 49, count: 2 });
    expect(wide[7]).toEqual({ from: 350, to: 399, count: 1 });
    expect(tenantHistogram(withTenants([0, 0]))).toEqual([{ from: 0, to: 0, count: 2 }]);
  });

  test("health counts and per-region notes", () => {
    const health = {
      "use-01": check("use-01", "unreachable"),
      "use-02": check("use-02", "degraded"),
      "weu-01": check("weu-01", "healthy"),
    };
    const counts = conditionCounts(DEMO.stamps, health);
    expect(counts).toEqual({ healthy: 1, degraded: 1, unreachable: 1, provisioning: 0, unknown: 5 });
    expect([...unhealthyNotes(DEMO.stamps, health)]).toEqual([["aws-us-east-1", "1 unreachable, 1 degraded"]]);
  });
});

describe("free units in words", () => {
  test("counts free units as the tables do and names the reserve", () => {
    expect(freeAfterWords(37, 120)).toBe("157 units free after, 37 above the 120-unit reserve");
  });
});
