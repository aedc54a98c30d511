// In-memory stand-in for the backend, used when the UI runs in a plain
// browser (vite dev, tests). URL query `?mock=demo` starts with the demo
// fleet loaded; `?mock=broken` makes every call fail like an unreadable
// catalogue does; `?mock=bench` serves the overview a benchmark placed in
// `globalThis.__STAMPFLEET_BENCH_OVERVIEW__` (ui/bench/map-bench.mjs).
// Moves run on timer ticks: `?moveTick=MS` sets the tick, `?moveHold=1` holds
// every move in "importing" until it is cancelled (see mockMoves.ts). Plans apply
// one action per tick; `?moveHold=1` holds a fresh apply in its first action until
// it is paused (see mockPlans.ts). `?stampsDown=ID,ID` makes those stamps' health
// checks answer "unreachable" until "Start local stamps" starts them. `?resumedApply=1`
// (with `?mock=demo`) starts with a plan apply the backend resumed, running by itself
// (see mockResumedApply.ts). `?tokensLost=ID,ID` makes those stamps' checks say no
// admin token is held until one is entered (the mock takes any token but "wrong").
import type {
  CatalogueInfo,
  FleetOverview,
  Stamp,
  StampDetail,
  StampHealth,
  StampView,
  TenantView,
} from "../../generated/bindings";
import demoOverview from "../../generated/demo-overview.json";
import demoTenants from "../../generated/demo-tenants.json";
import { BackendError, type Backend } from "./backend";
import {
  PROVISION_STEPS,
  addStamp,
  bindTenant,
  healthChecks,
  healthOf,
  queryTenants,
  transition,
  validateNewStamp,
} from "./mockFleet";
import { checkDrainable, drainConcurrency, planDrain, runDrain } from "./mockDrain";
import { DEFAULT_MOVE_SPEED, MockMoves, type MoveSpeed } from "./mockMoves";
import { MockPlans } from "./mockPlans";
import { planMethods } from "./mockPlanBackend";
import { ONBOARD_STEPS, onboardTarget, placeMock } from "./mockPlacement";
import { RESUMED_DONE, resumedPlan } from "./mockResumedApply";
import { applyImport, planImport, readTenantFile } from "./mockTenantImport";

export { moveSpeedFrom } from "./mockMoves";
export { resumedApplyFrom } from "./mockResumedApply";

export type MockMode = "empty" | "demo" | "broken" | "bench";

export const MOCK_CATALOGUE_PATH = "mock://in-memory-catalogue (browser preview)";

export const BROKEN_MESSAGE =
  "/tmp/x.sqlite: not a Stampfleet catalogue (it is not an SQLite database); the file was left untouched";

const DEMO: FleetOverview = demoOverview as FleetOverview;
const DEMO_TENANTS: TenantView[] = demoTenants as TenantView[];

function benchOverview(): FleetOverview {
  const injected = (globalThis as { __STAMPFLEET_BENCH_OVERVIEW__?: FleetOverview })
    .__STAMPFLEET_BENCH_OVERVIEW__;
  if (!injected) throw new BackendError("internal", "?mock=bench needs __STAMPFLEET_BENCH_OVERVIEW__");
  return injected;
}

function emptyOverview(): FleetOverview {
  return {
    regions: [],
    stamps: [],
    templates: [],
    totals: { totalUnits: 0, usedUnits: 0 },
    tenantCount: 0,
    unplacedTenants: 0,
  };
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Small delay so busy states are visible, as with a real backend. */
function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `?stampsDown=weu-01,fra-01`: stamps whose agents are stopped at start. */
export function stampsDownFrom(search: string): string[] {
  return idsFrom(search, "stampsDown");
}

/** `?tokensLost=weu-01`: stamps whose admin tokens are missing at start. */
export function tokensLostFrom(search: string): string[] {
  return idsFrom(search, "tokensLost");
}

function idsFrom(search: string, key: string): string[] {
  const value = new URLSearchParams(search).get(key) ?? "";
  return value.split(",").map((id) => id.trim()).filter((id) => id !== "");
}

export function mockModeFrom(search: string): MockMode {
  const mode = new URLSearchParams(search).get("mock");
  return mode === "demo" || mode === "broken" || mode === "bench" ? mode : "empty";
}

export function createMockBackend(
  mode: MockMode = "empty",
  speed: MoveSpeed = DEFAULT_MOVE_SPEED,
  stampsDown: readonly string[] = [],
  resumedApply = false,
  tokensLost: readonly string[] = [],
): Backend {
  let overview: FleetOverview =
    mode === "demo" ? copy(DEMO) : mode === "bench" ? benchOverview() : emptyOverview();
  let tenants: TenantView[] = mode === "demo" ? copy(DEMO_TENANTS) : [];
  /** The catalogue's version: bumped on every change (plans show the drift since theirs). */
  let version = 1;
  /** Stamps whose (mock) agents are stopped: their health checks answer "unreachable". */
  const down = new Set(stampsDown);
  /** Stamps whose admin tokens are missing: their checks cannot be made. */
  const noToken = new Set(tokensLost);
  const healthWatchers: ((checks: StampHealth[]) => void)[] = [];
  const moves = new MockMoves(() => ({ overview, tenants }), speed, () => fleetChanged());
  const plans = new MockPlans(() => ({ overview, tenants }), () => version, speed, () => fleetChanged());
  const liveHealth = (view: StampView): StampHealth => {
    const id = view.stamp.id;
    if (noToken.has(id)) {
      const detail = `no admin token for this stamp in the OS keychain (looked for mock.${id}.admin)`;
      return { ...healthOf(view), state: "unknown", detail, problem: "noToken", fix: "enterToken", softwareVersion: null };
    }
    if (!down.has(id)) return healthOf(view);
    const detail = `its local agent is not running (nothing listens at ${view.stamp.endpoint})`;
    return { ...healthOf(view), state: "unreachable", detail, problem: "agentNotRunning", fix: "startLocalStamps", softwareVersion: null };
  };
  const healthState = (view: StampView) => liveHealth(view).state;

  /** The checks a push carries: every active stamp with an endpoint, every stopped one and every one without a token. */
  function checks(): StampHealth[] {
    const listed = new Set(healthChecks(overview).map((c) => c.stamp));
    const asked = (id: string) => listed.has(id) || down.has(id) || noToken.has(id);
    return overview.stamps.filter((s) => asked(s.stamp.id)).map(liveHealth);
  }

  /** The real backend pushes every few seconds; the mock pushes after each change. */
  function pushHealth(): void {
    const now = checks();
    for (const watcher of healthWatchers) watcher(copy(now));
  }

  function fleetChanged(): void {
    version += 1;
    pushHealth();
  }

  function viewOf(id: string) {
    const view = overview.stamps.find((s) => s.stamp.id === id);
    if (!view) throw new BackendError("invalid_input", `no stamp ${id} in the catalogue`);
    return view;
  }

  async function guard(): Promise<void> {
    await settle(40);
    if (mode === "broken") throw new BackendError("catalogue_unavailable", BROKEN_MESSAGE);
  }

  // After the helpers above: the resumed apply's first action changes the fleet.
  if (resumedApply && mode === "demo") plans.resume(resumedPlan(version), RESUMED_DONE);

  return {
    async catalogueInfo(): Promise<CatalogueInfo> {
      await guard();
      return {
        path: MOCK_CATALOGUE_PATH,
        id: "00000000-0000-4000-8000-000000000000",
        schemaVersion: 1,
        counts: {
          regions: 0,
          templates: overview.templates.length,
          stamps: overview.stamps.length,
          tenants: tenants.length,
          bindings: tenants.filter((t) => t.stamp !== null).length,
          auditRows: 0,
        },
      };
    },
    async fleetOverview(): Promise<FleetOverview> {
      await guard();
      return mode === "bench" ? overview : copy(overview);
    },
    async listTenants(query) {
      await guard();
      return copy(queryTenants(overview, tenants, query));
    },
    async createDemoFleet(): Promise<FleetOverview> {
      await guard();
      await settle(400);
      if (overview.stamps.length > 0 || tenants.length > 0) {
        throw new BackendError(
          "conflict",
          `${MOCK_CATALOGUE_PATH}: the catalogue is not empty (${overview.stamps.length} stamps, ` +
            `${tenants.length} tenants); cannot create the demo fleet`,
        );
      }
      overview = copy(DEMO);
      tenants = copy(DEMO_TENANTS);
      fleetChanged();
      return copy(overview);
    },
    async placeTenant(request) {
      await guard();
      return copy(placeMock(overview, request, healthState));
    },
    async onboardTenant(request, onProgress): Promise<TenantView> {
      await guard();
      const { tenant } = request.place;
      const decision = placeMock(overview, request.place, healthState);
      const existing = tenants.find((t) => t.tenant.id === tenant.id);
      if (existing) {
        throw new BackendError("conflict", `tenant.id: ${tenant.id} already exists (on ${existing.stamp ?? "no stamp"})`);
      }
      const view: TenantView = { tenant: copy(tenant), stamp: onboardTarget(decision, request.stamp, overview) };
      for (const step of ONBOARD_STEPS) {
        if (step.step === "bind") bindTenant(overview, tenants, view);
        onProgress({ ...step });
        await settle(step.step === "done" ? 40 : 200);
      }
      fleetChanged();
      return copy(view);
    },
    async checkTenantImport(name, text) {
      await guard();
      const rows = readTenantFile(name, text, overview);
      return copy(planImport(overview, tenants, rows, healthState));
    },
    async applyTenantImport(name, text, onProgress) {
      await guard();
      const report = await applyImport(overview, tenants, name, text, healthState, onProgress, {
        pause: (total) => settle(Math.min(150, 3000 / Math.max(total, 1))),
      });
      fleetChanged();
      return copy(report);
    },
    async newStamp(request, onProgress): Promise<Stamp> {
      await guard();
      const stamp = validateNewStamp(overview, request);
      for (const step of PROVISION_STEPS) {
        if (step.step === "active") addStamp(overview, stamp);
        onProgress({ stamp: stamp.id, ...step });
        await settle(step.step === "active" ? 40 : 220);
      }
      fleetChanged();
      return copy(stamp);
    },
    async stampDetail(id): Promise<StampDetail> {
      await guard();
      const view = viewOf(id);
      return { stamp: copy(view), health: liveHealth(view), failure: null };
    },
    async setStampStatus(id, status): Promise<Stamp> {
      await guard();
      const stamp = transition(viewOf(id), status);
      fleetChanged();
      return copy(stamp);
    },
    async watchHealth(onHealth): Promise<void> {
      await guard();
      healthWatchers.push(onHealth);
      setTimeout(() => onHealth(checks()), 0);
    },
    async moveTargets(tenant) {
      await guard();
      return copy(moves.targets(tenant, healthState));
    },
    async moveTenant(request, onProgress) {
      await guard();
      return moves.move(request, healthState, onProgress);
    },
    async cancelMove(operation) {
      await guard();
      return moves.cancel(operation);
    },
    async listMoves(limit) {
      await guard();
      return moves.list(limit);
    },
    async drainStamp(request, onProgress) {
      await guard();
      if (checkDrainable(overview, request.stamp) === "active") {
        transition(viewOf(request.stamp), "draining");
        fleetChanged();
      }
      const plan = planDrain(overview, tenants, request.stamp, healthState);
      return runDrain(plan, drainConcurrency(request.concurrency), (tenant, to, report) => {
        const view = tenants.find((t) => t.tenant.id === tenant);
        if (!view) throw new BackendError("invalid_input", `no tenant ${tenant}`);
        if (view.stamp !== request.stamp) {
          throw new BackendError("conflict", `${tenant} moved to ${view.stamp ?? "no stamp"} meanwhile`);
        }
        return moves.run(view, to, report);
      }, onProgress);
    },
    async routingTable() {
      await guard();
      return moves.routes();
    },
    async startLocalStamps() {
      await guard();
      const started = overview.stamps.map((s) => s.stamp.id).filter((id) => down.has(id));
      down.clear();
      pushHealth();
      return started;
    },
    async setStampToken(id, token) {
      await guard();
      viewOf(id);
      if (token.trim() === "wrong") {
        throw new BackendError("invalid_input", `stamp ${id} refused this token; nothing was stored`);
      }
      noToken.delete(id);
      pushHealth();
    },
    ...planMethods(plans, () => ({ overview, tenants }), guard),
  };
}
