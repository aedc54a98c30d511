import { describe, expect, it } from "vitest";
import type { PlanProjection, StampProjection } from "../generated/bindings";
import { changeText, overUntouched, planChanges, planMarks } from "./planMarks";

function stamp(id: string, change: Partial<StampProjection> = {}): StampProjection {
  return {
    stamp: id,
    region: "r",
    statusBefore: "active",
    statusAfter: "active",
    usedBefore: 100,
    usedAfter: 100,
    capacityBefore: 1000,
    capacityAfter: 1000,
    tenantsBefore: 2,
    tenantsAfter: 2,
    overReserveAfter: false,
    versionBefore: "1.4.0",
    versionAfter: "1.4.0",
    rolloutWave: null,
    ...change,
  };
}

const projection = (stamps: StampProjection[], moves: PlanProjection["moves"] = []): PlanProjection => ({
  stamps,
  moves,
  warnings: [],
});

describe("plan marks", () => {
  it("marks new, changed and over-reserve stamps; leaves the others alone", () => {
    const marks = planMarks(
      projection([
        stamp("same"),
        stamp("fra-02", { statusBefore: null, usedBefore: 0, capacityBefore: 0, tenantsBefore: 0, usedAfter: 120, capacityAfter: 800, tenantsAfter: 3 }),
        stamp("drained", { statusAfter: "draining" }),
        stamp("bigger", { capacityAfter: 2000 }),
        stamp("fuller", { usedAfter: 900, overReserveAfter: true }),
        stamp("new-full", { statusBefore: null, overReserveAfter: true }),
      ]),
    );
    expect(marks).toEqual({ "fra-02": "new", drained: "changed", bigger: "changed", fuller: "over-reserve", "new-full": "over-reserve" });
  });

  it("a stamp named in a move is changed even when its numbers end the same (a swap)", () => {
    const marks = planMarks(
      projection([stamp("a"), stamp("b"), stamp("c")], [
        { tenant: "t1", from: "a", to: "b" },
        { tenant: "t2", from: null, to: "c" },
      ]),
    );
    expect(marks).toEqual({ a: "changed", b: "changed", c: "changed" });
  });

  it("an over-reserve stamp the plan leaves alone is still marked (the plan does not fix it)", () => {
    expect(planMarks(projection([stamp("syd-01", { overReserveAfter: true })]))).toEqual({ "syd-01": "over-reserve" });
    expect(planMarks(projection([]))).toEqual({});
  });
});

describe("plan changes in words", () => {
  it("a new stamp: its load and tenants from 0", () => {
    const s = stamp("fra-02", { statusBefore: null, usedBefore: 0, capacityBefore: 0, tenantsBefore: 0, usedAfter: 120, capacityAfter: 800, tenantsAfter: 3 });
    expect(changeText(s)).toBe("fra-02 (new): 0 → 120 of 800 units, 0 → 3 tenants");
  });

  it("status, capacity and counts that change get an arrow; the rest do not", () => {
    expect(changeText(stamp("weu-01", { statusAfter: "draining", usedAfter: 40, tenantsAfter: 1 }))).toBe(
      "weu-01: active → draining, 100 → 40 of 1,000 units, 2 → 1 tenants",
    );
    expect(changeText(stamp("x", { capacityAfter: 1200 }))).toBe("x: 100 of 1,000 → 1,200 units, 2 tenants");
    expect(changeText(stamp("y", { tenantsBefore: 1, tenantsAfter: 1 }))).toBe("y: 100 of 1,000 units, 1 tenant");
  });

  it("an empty plan changes nothing; a stamp already over is named apart, not as a change", () => {
    const untouched = projection([stamp("a"), stamp("syd-01", { overReserveAfter: true })]);
    expect(planChanges(untouched)).toEqual([]);
    expect(overUntouched(untouched)).toEqual(["syd-01"]);
  });

  it("lists only marked stamps, flagging those over the reserve", () => {
    const changes = planChanges(projection([stamp("a"), stamp("b", { usedAfter: 900, overReserveAfter: true })]));
    expect(changes).toEqual([{ stamp: "b", mark: "over-reserve", text: "b: 100 → 900 of 1,000 units, 2 tenants", over: true }]);
  });

  it("marks a stamp a planned rollout upgrades, and says in which wave", () => {
    const s = stamp("tyo-01", { versionAfter: "1.5.0", rolloutWave: 1 });
    expect(planMarks(projection([s, stamp("weu-01")]))).toEqual({ "tyo-01": "changed" });
    expect(changeText(s)).toBe("tyo-01: 100 of 1,000 units, 2 tenants, version 1.4.0 → 1.5.0 in wave 2");
  });
});
