import { describe, expect, it } from "vitest";
import type { StampHealth } from "../generated/bindings";
import { applyHealthUpdate } from "./healthUpdate";

function check(stamp: string, state: StampHealth["state"], checkedAt = 100): StampHealth {
  return {
    stamp,
    state,
    detail: "",
    problem: null,
    fix: null,
    softwareVersion: null,
    templateVersion: null,
    errorRate: null,
    capacityUsed: 10,
    tenantCount: 2,
    checkedAt,
    pushed: true,
  };
}

describe("applyHealthUpdate", () => {
  it("replaces on a full message, merges the changes and drops the stamps gone", () => {
    const first = applyHealthUpdate({ "old-01": check("old-01", "healthy") }, {
      full: true,
      changed: [check("a-01", "healthy"), check("b-01", "healthy")],
      gone: [],
    });
    expect(Object.keys(first).sort()).toEqual(["a-01", "b-01"]);

    const next = applyHealthUpdate(first, { full: false, changed: [check("b-01", "degraded")], gone: ["a-01"] });
    expect(Object.keys(next)).toEqual(["b-01"]);
    expect(next["b-01"].state).toBe("degraded");
    expect(first["a-01"].state).toBe("healthy");
  });

  it("gives back the same object when nothing changed", () => {
    const held = { "a-01": check("a-01", "healthy") };
    expect(applyHealthUpdate(held, { full: false, changed: [], gone: [] })).toBe(held);
  });
});
