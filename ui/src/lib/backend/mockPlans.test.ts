import { describe, expect, it } from "vitest";
import type { PlanAction, PlanApplyProgress } from "../../generated/bindings";
import { createMockBackend } from "./mock";
import { forecastMock, rebalanceMock } from "./mockForecast";
import { RESUMED_ACTIONS, resumedApplyFrom } from "./mockResumedApply";
import demoOverview from "../../generated/demo-overview.json";
import demoTenants from "../../generated/demo-tenants.json";
import type { FleetOverview, TenantView } from "../../generated/bindings";

const FAST = { tickMs: 0, hold: false };
const SYD_02: PlanAction = { action: "addStamp", stamp: "syd-02", region: "azure-australiaeast", template: "standard", version: "1.4.0" };
const MOVE: PlanAction = { action: "moveTenant", tenant: "alpine-ski-house-prod", to: "syd-02" };

async function planned(speed = FAST, actions: PlanAction[] = [SYD_02, MOVE]) {
  const backend = createMockBackend("demo", speed);
  await backend.newPlan("q3");
  for (const action of actions) await backend.addPlanAction("q3", action);
  return backend;
}

describe("mock plans", () => {
  it("creates, lists, edits and deletes plans; names are checked", async () => {
    const backend = await planned();
    expect(await backend.listPlans()).toEqual([{ name: "q3", baseVersion: 1, actions: 2, apply: null }]);
    await expect(backend.newPlan("q3")).rejects.toMatchObject({ code: "conflict", message: 'a plan named "q3" exists already' });
    await expect(backend.newPlan("  ")).rejects.toThrow(/^plan\.name: must be 1 to 100 characters/);
    const detail = await backend.removePlanAction("q3", 0);
    expect(detail.steps.map((s) => s.description)).toEqual(["move alpine-ski-house-prod to syd-02"]);
    expect(detail.projection.warnings[0]).toEqual({ action: 0, message: "no stamp syd-02" });
    await expect(backend.removePlanAction("q3", 5)).rejects.toThrow("there is no action 6");
    await backend.deletePlan("q3");
    expect(await backend.listPlans()).toEqual([]);
    await expect(backend.planDetail("q3")).rejects.toThrow('no plan named "q3"');
  });

  it("applies a plan action by action; the live fleet then holds the new stamp; drift shows", async () => {
    const backend = await planned();
    expect(await backend.checkPlan("q3")).toEqual({ conflicts: [], changesSinceBase: 0 });
    const reports: PlanApplyProgress[] = [];
    const done = await backend.applyPlan("q3", (p) => reports.push(p));
    expect(done).toEqual({ plan: "q3", done: 2, total: 2, message: "applied" });
    expect(reports.map((r) => r.done)).toEqual([0, 1, 2]);
    const live = await backend.fleetOverview();
    expect(live.stamps.find((s) => s.stamp.id === "syd-02")).toMatchObject({ tenantCount: 1, capacity: { usedUnits: 46 } });
    expect(live.stamps.find((s) => s.stamp.id === "syd-02")?.stamp.endpoint).not.toBeNull();
    const detail = await backend.planDetail("q3");
    expect(detail.apply).toEqual({ state: "applied", done: 2, total: 2, detail: "" });
    expect(detail.changesSinceBase).toBe(2);
    expect((await backend.listPlans())[0].apply?.state).toBe("applied");
  });

  it("refuses a plan with conflicts, listing them; nothing changes", async () => {
    const backend = await planned(FAST, [{ action: "moveTenant", tenant: "contoso-prod", to: "nope-01" }]);
    const check = await backend.checkPlan("q3");
    expect(check.conflicts.map((c) => c.action)).toEqual([0]);
    await expect(backend.applyPlan("q3", () => {})).rejects.toMatchObject({
      code: "conflict",
      message: 'plan "q3" cannot be applied as it is:\n  action 1: no stamp nope-01',
    });
    expect((await backend.planDetail("q3")).apply).toMatchObject({ state: "failed", done: 0 });
    await backend.addPlanAction("q3", SYD_02);
  });

  it("pauses before the next action (held), refuses edits half way, and resumes to the end", async () => {
    const backend = await planned({ tickMs: 0, hold: true });
    let started!: () => void;
    const first = new Promise<void>((resolve) => (started = resolve));
    const outcome = backend.applyPlan("q3", () => started()).catch((e: Error) => e.message);
    await first;
    expect((await backend.planDetail("q3")).apply).toMatchObject({ state: "running", done: 0 });
    await expect(backend.deletePlan("q3")).rejects.toThrow("pause it first");
    await backend.pausePlan("q3");
    expect(await outcome).toBe('plan "q3" paused before action 2 of 2; apply it again to go on');
    expect((await backend.planDetail("q3")).apply).toEqual({ state: "paused", done: 1, total: 2, detail: "paused before action 2" });
    await expect(backend.addPlanAction("q3", SYD_02)).rejects.toThrow("applied up to action 1 of 2");
    await expect(backend.pausePlan("q3")).rejects.toThrow("is not being applied");
    const reports: number[] = [];
    expect(await backend.applyPlan("q3", (p) => reports.push(p.done))).toMatchObject({ done: 2, total: 2 });
    expect(reports).toEqual([1, 2]);
  });

  it("exports a file that imports again; a changed or malformed file is refused naming the field", async () => {
    const backend = await planned();
    const text = await backend.exportPlan("q3");
    const file = JSON.parse(text);
    expect(file).toMatchObject({ schemaVersion: 1, plan: { name: "q3", actions: [SYD_02, MOVE] } });
    expect(file.digest).toMatch(/^[0-9a-f]{64}$/);
    await expect(backend.importPlan("q3.json", text)).rejects.toThrow('a plan named "q3" exists already');
    await backend.deletePlan("q3");
    expect((await backend.importPlan("q3.json", text)).steps).toHaveLength(2);

    const refused = (change: (f: typeof file) => unknown) =>
      backend.importPlan("x.json", JSON.stringify(change(structuredClone(file)))).catch((e) => e.message);
    expect(await refused((f) => ({ ...f, plan: { ...f.plan, name: "other" } }))).toMatch(/^x\.json: digest: does not match the plan/);
    expect(await refused((f) => ({ ...f, schemaVersion: undefined }))).toBe("x.json: schemaVersion: missing: this is not a Stampfleet plan file");
    expect(await refused((f) => ({ ...f, plan: { ...f.plan, baseVersion: "one" } }))).toBe("x.json: plan.baseVersion: expected a whole number");
    expect(await refused((f) => ({ ...f, extra: 1 }))).toBe("x.json: .: unknown field `extra`");
    expect(await refused((f) => ((f.plan.actions[1].to = 7), f))).toBe("x.json: plan.actions[1].to: expected a non-empty string");
    expect(await refused((f) => ((f.plan.actions[0].action = "nuke"), f))).toBe('x.json: plan.actions[0].action: unknown action "nuke"');
    await expect(backend.importPlan("x.json", "{")).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("rebalance and forecast append their proposals to a plan", async () => {
    const backend = await planned(FAST, []);
    const [detail, proposal] = await backend.planRebalance("q3", 60);
    expect(detail.steps).toHaveLength(proposal.moves.length);
    expect(proposal.moves.length).toBeGreaterThan(0);
    const withForecast = await backend.planForecast("q3", 30, 90);
    expect(withForecast.steps.slice(proposal.moves.length).map((s) => s.action.action)).toContain("addStamp");
    await expect(backend.planRebalance("q3", 0)).rejects.toThrow("must be between 1 and 100");
  });

  it("start local stamps starts the stopped ones and reports them", async () => {
    const backend = createMockBackend("demo", FAST, ["weu-01", "nope"]);
    const pushes: string[][] = [];
    await backend.watchHealth((checks) => pushes.push(checks.filter((c) => c.state !== "healthy").map((c) => c.stamp)));
    expect((await backend.stampDetail("weu-01")).health.state).toBe("unreachable");
    expect(await backend.startLocalStamps()).toEqual(["weu-01"]);
    expect(await backend.startLocalStamps()).toEqual([]);
    expect((await backend.stampDetail("weu-01")).health.state).not.toBe("unreachable");
    expect(pushes.at(-1)).toEqual([]);
  });
});

describe("mock apply resumed at start (?resumedApply=1)", () => {
  const resumed = () => createMockBackend("demo", FAST, [], true);
  const stamp = async (backend: ReturnType<typeof resumed>, id: string) =>
    (await backend.fleetOverview()).stamps.find((s) => s.stamp.id === id);
  /** Lets the mock's timers run (the ticks are 0 ms here). */
  const ticks = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  };

  it("reads the option", () => {
    expect(resumedApplyFrom("?mock=demo&resumedApply=1")).toBe(true);
    expect(resumedApplyFrom("?mock=demo&resumedApply=0")).toBe(false);
    expect(resumedApplyFrom("?mock=demo")).toBe(false);
  });

  it("starts running with its first action on the fleet; locked like any running apply", async () => {
    const backend = resumed();
    const running = { state: "running", done: 1, total: RESUMED_ACTIONS.length, detail: "" };
    expect(await backend.listPlans()).toEqual([{ name: "resumed", baseVersion: 1, actions: 3, apply: running }]);
    expect((await stamp(backend, "weu-01"))?.capacity.totalUnits).toBe(1200);
    expect(await stamp(backend, "syd-02")).toBeUndefined();
    await expect(backend.applyPlan("resumed", () => {})).rejects.toThrow('plan "resumed" is being applied already');
    await expect(backend.deletePlan("resumed")).rejects.toThrow("pause it first");
    await expect(backend.addPlanAction("resumed", MOVE)).rejects.toThrow("applied up to action 1 of 3");
    // Nobody looked at the plan yet: it waits (a window always sees it running).
    await ticks(5);
    expect((await backend.listPlans())[0].apply).toEqual(running);
  });

  it("goes on by itself, one action per tick, once its detail is asked for, to the end", async () => {
    const backend = resumed();
    expect((await backend.planDetail("resumed")).apply).toMatchObject({ state: "running", done: 1 });
    let apply = (await backend.planDetail("resumed")).apply;
    for (let i = 0; i < 50 && apply?.state === "running"; i++) {
      await ticks(1);
      apply = (await backend.planDetail("resumed")).apply;
    }
    expect(apply).toEqual({ state: "applied", done: 3, total: 3, detail: "" });
    expect(await stamp(backend, "syd-02")).toMatchObject({ tenantCount: 1, capacity: { usedUnits: 46 } });
    expect((await backend.planDetail("resumed")).changesSinceBase).toBe(3);
  });

  it("pauses like an apply this window started, and a window can resume it", async () => {
    const backend = resumed();
    await backend.pausePlan("resumed");
    await ticks(2);
    expect((await backend.planDetail("resumed")).apply).toEqual({ state: "paused", done: 1, total: 3, detail: "paused before action 2" });
    const reports: number[] = [];
    expect(await backend.applyPlan("resumed", (p) => reports.push(p.done))).toMatchObject({ done: 3, total: 3 });
    expect(reports).toEqual([1, 2, 3]);
  });

  it("only on the demo fleet", async () => {
    expect(await createMockBackend("empty", FAST, [], true).listPlans()).toEqual([]);
    expect(await createMockBackend("demo", FAST).listPlans()).toEqual([]);
  });
});

describe("mock forecast and rebalance", () => {
  const overview = demoOverview as FleetOverview;
  const tenants = demoTenants as TenantView[];

  it("a few stamps fill up within 30 days; quiet and inactive stamps do not grow", () => {
    const f = forecastMock(overview, 90);
    const soon = f.stamps.filter((s) => s.daysUntilFull !== null && s.daysUntilFull < 30).map((s) => s.stamp);
    expect(soon.sort()).toEqual(["fra-01", "syd-01", "tyo-01"]);
    expect(f.stamps.find((s) => s.stamp === "weu-01")).toMatchObject({ growthPerDay: 0, daysUntilFull: null });
    expect(f.stamps.find((s) => s.stamp === "use-02")).toMatchObject({ growthPerDay: null, daysUntilFull: null });
    expect(f.proposals.map((p) => p.description)).toEqual([
      "add stamp fra-02 in aws-eu-central-1 (standard@1.4.0)",
      "add stamp syd-02 in azure-australiaeast (standard@1.4.0)",
      "add stamp tyo-02 in gcp-asia-northeast1 (standard@1.4.0)",
    ]);
    expect(forecastMock(overview, 5).proposals).toHaveLength(1);
  });

  it("rebalance: moves what residency allows, says why the rest stays over; the lower bounds", () => {
    const plan = rebalanceMock(overview, tenants, 60);
    expect(plan).toMatchObject({ limitPercent: 60, stampsOverBefore: 3, lowerBoundUnits: 33 + 110 + 11 });
    // Frankfurt's movable tenants may live in the Netherlands too: only coho-winery-staging.
    expect(plan.moves).toEqual([{ tenant: "coho-winery-staging", from: "fra-01", to: "weu-01", sizeUnits: 20 }]);
    expect(plan.movedUnits).toBe(20);
    expect(plan.unresolved.map((u) => u.stamp)).toEqual(["fra-01", "syd-01", "tyo-01"]);
    expect(plan.unresolved[0].reason).toBe("13 unit(s) over 60%: no stamp under the limit can take its movable tenants");
    expect(plan.lowerBoundMoves).toBe(1 + 2 + 1);
    const easy = rebalanceMock(overview, tenants, 99);
    expect(easy).toMatchObject({ stampsOverBefore: 0, moves: [], lowerBoundMoves: 0, unresolved: [] });
  });
});
