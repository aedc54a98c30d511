import { describe, expect, it } from "vitest";
import type { FleetOverview, MovePhase, MoveTargets, MoveView, OperationState } from "../../generated/bindings";
import demoOverview from "../../generated/demo-overview.json";
import { initialChoice, movesBackable, presetOf, targetChoices } from "./targets";

const DEMO = demoOverview as FleetOverview;
const regions = DEMO.regions.map((r) => r.region);

const targets: MoveTargets = {
  tenant: "a-datum-prod",
  from: "weu-01",
  passing: ["weu-02", "fra-01"],
  decision: {
    outcome: { kind: "place", stamp: "weu-02", reason: "best" },
    ranked: [],
    rejectedByRule: [],
    rejected: [
      { stamp: "use-02", rule: "notActive", reason: "stamp is draining, not active" },
      { stamp: "syd-01", rule: "residency", reason: "outside the residency" },
      { stamp: "weu-01", rule: "capacity", reason: "its own stamp" },
    ],
  },
};

describe("move targets", () => {
  it("lists passing stamps first with their region, then the refused ones with reasons, never the own stamp", () => {
    const c = targetChoices(targets, DEMO.stamps, regions);
    expect(c.passing.map((o) => o.stamp)).toEqual(["weu-02", "fra-01"]);
    expect(c.passing[0].region).toBe(regions.find((r) => r.id === "azure-westeurope")?.displayName);
    expect(c.refused.map((o) => [o.stamp, o.rule])).toEqual([["use-02", "notActive"], ["syd-01", "residency"]]);
    expect(c.refused[1].reason).toBe("outside the residency");
  });

  it("resolves a preset target: passing, refused with its reason, the own stamp, unknown", () => {
    const c = targetChoices(targets, DEMO.stamps, regions);
    expect(presetOf(c, "weu-01", null)).toEqual({ kind: "none" });
    expect(presetOf(c, "weu-01", "fra-01")).toEqual({ kind: "passing", stamp: "fra-01" });
    expect(presetOf(c, "weu-01", "syd-01")).toEqual({ kind: "refused", stamp: "syd-01", reason: "outside the residency" });
    expect(presetOf(c, "weu-01", "weu-01")).toEqual({ kind: "current", stamp: "weu-01" });
    expect(presetOf(c, "weu-01", "nope-01")).toEqual({ kind: "unknown", stamp: "nope-01" });
  });

  it("selects a passing preset, else the best target; nothing for a refused preset", () => {
    const c = targetChoices(targets, DEMO.stamps, regions);
    expect(initialChoice(c, { kind: "none" })).toBe("weu-02");
    expect(initialChoice(c, { kind: "passing", stamp: "fra-01" })).toBe("fra-01");
    expect(initialChoice(c, { kind: "refused", stamp: "syd-01", reason: "" })).toBeNull();
    expect(initialChoice({ passing: [], refused: [] }, { kind: "none" })).toBeNull();
  });
});

describe("move back", () => {
  const move = (operation: number, tenant: string, state: OperationState, step: MovePhase = "done"): MoveView => ({
    operation,
    tenant,
    from: "weu-01",
    to: "weu-02",
    state,
    step,
    detail: "",
    startedAt: "",
    updatedAt: "",
  });

  it("offers each tenant's newest succeeded move whose source copy is kept, unless the tenant is moving", () => {
    const moves = [move(5, "a", "succeeded"), move(4, "b", "failed", "rolled-back"), move(3, "a", "succeeded"), move(2, "c", "succeeded", "cleaned"), move(1, "d", "succeeded")];
    expect([...movesBackable(moves, [])].sort()).toEqual([1, 5]);
    expect([...movesBackable(moves, ["d"])]).toEqual([5]);
    expect(movesBackable([move(7, "a", "running", "importing")], []).size).toBe(0);
  });
});
