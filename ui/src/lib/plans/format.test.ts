import { describe, expect, it } from "vitest";
import type { ForecastView, PlanApplyStatus, RegionSummary } from "../../generated/bindings";
import {
  applyStateLabel,
  applyStatusLine,
  daysUntilFullOf,
  driftText,
  rebalanceText,
  forecastAddedText,
  refusalLines,
  regionForecastRows,
  resumable,
  warningText,
} from "./format";

const status = (state: PlanApplyStatus["state"], done: number, total: number, detail = ""): PlanApplyStatus => ({
  state,
  done,
  total,
  detail,
});

describe("apply state in words", () => {
  it("for the list and the status line", () => {
    expect(applyStateLabel(null)).toBe("not applied");
    expect(applyStateLabel(status("applied", 4, 4))).toBe("applied");
    expect(applyStateLabel(status("paused", 2, 5))).toBe("paused at 2 of 5");
    expect(applyStateLabel(status("running", 0, 4))).toBe("running 1 of 4");
    expect(applyStateLabel(status("interrupted", 2, 4))).toBe("interrupted at 3 of 4");
    expect(applyStateLabel(status("failed", 1, 4, "action 2: no stamp x"))).toBe("failed at 2");
    expect(applyStatusLine(null)).toBe("Not applied yet.");
    expect(applyStatusLine(status("applied", 4, 4))).toBe("Applied: 4 of 4 actions");
    expect(applyStatusLine(status("applied", 1, 1))).toBe("Applied: 1 of 1 action");
    expect(applyStatusLine(status("paused", 2, 5, "paused before action 3"))).toBe("Paused before action 3 of 5");
    expect(applyStatusLine(status("running", 3, 4))).toBe("Applying: action 4 of 4");
    expect(applyStatusLine(status("interrupted", 2, 4))).toBe(
      "Interrupted before action 3 of 4: the process applying it stopped. It goes on when the app starts again, or on Resume.",
    );
    expect(applyStatusLine(status("failed", 1, 4, "action 2: no stamp x"))).toBe("Failed at action 2: no stamp x");
  });

  it("a refusal's conflicts: the first one and how many more", () => {
    const refused = status("failed", 0, 3, "action 3: no stamp x\nsyd-01 ends at 350 of 400 units");
    expect(applyStatusLine(refused)).toBe("Failed at action 3: no stamp x (and 1 more problem)");
    expect(applyStatusLine(status("failed", 0, 1, "syd-01 ends over"))).toBe("Failed at action 1: syd-01 ends over");
    expect(refusalLines('plan "q3" cannot be applied as it is:\n  action 1: no stamp x\n  syd-01 ends over')).toEqual([
      "Action 1: no stamp x",
      "syd-01 ends over",
    ]);
  });

  it("paused and interrupted plans, and failed ones part way, resume", () => {
    expect(resumable(status("paused", 1, 3))).toBe(true);
    expect(resumable(status("failed", 2, 3))).toBe(true);
    expect(resumable(status("interrupted", 1, 3))).toBe(true);
    expect(resumable(status("failed", 0, 3))).toBe(false);
    expect(resumable(status("applied", 3, 3))).toBe(false);
    expect(resumable(null)).toBe(false);
  });
});

describe("plan words", () => {
  it("warnings, drift, rebalance", () => {
    expect(warningText({ action: 1, message: "no stamp x" })).toBe("Action 2: no stamp x");
    expect(warningText({ action: null, message: "syd-01 ends over" })).toBe("syd-01 ends over");
    expect(driftText(0)).toBeNull();
    expect(driftText(1)).toBe(
      "The catalogue changed 1 time since this plan was made; the projection uses the fleet as it is now.",
    );
    expect(driftText(3)).toMatch(/^The catalogue changed 3 times since/);
    const plan = { limitPercent: 80, moves: [{ tenant: "t", from: "a", to: "b", sizeUnits: 20, distanceKm: 1200 }], movedUnits: 20, lowerBoundMoves: 1, lowerBoundUnits: 12, stampsOverBefore: 1, unresolved: [], crossRegionMoves: 1, distanceKm: 1200 };
    expect(rebalanceText(plan)).toBe(
      "Proposed 1 move, 20 units moved; lower bound 1 move, 12 units; across regions: 1 of 1 move (1,200 km in all)",
    );
    expect(rebalanceText({ ...plan, moves: [], crossRegionMoves: 0, distanceKm: 0 })).toBe(
      "Proposed 0 moves, 20 units moved; lower bound 1 move, 12 units",
    );
    expect(forecastAddedText(0, 90)).toBe(
      "The forecast adds no stamps: no region runs out within 90 days, counting the stamps this plan adds.",
    );
    expect(forecastAddedText(1, 90)).toBe("The forecast added 1 stamp to the plan.");
  });
});

describe("forecast words", () => {
  const regions = [
    { region: { id: "a", displayName: "Alpha" } },
    { region: { id: "b", displayName: "Beta" } },
  ] as RegionSummary[];
  const forecast: ForecastView = {
    stamps: [
      { stamp: "a-01", region: "a", growthPerDay: 5, daysUntilFull: 12.4 },
      { stamp: "a-02", region: "a", growthPerDay: 0, daysUntilFull: null },
      { stamp: "b-01", region: "b", growthPerDay: null, daysUntilFull: null },
      { stamp: "c-01", region: "c", growthPerDay: 2, daysUntilFull: 0 },
    ],
    regions: [
      { region: "b", growthPerDay: 0, daysUntilFull: null, freeUnits: 100 },
      { region: "a", growthPerDay: 5, daysUntilFull: 40.6, freeUnits: 203 },
      { region: "c", growthPerDay: 2, daysUntilFull: 0.2, freeUnits: 0.4 },
    ],
    proposals: [],
  };

  it("regions soonest full first, then those not growing", () => {
    expect(regionForecastRows(forecast, regions).map((r) => r.text)).toEqual([
      "Region c: full now",
      "Region Alpha: full in about 41 days",
      "Region Beta: not growing",
    ]);
  });

  it("days until full for growing stamps only", () => {
    expect(daysUntilFullOf(forecast)).toEqual({ "a-01": 12.4, "c-01": 0 });
  });
});
