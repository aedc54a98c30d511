// A SIMPLIFIED mock of the Rust plan projection (crates/fleet-core/src/plan_projection.rs),
// for the browser preview and tests only: a plan's actions applied in order to a copy
// of the mock's fleet, every stamp before and after, the tenants that move, and a
// warning for every action that cannot go through as written and every stamp that
// ends over the headroom reserve. Placement is the mock's (mockPlacement.ts), with
// every stamp taken as healthy (plans are made offline). Regions are only those that
// hold a stamp (the mock knows no others).
import type {
  FleetOverview,
  PlanAction,
  PlanProjection,
  PlanWarning,
  ProjectedMove,
  Stamp,
  StampProjection,
  Tenant,
  TenantView,
} from "../../generated/bindings";
import { addStamp, bindTenant } from "./mockFleet";
import { rebind } from "./mockMoves";
import { DEFAULT_HEADROOM_PERCENT, placeMock, usableUnits, type HealthOf } from "./mockPlacement";

export type MockFleet = { overview: FleetOverview; tenants: TenantView[] };

/** Plans are projected offline: every stamp counts as healthy. */
const OFFLINE: HealthOf = () => "healthy";

/** The action in words, as the backend's `PlanAction::describe` words it. */
export function describeAction(action: PlanAction): string {
  switch (action.action) {
    case "addStamp":
      return `add stamp ${action.stamp} in ${action.region} (${action.template}@${action.version})`;
    case "onboardTenant":
      return `onboard ${action.tenant.id} (${action.tenant.sizeUnits} units)${action.stamp ? ` on ${action.stamp}` : ""}`;
    case "moveTenant":
      return `move ${action.tenant} to ${action.to}`;
    case "drainStamp":
      return `drain ${action.stamp}`;
    case "retireStamp":
      return `retire ${action.stamp}`;
    case "changeCapacity":
      return `set the capacity of ${action.stamp} to ${action.capacityUnits} units`;
  }
}

const stampOf = (fleet: MockFleet, id: string) => fleet.overview.stamps.find((s) => s.stamp.id === id);
const tenantsOn = (fleet: MockFleet, stamp: string) => fleet.tenants.filter((t) => t.stamp === stamp);

/** Why `tenant` may not go to `to` by the placement rules; null when it may. */
function targetProblem(fleet: MockFleet, tenant: Tenant, to: string): string | null {
  if (!stampOf(fleet, to)) return `no stamp ${to}`;
  const request = { tenant, preferredRegions: [], home: null, policy: null };
  const refusal = placeMock(fleet.overview, request, OFFLINE).rejected.find((r) => r.stamp === to);
  return refusal ? `${to} cannot take ${tenant.id}: ${refusal.reason}` : null;
}

/** Where placement puts the tenant now, or why nothing can take it. */
function placeOffline(fleet: MockFleet, tenant: Tenant): { stamp: string } | { reason: string } {
  const { outcome } = placeMock(fleet.overview, { tenant, preferredRegions: [], home: null, policy: null }, OFFLINE);
  return outcome.kind === "place" ? { stamp: outcome.stamp } : { reason: outcome.reason };
}

function addPlannedStamp(fleet: MockFleet, action: Extract<PlanAction, { action: "addStamp" }>): string[] {
  const { overview } = fleet;
  if (stampOf(fleet, action.stamp)) return [`stamp ${action.stamp} exists already`];
  if (!overview.regions.some((r) => r.region.id === action.region)) return [`region ${action.region} is unknown`];
  const template = overview.templates.find((t) => t.name === action.template && t.version === action.version);
  if (!template) return [`template ${action.template}@${action.version} is unknown`];
  const stamp: Stamp = {
    id: action.stamp,
    region: action.region,
    template: template.name,
    templateVersion: template.version,
    capacityUnits: action.capacityUnits ?? template.capacityUnits ?? 1000,
    status: "active",
    endpoint: null,
  };
  addStamp(overview, stamp);
  return [];
}

function onboard(fleet: MockFleet, action: Extract<PlanAction, { action: "onboardTenant" }>, moves: ProjectedMove[]) {
  const { tenant } = action;
  if (fleet.tenants.some((t) => t.tenant.id === tenant.id)) return [`tenant ${tenant.id} exists already`];
  let to: string;
  try {
    if (action.stamp) {
      const problem = targetProblem(fleet, tenant, action.stamp);
      if (problem) return [problem];
      to = action.stamp;
    } else {
      const placed = placeOffline(fleet, tenant);
      if ("reason" in placed) return [`${tenant.id} cannot be placed: ${placed.reason}`];
      to = placed.stamp;
    }
  } catch (reason) {
    return [reason instanceof Error ? reason.message : String(reason)];
  }
  bindTenant(fleet.overview, fleet.tenants, { tenant: structuredClone(tenant), stamp: to });
  moves.push({ tenant: tenant.id, from: null, to });
  return [];
}

function move(fleet: MockFleet, tenant: string, to: string, moves: ProjectedMove[]): string[] {
  const view = fleet.tenants.find((t) => t.tenant.id === tenant);
  const from = view?.stamp ?? null;
  if (!view || from === null) return [`tenant ${tenant} lives on no stamp`];
  if (from === to) return [`${tenant} already lives on ${to}`];
  if (view.tenant.pinned) return [`${tenant} is pinned to ${from}`];
  const problem = targetProblem(fleet, view.tenant, to);
  if (problem) return [problem];
  rebind(fleet.overview, fleet.tenants, tenant, to);
  moves.push({ tenant, from, to });
  return [];
}

function drain(fleet: MockFleet, stamp: string, moves: ProjectedMove[]): string[] {
  const view = stampOf(fleet, stamp);
  if (!view) return [`no stamp ${stamp}`];
  view.stamp.status = "draining";
  const warnings: string[] = [];
  const on = tenantsOn(fleet, stamp).sort(
    (a, b) => b.tenant.sizeUnits - a.tenant.sizeUnits || (a.tenant.id < b.tenant.id ? -1 : 1),
  );
  for (const { tenant } of on) {
    if (tenant.pinned) {
      warnings.push(`${tenant.id} is pinned to ${stamp} and stays`);
      continue;
    }
    const placed = placeOffline(fleet, tenant);
    if ("reason" in placed) {
      warnings.push(`${tenant.id} stays on ${stamp}: ${placed.reason}`);
      continue;
    }
    rebind(fleet.overview, fleet.tenants, tenant.id, placed.stamp);
    moves.push({ tenant: tenant.id, from: stamp, to: placed.stamp });
  }
  return warnings;
}

function retire(fleet: MockFleet, stamp: string): string[] {
  const view = stampOf(fleet, stamp);
  if (!view) return [`no stamp ${stamp}`];
  const left = tenantsOn(fleet, stamp).length;
  if (left > 0) return [`${stamp} still holds ${left} tenant(s): drain it first`];
  view.stamp.status = "retired";
  return [];
}

function changeCapacity(fleet: MockFleet, stamp: string, units: number): string[] {
  const view = stampOf(fleet, stamp);
  if (!view) return [`no stamp ${stamp}`];
  const delta = units - view.capacity.totalUnits;
  view.stamp.capacityUnits = units;
  view.capacity.totalUnits = units;
  const region = fleet.overview.regions.find((r) => r.region.id === view.stamp.region);
  if (region) region.capacity.totalUnits += delta;
  fleet.overview.totals.totalUnits += delta;
  const used = view.capacity.usedUnits;
  return used > units ? [`${stamp} holds ${used} units, more than the new ${units}`] : [];
}

/**
 * Applies one action to the fleet (in place), adding the tenants it moves to `moves`;
 * returns why it cannot go through as written (empty when it can).
 */
export function applyAction(fleet: MockFleet, action: PlanAction, moves: ProjectedMove[]): string[] {
  switch (action.action) {
    case "addStamp":
      return addPlannedStamp(fleet, action);
    case "onboardTenant":
      return onboard(fleet, action, moves);
    case "moveTenant":
      return move(fleet, action.tenant, action.to, moves);
    case "drainStamp":
      return drain(fleet, action.stamp, moves);
    case "retireStamp":
      return retire(fleet, action.stamp);
    case "changeCapacity":
      return changeCapacity(fleet, action.stamp, action.capacityUnits);
  }
}

/** Applies `actions` to a copy of the fleet and compares: the projection and the fleet after. */
export function projectPlan(
  fleet: MockFleet,
  actions: readonly PlanAction[],
  reservePercent = DEFAULT_HEADROOM_PERCENT,
): { projection: PlanProjection; after: FleetOverview } {
  const copy: MockFleet = { overview: structuredClone(fleet.overview), tenants: structuredClone(fleet.tenants) };
  const warnings: PlanWarning[] = [];
  const moves: ProjectedMove[] = [];
  actions.forEach((action, i) => {
    for (const message of applyAction(copy, action, moves)) warnings.push({ action: i, message });
  });
  const before = new Map(fleet.overview.stamps.map((s) => [s.stamp.id, s]));
  const stamps: StampProjection[] = copy.overview.stamps.map((s) => {
    const b = before.get(s.stamp.id);
    const { usedUnits, totalUnits } = s.capacity;
    const over = s.stamp.status === "active" && usedUnits > usableUnits(totalUnits, reservePercent);
    // As the backend: a warning only where the plan puts a stamp over, or makes it worse.
    const wasOver =
      b !== undefined &&
      b.stamp.status === "active" &&
      b.capacity.usedUnits > usableUnits(b.capacity.totalUnits, reservePercent);
    const worse =
      b === undefined || !wasOver || usedUnits > b.capacity.usedUnits || totalUnits < b.capacity.totalUnits;
    if (over && worse) {
      warnings.push({
        action: null,
        message: `${s.stamp.id} ends at ${usedUnits} of ${totalUnits} units, over the ${reservePercent}% headroom reserve`,
      });
    }
    return {
      stamp: s.stamp.id,
      region: s.stamp.region,
      statusBefore: b?.stamp.status ?? null,
      statusAfter: s.stamp.status,
      usedBefore: b?.capacity.usedUnits ?? 0,
      usedAfter: usedUnits,
      capacityBefore: b?.capacity.totalUnits ?? 0,
      capacityAfter: totalUnits,
      tenantsBefore: b?.tenantCount ?? 0,
      tenantsAfter: s.tenantCount,
      overReserveAfter: over,
    };
  });
  return { projection: { stamps, moves, warnings }, after: copy.overview };
}
