// Pure fleet bookkeeping for the mock backend: the lifecycle rules and
// health answers mirror the Rust backend (crates/fleet-ops).
import type {
  FleetOverview,
  NewStamp,
  Stamp,
  StampHealth,
  StampStatus,
  StampView,
  TenantPage,
  TenantQuery,
  TenantView,
} from "../../generated/bindings";
import { slugProblem } from "../stampId";
import { BackendError } from "./backend";

export const MOCK_ENDPOINT = "http://127.0.0.1:40000";
export const MOCK_AGENT_VERSION = "0.1.0";

export const PROVISION_STEPS: readonly { step: string; percent: number; message: string }[] = [
  { step: "recorded", percent: 10, message: "Recorded the stamp in the catalogue" },
  { step: "token", percent: 30, message: "Issued the stamp's agent token" },
  { step: "start-agent", percent: 60, message: "Started the stamp agent on this machine" },
  { step: "health", percent: 90, message: "Waiting for the agent's first health check" },
  { step: "active", percent: 100, message: "The stamp is active" },
];

function versionKey(version: string): number[] {
  return version.split(".").map((part) => Number.parseInt(part, 10) || 0);
}

function newer(a: string, b: string): boolean {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
}

/** Checks a NewStamp request against the fleet; returns the stamp to add. */
export function validateNewStamp(overview: FleetOverview, request: NewStamp): Stamp {
  const problem = slugProblem(request.id);
  if (problem) throw new BackendError("invalid_input", `stamp id '${request.id}': ${problem}`);
  if (overview.stamps.some((s) => s.stamp.id === request.id)) {
    throw new BackendError("conflict", `stamp ${request.id} already exists`);
  }
  const template = overview.templates.find(
    (t) => t.name === request.template && t.version === request.templateVersion,
  );
  if (!template) {
    throw new BackendError(
      "invalid_input",
      `unknown template ${request.template}@${request.templateVersion}`,
    );
  }
  if (!overview.regions.some((r) => r.region.id === request.region)) {
    throw new BackendError("invalid_input", `unknown region ${request.region}`);
  }
  const units = request.capacityUnits ?? template.capacityUnits;
  if (!Number.isInteger(units) || units <= 0) {
    throw new BackendError("invalid_input", "capacity units must be a whole number above 0");
  }
  return {
    id: request.id,
    region: request.region,
    template: template.name,
    templateVersion: template.version,
    capacityUnits: units,
    status: "active",
    endpoint: MOCK_ENDPOINT,
  };
}

/** Adds an (empty) stamp to the overview, keeping region and fleet totals right. */
export function addStamp(overview: FleetOverview, stamp: Stamp): void {
  const templateOutdated = overview.templates.some(
    (t) => t.name === stamp.template && newer(t.version, stamp.templateVersion),
  );
  const view: StampView = {
    stamp,
    capacity: { totalUnits: stamp.capacityUnits, usedUnits: 0 },
    tenantCount: 0,
    templateOutdated,
  };
  overview.stamps.push(view);
  overview.stamps.sort((a, b) => a.stamp.id.localeCompare(b.stamp.id));
  const region = overview.regions.find((r) => r.region.id === stamp.region);
  if (region) {
    region.stampCount += 1;
    region.capacity.totalUnits += stamp.capacityUnits;
  }
  overview.totals.totalUnits += stamp.capacityUnits;
}

/** Applies a lifecycle transition, or explains why it is not allowed. */
export function transition(view: StampView, to: StampStatus): Stamp {
  const { stamp } = view;
  const from = stamp.status;
  const allowed =
    (from === "active" && to === "draining") ||
    (from === "draining" && (to === "active" || to === "retired"));
  if (!allowed) {
    throw new BackendError("conflict", `stamp ${stamp.id} cannot go from ${from} to ${to}`);
  }
  if (to === "retired" && view.tenantCount > 0) {
    throw new BackendError(
      "conflict",
      `stamp ${stamp.id} still holds ${view.tenantCount} tenant(s); move them before retiring it`,
    );
  }
  stamp.status = to;
  return stamp;
}

/** What a health check of the stamp answers in the mock. */
export function healthOf(view: StampView): StampHealth {
  const checkedAt = Math.floor(Date.now() / 1000);
  if (view.stamp.endpoint === null) {
    return {
      stamp: view.stamp.id,
      state: "unknown",
      detail: `no endpoint recorded: no agent was ever started for it`,
      problem: "noEndpoint",
      fix: "startLocalStamps",
      softwareVersion: null,
      capacityUsed: null,
      tenantCount: null,
      checkedAt,
    };
  }
  return {
    stamp: view.stamp.id,
    state: "healthy",
    detail: `agent at ${view.stamp.endpoint} answered`,
    problem: null,
    fix: null,
    softwareVersion: MOCK_AGENT_VERSION,
    capacityUsed: view.capacity.usedUnits,
    tenantCount: view.tenantCount,
    checkedAt,
  };
}

/** The list a health push carries: every active stamp that has an endpoint. */
export function healthChecks(overview: FleetOverview): StampHealth[] {
  return overview.stamps
    .filter((s) => s.stamp.status === "active" && s.stamp.endpoint !== null)
    .map(healthOf);
}

/** Answers a tenant query like the catalogue does: filters, then a page by id. */
export function queryTenants(
  overview: FleetOverview,
  tenants: TenantView[],
  query: TenantQuery,
): TenantPage {
  const regionOf = new Map(overview.stamps.map((s) => [s.stamp.id, s.stamp.region]));
  const text = query.text?.trim().toLowerCase() ?? "";
  const matching = tenants
    .filter((view) => {
      if (query.stamp !== null && view.stamp !== query.stamp) return false;
      if (query.region !== null && (view.stamp === null || regionOf.get(view.stamp) !== query.region)) {
        return false;
      }
      if (text === "") return true;
      return (
        view.tenant.id.toLowerCase().includes(text) ||
        view.tenant.displayName.toLowerCase().includes(text)
      );
    })
    .sort((a, b) => (a.tenant.id < b.tenant.id ? -1 : a.tenant.id > b.tenant.id ? 1 : 0));
  const limit = Math.min(query.limit, 1000);
  return { tenants: matching.slice(query.offset, query.offset + limit), total: matching.length };
}

/** Binds a new tenant to a stamp, keeping the stamp's, region's and fleet's counts right. */
export function bindTenant(overview: FleetOverview, tenants: TenantView[], view: TenantView): void {
  const stamp = overview.stamps.find((s) => s.stamp.id === view.stamp);
  if (!stamp) throw new BackendError("invalid_input", `no stamp ${view.stamp} in the catalogue`);
  const units = view.tenant.sizeUnits;
  stamp.capacity.usedUnits += units;
  stamp.tenantCount += 1;
  const region = overview.regions.find((r) => r.region.id === stamp.stamp.region);
  if (region) {
    region.capacity.usedUnits += units;
    region.tenantCount += 1;
  }
  overview.totals.usedUnits += units;
  overview.tenantCount += 1;
  tenants.push(view);
}
