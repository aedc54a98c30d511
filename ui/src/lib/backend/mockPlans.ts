// A SIMPLIFIED mock of the Rust offline plans (crates/fleet-ops/src/planning.rs,
// plan_views.rs and plan_apply.rs), for the browser preview and tests only: plans
// live in memory; a plan's projection is mockPlanProjection.ts over the live mock
// fleet; applying runs one action per timer tick (the moves' `?moveTick=MS`) straight
// on the mock fleet (no move journal, no provisioning steps), and `?moveHold=1` holds
// a fresh apply in its first action until it is paused. An apply the backend resumed
// at start (`resume`, see mockResumedApply.ts) runs the same way, on its own. The
// catalogue version is a counter the mock bumps on every fleet change (the drift a
// plan shows).
import type {
  ApplyState,
  PlanAction,
  PlanApplyProgress,
  PlanApplyStatus,
  PlanCheck,
  PlanDetail,
  PlanSummary,
} from "../../generated/bindings";
import { BackendError } from "./backend";
import { MOCK_ENDPOINT } from "./mockFleet";
import type { MoveSpeed } from "./mockMoves";
import { actionProblem, alreadyDone } from "./mockPlanActions";
import { normalizeAction, planFileText, planProblem, readPlanFile, type StoredPlan } from "./mockPlanFile";
import { applyAction, describeAction, projectPlan, type MockFleet } from "./mockPlanProjection";

type Apply = {
  state: ApplyState;
  next: number;
  detail: string;
  running: boolean;
  pause: boolean;
  release: (() => void) | null;
  /** A resumed apply waits for this (the plan's detail asked for, or a pause) before its next action. */
  viewed: (() => void) | null;
};

const quoted = (name: string) => JSON.stringify(name);

/** Ends an apply in `state`; the error its caller gets. */
function stop(apply: Apply, state: ApplyState, detail: string, message: string): BackendError {
  Object.assign(apply, { state, detail });
  return new BackendError("conflict", message);
}

export class MockPlans {
  private plans = new Map<string, StoredPlan>();
  private applies = new Map<string, Apply>();

  constructor(
    private readonly fleet: () => MockFleet,
    /** The catalogue's version now (bumped on every change). */
    private readonly version: () => number,
    private readonly speed: MoveSpeed,
    /** Runs after every action an apply carried out. */
    private readonly onChange: () => void,
  ) {}

  private plan(name: string): StoredPlan {
    const plan = this.plans.get(name);
    if (!plan) throw new BackendError("invalid_input", `no plan named ${quoted(name)}`);
    return plan;
  }

  private status(plan: StoredPlan): PlanApplyStatus | null {
    const apply = this.applies.get(plan.name);
    if (!apply) return null;
    const total = plan.actions.length;
    const detail = apply.state === "paused" || apply.state === "failed" ? apply.detail : "";
    return { state: apply.state, done: Math.min(apply.next, total), total, detail };
  }

  private save(plan: StoredPlan): void {
    const problem = planProblem(plan);
    if (problem) throw new BackendError("invalid_input", problem);
    this.plans.set(plan.name, plan);
  }

  /** Refuses to edit a plan an apply has started on and not finished. */
  private editable(plan: StoredPlan): StoredPlan {
    const status = this.status(plan);
    if (status && status.state !== "applied" && status.done > 0) {
      throw new BackendError(
        "conflict",
        `plan ${quoted(plan.name)} is applied up to action ${status.done} of ${status.total}: finish applying it before editing it`,
      );
    }
    if (status?.state === "running") throw new BackendError("conflict", `plan ${quoted(plan.name)} is being applied`);
    return plan;
  }

  list(): PlanSummary[] {
    return [...this.plans.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((plan) => ({ name: plan.name, baseVersion: plan.baseVersion, actions: plan.actions.length, apply: this.status(plan) }));
  }

  detail(name: string): PlanDetail {
    const plan = this.plan(name);
    const { projection, after } = projectPlan(this.fleet(), plan.actions);
    // A resumed apply goes on once it is looked at (not before this answer: it waits a tick).
    this.applies.get(name)?.viewed?.();
    return structuredClone({
      name: plan.name,
      baseVersion: plan.baseVersion,
      changesSinceBase: Math.max(0, this.version() - plan.baseVersion),
      steps: plan.actions.map((action) => ({ description: describeAction(action), action })),
      projection,
      after,
      apply: this.status(plan),
    });
  }

  create(name: string): PlanDetail {
    const plan: StoredPlan = { name, baseVersion: this.version(), actions: [] };
    const problem = planProblem(plan);
    if (problem) throw new BackendError("invalid_input", problem);
    if (this.plans.has(name)) throw new BackendError("conflict", `a plan named ${quoted(name)} exists already`);
    this.save(plan);
    return this.detail(name);
  }

  append(name: string, actions: readonly PlanAction[]): PlanDetail {
    const plan = this.editable(this.plan(name));
    for (const action of actions) {
      const problem = actionProblem(action);
      if (problem) throw new BackendError("invalid_input", problem);
    }
    this.save({ ...plan, actions: [...plan.actions, ...actions.map(normalizeAction)] });
    return this.detail(name);
  }

  remove(name: string, index: number): PlanDetail {
    const plan = this.editable(this.plan(name));
    if (!Number.isInteger(index) || index < 0 || index >= plan.actions.length) {
      throw new BackendError(
        "invalid_input",
        `plan ${quoted(name)} has ${plan.actions.length} action(s): there is no action ${index + 1}`,
      );
    }
    this.save({ ...plan, actions: plan.actions.filter((_, i) => i !== index) });
    return this.detail(name);
  }

  delete(name: string): void {
    const plan = this.plan(name);
    if (this.status(plan)?.state === "running") {
      throw new BackendError("conflict", `plan ${quoted(name)} is being applied: pause it first`);
    }
    this.plans.delete(name);
    this.applies.delete(name);
  }

  exportText(name: string): string {
    return planFileText(this.plan(name));
  }

  importText(file: string, text: string): PlanDetail {
    const plan = readPlanFile(file, text);
    if (this.plans.has(plan.name)) throw new BackendError("conflict", `a plan named ${quoted(plan.name)} exists already`);
    this.save(plan);
    return this.detail(plan.name);
  }

  /** The projection's warnings are the conflicts (the mock asks no stamp for its health). */
  check(name: string): PlanCheck {
    const { projection, changesSinceBase } = this.detail(name);
    return { conflicts: projection.warnings, changesSinceBase };
  }

  /** Checks (on a fresh apply), then runs the plan from where a previous apply stopped. */
  async apply(name: string, onProgress: (progress: PlanApplyProgress) => void): Promise<PlanApplyProgress> {
    const plan = this.plan(name);
    const previous = this.applies.get(name);
    if (previous?.running) throw new BackendError("conflict", `plan ${quoted(name)} is being applied already`);
    const apply: Apply =
      previous && previous.state !== "applied"
        ? previous
        : { state: "running", next: 0, detail: "", running: false, pause: false, release: null, viewed: null };
    Object.assign(apply, { state: "running", detail: "", running: true, pause: false });
    this.applies.set(name, apply);
    const fresh = apply.next === 0;
    try {
      if (fresh) {
        const list = this.check(name).conflicts.map((c) => (c.action === null ? c.message : `action ${c.action + 1}: ${c.message}`));
        if (list.length > 0) {
          throw stop(apply, "failed", list.join("\n"), `plan ${quoted(name)} cannot be applied as it is:\n  ${list.join("\n  ")}`);
        }
      }
      return await this.carryOut(plan, apply, onProgress, fresh);
    } finally {
      apply.running = false;
      apply.release = null;
    }
  }

  /**
   * A plan whose apply the backend resumed at start (it was killed `done` actions in):
   * those actions are on the fleet already; the apply is "running" and goes on by
   * itself, one action per tick, once the plan's detail is first asked for (so a
   * window always sees it running, however long the page took to load).
   */
  resume(plan: StoredPlan, done: number): void {
    if (this.plans.has(plan.name)) throw new BackendError("conflict", `a plan named ${quoted(plan.name)} exists already`);
    this.save(plan);
    for (const action of plan.actions.slice(0, done)) {
      const problem = this.run(action);
      if (problem) throw new BackendError("internal", `cannot resume plan ${quoted(plan.name)}: ${problem}`);
      this.onChange();
    }
    const apply: Apply = { state: "running", next: done, detail: "", running: true, pause: false, release: null, viewed: null };
    this.applies.set(plan.name, apply);
    const viewed = new Promise<void>((resolve) => (apply.viewed = resolve));
    void viewed
      .then(() => {
        apply.viewed = null;
        return this.carryOut(plan, apply, () => {}, false);
      })
      // How it ended is in the apply's state (as after a restart, nobody awaits it).
      .catch(() => {})
      .finally(() => {
        apply.running = false;
        apply.release = null;
      });
  }

  /** Runs the plan's actions from `apply.next` on, one per tick, until done, paused or failed. */
  private async carryOut(
    plan: StoredPlan,
    apply: Apply,
    onProgress: (progress: PlanApplyProgress) => void,
    fresh: boolean,
  ): Promise<PlanApplyProgress> {
    const name = plan.name;
    const total = plan.actions.length;
    for (let i = apply.next; i < total; i++) {
      if (apply.pause) {
        throw stop(apply, "paused", `paused before action ${i + 1}`, `plan ${quoted(name)} paused before action ${i + 1} of ${total}; apply it again to go on`);
      }
      onProgress({ plan: name, done: i, total, message: `action ${i + 1} of ${total}` });
      await this.tick(apply, fresh && i === 0);
      const problem = this.run(plan.actions[i]);
      if (problem) {
        throw stop(apply, "failed", `action ${i + 1}: ${problem}`, `plan ${quoted(name)} stopped at action ${i + 1} of ${total}: ${problem}; apply it again to go on`);
      }
      apply.next = i + 1;
      this.onChange();
    }
    Object.assign(apply, { state: "applied", detail: "" });
    const done: PlanApplyProgress = { plan: name, done: total, total, message: "applied" };
    onProgress({ ...done });
    return done;
  }

  /** An action takes one tick; a held one waits until the apply is paused. */
  private tick(apply: Apply, holdable: boolean): Promise<void> {
    if (this.speed.hold && holdable && !apply.pause) return new Promise((resolve) => (apply.release = resolve));
    return new Promise((resolve) => setTimeout(resolve, this.speed.tickMs));
  }

  /** Carries out one action on the live fleet; why it failed, or null. */
  private run(action: PlanAction): string | null {
    const fleet = this.fleet();
    if (alreadyDone(fleet, action)) return null;
    const problems = applyAction(fleet, action, []);
    if (action.action === "addStamp") {
      const added = fleet.overview.stamps.find((s) => s.stamp.id === action.stamp);
      if (added && added.stamp.endpoint === null) added.stamp.endpoint = MOCK_ENDPOINT;
    }
    // A drain leaves pinned tenants and those nothing can take where they are: not a failure.
    if (action.action === "drainStamp") return problems.find((p) => p.startsWith("no stamp")) ?? null;
    return problems[0] ?? null;
  }

  /** Asks a running apply to stop before its next action. */
  pause(name: string): void {
    this.plan(name);
    const apply = this.applies.get(name);
    if (!apply?.running) throw new BackendError("conflict", `plan ${quoted(name)} is not being applied`);
    apply.pause = true;
    apply.release?.();
    apply.viewed?.();
  }
}
