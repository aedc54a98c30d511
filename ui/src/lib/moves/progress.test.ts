import { describe, expect, it } from "vitest";
import type { DrainItem, DrainProgress } from "../../generated/bindings";
import { drainVerdict, summarizeDrain } from "./progress";

const item = (tenant: string, state: string, to: string | null = "weu-02"): DrainItem => ({ tenant, to, state, message: "" });
const drain = (items: DrainItem[]): DrainProgress => ({ stamp: "weu-01", items, moved: 0, failed: 0, stays: 0, last: null });

describe("drain progress", () => {
  it("counts each state and the share of the movable tenants done", () => {
    const s = summarizeDrain(
      drain([item("a", "moved"), item("b", "moving"), item("c", "planned"), item("d", "failed"), item("e", "stays", null)]),
    );
    expect(s).toMatchObject({ total: 5, toMove: 4, moved: 1, moving: 1, failed: 1, stays: 1, percent: 50, finished: false });
  });

  it("is finished when nothing is planned or moving; 100% when nothing could move", () => {
    expect(summarizeDrain(drain([item("a", "moved"), item("b", "failed")])).finished).toBe(true);
    const stuck = summarizeDrain(drain([item("a", "stays", null), item("b", "stays", null)]));
    expect(stuck).toMatchObject({ toMove: 0, percent: 100, finished: true });
    expect(summarizeDrain(drain([]))).toMatchObject({ total: 0, percent: 100, finished: true });
  });

  it("sums up the outcome", () => {
    expect(drainVerdict("weu-01", summarizeDrain(drain([item("a", "moved")])))).toBe(
      "Drain of weu-01: 1 moved. weu-01 is empty; placements on it stay stopped: retire it when you are ready.",
    );
    expect(drainVerdict("weu-01", summarizeDrain(drain([item("a", "moved"), item("b", "stays", null), item("c", "failed")])))).toBe(
      "Drain of weu-01: 1 moved, 1 stays, 1 failed. Placements on weu-01 stay stopped; 2 tenant(s) still live on it.",
    );
  });
});
