import { describe, expect, it } from "vitest";
import type { RolloutView, StampView } from "../generated/bindings";
import { rolloutMarks, versionMatrix, waveRows, withReportedOutdated } from "./rollouts";

function view(phase: RolloutView["state"]["phase"], wave: number, states: [string, number, string][]): RolloutView {
  return {
    id: 1,
    journal: "running",
    startedAt: "",
    updatedAt: "",
    state: {
      spec: {
        template: "standard",
        targetVersion: "1.5.0",
        waves: [
          { name: "canary", stamps: [], parallelism: 1 },
          { name: "eu", stamps: [], parallelism: 2 },
          { name: "us", stamps: [], parallelism: 2 },
        ],
        bakeSecs: 0,
        approval: false,
        maxErrorRate: 0.05,
        windows: [],
      },
      phase,
      wave,
      stamps: states.map(([stamp, w, state]) => ({
        stamp,
        region: "r",
        wave: w,
        fromVersion: "1.4.0",
        state: state as never,
        message: "",
      })),
      reason: "",
      bakeUntilMs: null,
    },
  };
}

describe("rollouts", () => {
  it("marks each stamp by its state, a rolled-back stamp as failed", () => {
    const v = view("halted", 1, [["a", 0, "upgraded"], ["b", 1, "rolledBack"], ["c", 1, "upgrading"], ["d", 2, "pending"]]);
    expect(rolloutMarks(v)).toEqual({
      a: "rollout-upgraded",
      b: "rollout-failed",
      c: "rollout-upgrading",
      d: "rollout-pending",
    });
  });

  it("shows the waves done, current, waiting and failed", () => {
    const running = view("running", 1, [["a", 0, "upgraded"], ["b", 1, "upgrading"], ["d", 2, "pending"]]);
    expect(waveRows(running).map((w) => w.status)).toEqual(["done", "current", "waiting"]);
    const halted = view("halted", 1, [["a", 0, "upgraded"], ["b", 1, "rolledBack"], ["d", 2, "pending"]]);
    expect(waveRows(halted).map((w) => w.status)).toEqual(["done", "failed", "waiting"]);
    const done = view("done", 3, [["a", 0, "upgraded"]]);
    expect(waveRows(done).every((w) => w.status === "done")).toBe(true);
  });

  it("counts versions per region, newest first, and flags a stamp reporting another version", () => {
    const stamp = (id: string, region: string, version: string, status = "active"): StampView =>
      ({ stamp: { id, region, template: "standard", templateVersion: version, status } }) as unknown as StampView;
    const regions = [
      { region: { id: "eu", displayName: "Europe" } },
      { region: { id: "us", displayName: "US" } },
      { region: { id: "ap", displayName: "Asia" } },
    ] as never;
    const m = versionMatrix(
      [stamp("a", "eu", "1.4.0"), stamp("b", "eu", "1.10.0"), stamp("c", "us", "1.4.0"), stamp("d", "ap", "1.3.0", "retired")],
      regions,
      { a: { templateVersion: "1.5.0", checkedAt: 20 } as never, b: { templateVersion: "1.4.0", checkedAt: 5 } as never, c: { templateVersion: "1.4.0", checkedAt: 20 } as never },
      10,
    );
    expect(m.versions).toEqual(["standard 1.10.0", "standard 1.4.0"]);
    expect(m.regions.map((r) => r.id)).toEqual(["eu", "us"]);
    expect(m.counts["standard 1.4.0"]).toEqual({ eu: 1, us: 1 });
    // b's report predates the catalogue read: not flagged.
    expect(m.drifted).toEqual([{ stamp: "a", recorded: "1.4.0", reported: "1.5.0" }]);
    // A stamp that pushes its health is current however old its last answer.
    const pushing = versionMatrix(
      [stamp("b", "eu", "1.10.0")],
      regions,
      { b: { templateVersion: "1.4.0", checkedAt: 5, pushed: true } as never },
      10,
    );
    expect(pushing.drifted).toEqual([{ stamp: "b", recorded: "1.10.0", reported: "1.4.0" }]);
  });

  it("judges 'newer version exists' from the version a stamp reports", () => {
    const stamp = (id: string, version: string, outdated: boolean) =>
      ({ stamp: { id, template: "standard", templateVersion: version }, templateOutdated: outdated }) as unknown as StampView;
    const templates = [{ name: "standard", version: "1.4.0" }, { name: "standard", version: "1.5.0" }] as never;
    const stamps = [stamp("a", "1.5.0", false), stamp("b", "1.4.0", true)];
    // a's catalogue says 1.5.0 but it reports 1.4.0: outdated; b reports what is recorded.
    const health = { a: { templateVersion: "1.4.0" }, b: { templateVersion: "1.4.0" } } as never;
    const out = withReportedOutdated(stamps, templates, health);
    expect(out.map((v) => v.templateOutdated)).toEqual([true, true]);
    expect(out[1]).toBe(stamps[1]);
    // Nothing reported differently: the same array.
    expect(withReportedOutdated(stamps, templates, {})).toBe(stamps);
  });
});
