// A SIMPLIFIED mock of the Rust drain (crates/fleet-ops/src/drain.rs), for the
// browser preview and tests only: placement (mockPlacement.ts) picks every
// tenant's target as one batch, largest first, on a copy of the fleet that takes
// on the load of the tenants planned before it; pinned tenants and tenants no
// stamp can take stay. The moves then run `concurrency` at a time.
import type { DrainItem, DrainProgress, FleetOverview, MoveProgress, TenantView } from "../../generated/bindings";
import { BackendError } from "./backend";
import { type HealthOf, placeMock } from "./mockPlacement";

export const DEFAULT_DRAIN_CONCURRENCY = 4;

/** The backend's bounds for the concurrency of a drain. */
export function drainConcurrency(requested: number | null): number {
  return Math.min(Math.max(Math.trunc(requested ?? DEFAULT_DRAIN_CONCURRENCY), 1), 32);
}

/** Counts a drain's items by state, as the backend reports them. */
export function countItems(progress: DrainProgress): DrainProgress {
  const count = (state: string) => progress.items.filter((i) => i.state === state).length;
  return { ...progress, moved: count("moved"), failed: count("failed"), stays: count("stays") };
}

/** Every tenant on the (draining) stamp with its target, or why it stays. */
export function planDrain(
  overview: FleetOverview,
  tenants: TenantView[],
  stamp: string,
  healthOf: HealthOf,
): DrainProgress {
  const fleet = structuredClone(overview);
  const on = tenants
    .filter((t) => t.stamp === stamp)
    .sort((a, b) => b.tenant.sizeUnits - a.tenant.sizeUnits || (a.tenant.id < b.tenant.id ? -1 : 1));
  const items: DrainItem[] = on.map(({ tenant }) => {
    if (tenant.pinned) return { tenant: tenant.id, to: null, state: "stays", message: `pinned to ${stamp}` };
    const { outcome } = placeMock(fleet, { tenant, preferredRegions: [], home: null, policy: null }, healthOf);
    if (outcome.kind !== "place") return { tenant: tenant.id, to: null, state: "stays", message: outcome.reason };
    const target = fleet.stamps.find((s) => s.stamp.id === outcome.stamp);
    if (target) {
      target.capacity.usedUnits += tenant.sizeUnits;
      target.tenantCount += 1;
    }
    return { tenant: tenant.id, to: outcome.stamp, state: "planned", message: outcome.reason };
  });
  return countItems({ stamp, items, moved: 0, failed: 0, stays: 0, last: null });
}

export type RunMove = (tenant: string, to: string, onProgress: (p: MoveProgress) => void) => Promise<MoveProgress>;

/** Runs a drain's planned moves, at most `concurrency` at once, reporting after every change. */
export async function runDrain(
  plan: DrainProgress,
  concurrency: number,
  runMove: RunMove,
  onProgress: (progress: DrainProgress) => void,
): Promise<DrainProgress> {
  let state = countItems(structuredClone(plan));
  const update = (tenant: string, itemState: string, message: string, last: MoveProgress | null) => {
    const items = state.items.map((i) => (i.tenant === tenant ? { ...i, state: itemState, message } : i));
    state = countItems({ ...state, items, last: last ?? state.last });
    onProgress(structuredClone(state));
  };
  onProgress(structuredClone(state));
  const queue = state.items.filter((i) => i.to !== null && i.state === "planned").map((i) => ({ tenant: i.tenant, to: i.to as string }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { tenant, to } = next;
      update(tenant, "moving", "", null);
      try {
        const done = await runMove(tenant, to, (p) => update(tenant, "moving", `${p.phase} ${p.percent}%`, p));
        update(tenant, "moved", `moved to ${to}`, done);
      } catch (reason) {
        update(tenant, "failed", reason instanceof Error ? reason.message : String(reason), null);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(queue.length, 1)) }, worker));
  return structuredClone(state);
}

/** The stamp a drain may run on: active (it becomes draining) or draining already. */
export function checkDrainable(overview: FleetOverview, stamp: string): "active" | "draining" {
  const view = overview.stamps.find((s) => s.stamp.id === stamp);
  if (!view) throw new BackendError("invalid_input", `no stamp ${stamp}`);
  const { status } = view.stamp;
  if (status === "active" || status === "draining") return status;
  throw new BackendError("conflict", `stamp ${stamp} is ${status}: only an active or draining stamp can be drained`);
}
