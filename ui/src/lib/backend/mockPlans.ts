// A SIMPLIFIED mock of the Rust offline plans (crates/fleet-ops/src/planning.rs,
// plan_views.rs and plan_apply.rs), for the browser preview and tests only: plans
// live in memory; a plan's projection is mockPlanProjection.ts over the live mock
// fleet; applying runs one action per timer tick (the moves' `?moveTick=MS`) straight
// on the mock fleet (no move journal, no provisioning steps), and `?moveHold=1` holds
// a fresh apply in its first action until it is paused. The catalogue version is a
// counter the mock bumps on every fleet change (the drift a plan shows).
import type {
  ApplyState,
  PlanAction,
  PlanApplyProgress,
  PlanApplyStatus,
  PlanCheck,
  PlanDetail,
  PlanSummary,
} from "../../generated/bindings";
import { slugProblem } from "../stampId";
import { BackendError } from "./backend";
import { MOCK_ENDPOINT } from "./mockFleet";
import type { MoveSpeed } from "./mockMoves";
import { normalizeAction, planFileText, planProblem, readPlanFile, type StoredPlan } from "./mockPlanFile";
import { applyAction, describeAction, projectPlan, type MockFleet } from "./mockPlanProjection";

type Apply = { state: ApplyState; next: number; detail: string; running: boolean; pause: boolean; release: (() => void) | null };

const quoted = (name: string) => JSON.stringify(name);

/** Ids the backend would refuse to read in an action (the field named). */
function actionProblem(action: PlanAction): string | null {
  const ids: [string, string | undefined][] =
    action.action === "moveTenant"
      ? [["tenant", action.tenant], ["to", action.to]]
      : action.action === "onboardTenant"
        ? [["tenant.id", action.tenant.id], ["stamp", action.stamp]]
        : [["stamp", action.stamp]];
  for (const [field, id] of ids) {
    const problem = id === undefined ? null : id === "" ? "must not be empty" : slugProblem(id);
    if (problem) return `action.${field}: ${problem}`;
  }
  if (action.action === "addStamp" && (action.region === "" || action.template === "" || action.version === "")) {
    return "action.region, template and version: must not be empty";
  }
  return null;
}

/** Whether an applied action is already in place (a rerun skips it, as the backend does). */
function alreadyDone(fleet: MockFleet, action: PlanAction): boolean {
  const stamp = (id: string) => fleet.overview.stamps.find((s) => s.stamp.id === id);
  const tenant = (id: string) => fleet.tenants.find((t) => t.tenant.id === id);
  switch (action.action) {
    case "addStamp":
      return stamp(action.stamp) !== undefined;
    case "onboardTenant":
      return tenant(action.tenant.id)?.stamp != null;
    case "moveTenant":
      return tenant(action.tenant)?.stamp === action.to;
    case "retireStamp":
      return stamp(action.stamp)?.stamp.status === "retired";
    default:
      return false;
  }
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
        : { state: "running", next: 0, detail: "", running: false, pause: false, release: null };
    Object.assign(apply, { state: "running", detail: "", running: true, pause: false });
    this.applies.set(name, apply);
    const fresh = apply.next === 0;
    const stop = (state: ApplyState, detail: string, message: string) => {
      Object.assign(apply, { state, detail });
      return new BackendError("conflict", message);
    };
    try {
      if (fresh) {
        const list = this.check(name).conflicts.map((c) => (c.action === null ? c.message : `action ${c.action + 1}: ${c.message}`));
        if (list.length > 0) {
          throw stop("failed", list.join("\n"), `plan ${quoted(name)} cannot be applied as it is:\n  ${list.join("\n  ")}`);
        }
      }
      const total = plan.actions.length;
      for (let i = apply.next; i < total; i++) {
        if (apply.pause) {
          throw stop("paused", `paused before action ${i + 1}`, `plan ${quoted(name)} paused before action ${i + 1} of ${total}; apply it again to go on`);
        }
        onProgress({ plan: name, done: i, total, message: `action ${i + 1} of ${total}` });
        await this.tick(apply, fresh && i === 0);
        const problem = this.run(plan.actions[i]);
        if (problem) {
          throw stop("failed", `action ${i + 1}: ${problem}`, `plan ${quoted(name)} stopped at action ${i + 1} of ${total}: ${problem}; apply it again to go on`);
        }
        apply.next = i + 1;
        this.onChange();
      }
      Object.assign(apply, { state: "applied", detail: "" });
      const done: PlanApplyProgress = { plan: name, done: total, total, message: "applied" };
      onProgress({ ...done });
      return done;
    } finally {
      apply.running = false;
      apply.release = null;
    }
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
  }
}
