// A SIMPLIFIED mock of the Rust tenant moves (crates/fleet-ops/src/moves.rs and
// move_views.rs), for the browser preview and tests only: a move plays a fixed
// script of progress reports (importing -> catching-up -> verifying -> done), one
// per timer tick, and flips the tenant's binding at the cut-over. A cancel is
// honoured before "verifying" (the move is rolled back); afterwards only a move
// back undoes it. Moving back within the retention window copies only the changes.
import type {
  FleetOverview,
  MoveProgress,
  MoveTargets,
  MoveView,
  RoutingTable,
  TenantView,
} from "../../generated/bindings";
import { BackendError } from "./backend";
import { type HealthOf, placeMock } from "./mockPlacement";

/** How fast mock moves run: `?moveTick=MS` per report; `?moveHold=1` holds every move in "importing" until cancelled. */
export type MoveSpeed = { tickMs: number; hold: boolean };

export const DEFAULT_MOVE_SPEED: MoveSpeed = { tickMs: 120, hold: false };

export function moveSpeedFrom(search: string): MoveSpeed {
  const params = new URLSearchParams(search);
  const tick = Number(params.get("moveTick"));
  return {
    tickMs: params.has("moveTick") && Number.isFinite(tick) ? Math.min(Math.max(tick, 0), 5000) : DEFAULT_MOVE_SPEED.tickMs,
    hold: params.get("moveHold") === "1",
  };
}

/** Keys a tenant holds per capacity unit, and bytes per key, in the mock. */
const KEYS_PER_UNIT = 1200;
const BYTES_PER_KEY = 512;
/** A move back within the retention window copies only this share of the keys. */
const CHANGED_SHARE = 0.02;

type MoveParams = { operation: number; tenant: string; from: string; to: string };

/** The reports a move sends, in order (the runner plays one per tick). */
export function moveScript(params: MoveParams, sizeUnits: number, cheap: boolean): MoveProgress[] {
  const keys = Math.max(1, Math.round(sizeUnits * KEYS_PER_UNIT * (cheap ? CHANGED_SHARE : 1)));
  const snapshot = Math.round(keys * 0.96);
  const report = (phase: string, percent: number, copiedKeys: number, lag: number, freezeMs: number | null = null) => ({
    ...params,
    phase,
    percent,
    copiedKeys,
    copiedBytes: copiedKeys * BYTES_PER_KEY,
    lag,
    freezeMs,
  });
  return [
    report("importing", 5, 0, 0),
    report("importing", 30, Math.round(snapshot / 2), Math.round(keys * 0.1)),
    report("importing", 60, snapshot, Math.round(keys * 0.03)),
    report("catching-up", 75, keys - 3, 3),
    report("catching-up", 75, keys, 0),
    report("verifying", 85, keys, 0),
    report("done", 100, keys, 0, 30 + Math.round(sizeUnits / 4)),
  ];
}

/** Moves one tenant's binding, keeping both stamps', their regions' and the fleet's counts right. */
export function rebind(overview: FleetOverview, tenants: TenantView[], tenant: string, to: string): void {
  const view = tenants.find((t) => t.tenant.id === tenant);
  const source = overview.stamps.find((s) => s.stamp.id === view?.stamp);
  const target = overview.stamps.find((s) => s.stamp.id === to);
  if (!view || !source || !target) throw new BackendError("internal", `cannot rebind ${tenant} to ${to}`);
  const units = view.tenant.sizeUnits;
  for (const [stamp, sign] of [[source, -1], [target, 1]] as const) {
    stamp.capacity.usedUnits += sign * units;
    stamp.tenantCount += sign;
    const region = overview.regions.find((r) => r.region.id === stamp.stamp.region);
    if (region) {
      region.capacity.usedUnits += sign * units;
      region.tenantCount += sign;
    }
  }
  view.stamp = to;
}

/** The stamps a tenant may move to: placement's ranking, then every other passing stamp; never its own. */
export function moveTargetsOf(overview: FleetOverview, view: TenantView, healthOf: HealthOf): MoveTargets {
  const decision = placeMock(overview, { tenant: view.tenant, preferredRegions: [], home: null, policy: null }, healthOf);
  const rejected = new Set(decision.rejected.map((r) => r.stamp));
  const ranked = decision.ranked.map((s) => s.stamp);
  const rest = overview.stamps.map((s) => s.stamp.id).filter((id) => !ranked.includes(id) && !rejected.has(id));
  const passing = [...ranked, ...rest].filter((id) => id !== view.stamp);
  return { tenant: view.tenant.id, from: view.stamp, passing, decision };
}

type Fleet = { overview: FleetOverview; tenants: TenantView[] };

/** A move in flight: a cancel sets `cancelled` (and releases a held move); the runner rolls it back. */
type Running = { view: MoveView; cancelled: boolean; release: (() => void) | null };

/** The mock's move journal and runner. `onFlip` runs after every cut-over. */
export class MockMoves {
  private journal: MoveView[] = [];
  private running = new Map<number, Running>();
  private routesVersion = 1;

  constructor(
    private readonly fleet: () => Fleet,
    private readonly speed: MoveSpeed,
    private readonly onFlip: () => void,
  ) {}

  private tenantView(tenant: string): TenantView {
    const view = this.fleet().tenants.find((t) => t.tenant.id === tenant);
    if (!view) throw new BackendError("invalid_input", `no tenant ${tenant}`);
    return view;
  }

  targets(tenant: string, healthOf: HealthOf): MoveTargets {
    return moveTargetsOf(this.fleet().overview, this.tenantView(tenant), healthOf);
  }

  /** Checks a move like the backend does (bound, not pinned, the target passes placement), then runs it. */
  move(request: { tenant: string; to: string }, healthOf: HealthOf, onProgress: (p: MoveProgress) => void) {
    const view = this.tenantView(request.tenant);
    const from = view.stamp;
    if (from === null) throw new BackendError("conflict", `${request.tenant} lives on no stamp`);
    if (from === request.to) throw new BackendError("invalid_input", `${request.tenant} already lives on ${from}`);
    if (view.tenant.pinned) {
      throw new BackendError("conflict", `${request.tenant} is pinned to ${from}: unpin it before moving it`);
    }
    const { decision } = this.targets(request.tenant, healthOf);
    const refusal = decision.rejected.find((r) => r.stamp === request.to);
    if (refusal) throw new BackendError("conflict", `${request.to} cannot take ${request.tenant}: ${refusal.reason}`);
    return this.run(view, request.to, onProgress);
  }

  /** Journals and runs a move whose target was already chosen (a drain's). */
  async run(view: TenantView, to: string, onProgress: (p: MoveProgress) => void): Promise<MoveProgress> {
    const tenant = view.tenant.id;
    const from = view.stamp;
    if (from === null) throw new BackendError("conflict", `${tenant} lives on no stamp`);
    const busy = [...this.running.values()].find((r) => r.view.tenant === tenant);
    if (busy) throw new BackendError("conflict", `tenant ${tenant} is already moving (operation ${busy.view.operation})`);
    if (!this.fleet().overview.stamps.some((s) => s.stamp.id === to)) throw new BackendError("conflict", `no stamp ${to}`);
    const operation = this.journal.length + 1;
    const now = new Date().toISOString();
    const journaled: MoveView = { operation, tenant, from, to, state: "running", step: "planned", detail: "", startedAt: now, updatedAt: now };
    const state: Running = { view: journaled, cancelled: false, release: null };
    this.journal.push(journaled);
    this.running.set(operation, state);
    const cheap = this.journal.some(
      (m) => m.tenant === tenant && m.state === "succeeded" && m.step === "done" && m.from === to && m.to === from,
    );
    try {
      for (const report of moveScript({ operation, tenant, from, to }, view.tenant.sizeUnits, cheap)) {
        if (state.cancelled) return this.rollBack(state, "cancelled by the operator");
        this.step(journaled, report.phase === "done" ? "fencing" : report.phase);
        if (report.phase === "done") {
          rebind(this.fleet().overview, this.fleet().tenants, tenant, to);
          this.routesVersion += 1;
          this.finish(journaled, "succeeded", "done", `${tenant} moved from ${from} to ${to}`);
          this.onFlip();
        }
        onProgress({ ...report });
        if (report.phase === "done") return { ...report };
        await this.tick(state, report.phase === "importing" && report.percent > 5);
      }
      throw new BackendError("internal", "the move script ended before done");
    } finally {
      this.running.delete(operation);
    }
  }

  private tick(state: Running, holdable: boolean): Promise<void> {
    if (this.speed.hold && holdable && !state.cancelled) {
      return new Promise((resolve) => (state.release = resolve));
    }
    return new Promise((resolve) => setTimeout(resolve, this.speed.tickMs));
  }

  private step(view: MoveView, step: string, detail = ""): void {
    view.step = step;
    view.detail = detail;
    view.updatedAt = new Date().toISOString();
  }

  private finish(view: MoveView, state: string, step: string, detail: string): void {
    view.state = state;
    this.step(view, step, detail);
  }

  private rollBack(state: Running, why: string): never {
    this.finish(state.view, "failed", "rolled-back", "source unfrozen, target copy dropped");
    throw new BackendError("conflict", `move of ${state.view.tenant} rolled back: ${why}`);
  }

  /** Asks a running move to stop; refused once it reached verifying (it cuts over then). */
  cancel(operation: number): string {
    const view = this.journal.find((m) => m.operation === operation);
    if (!view) throw new BackendError("invalid_input", `no move ${operation}`);
    const state = this.running.get(operation);
    if (view.state !== "running" || !state) throw new BackendError("conflict", `move ${operation} is ${view.state}`);
    if (!["planned", "importing", "catching-up"].includes(view.step)) {
      throw new BackendError(
        "conflict",
        `move ${operation} is ${view.step}: too late to cancel; move the tenant back once it is done`,
      );
    }
    state.cancelled = true;
    state.release?.();
    return `move ${operation}: cancel requested; the running move stops before its cut-over`;
  }

  /** Newest first. */
  list(limit: number): MoveView[] {
    return limit <= 0 ? [] : structuredClone(this.journal.slice(-limit).reverse());
  }

  routes(): RoutingTable {
    const { overview, tenants } = this.fleet();
    const endpoint = new Map(overview.stamps.map((s) => [s.stamp.id, s.stamp.endpoint]));
    const routes = tenants
      .filter((t) => t.stamp !== null)
      .map((t) => ({ tenant: t.tenant.id, stamp: t.stamp as string, endpoint: endpoint.get(t.stamp as string) ?? null }))
      .sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
    return { version: this.routesVersion, routes };
  }
}
