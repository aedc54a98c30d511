import type {
  CatalogueInfo,
  Decision,
  DrainProgress,
  DrainStamp,
  ErrorCode,
  FleetOverview,
  ForecastView,
  ImportProgress,
  MoveProgress,
  MoveTargets,
  MoveTenant,
  MoveView,
  NewStamp,
  OnboardProgress,
  OnboardTenant,
  OpsError,
  PlaceTenant,
  PlanAction,
  PlanApplyProgress,
  PlanCheck,
  PlanDetail,
  PlanSummary,
  ProvisionProgress,
  RebalancePlan,
  RoutingTable,
  Stamp,
  StampDetail,
  StampHealth,
  StampId,
  StampStatus,
  TenantId,
  TenantImportReport,
  TenantPage,
  TenantQuery,
  TenantView,
} from "../../generated/bindings";

/** Everything the UI asks of the Stampfleet backend. */
export interface Backend {
  catalogueInfo(): Promise<CatalogueInfo>;
  fleetOverview(): Promise<FleetOverview>;
  createDemoFleet(): Promise<FleetOverview>;
  /** One page of tenants by stamp, region or text (id or name), by id; limit <= 1000. */
  listTenants(query: TenantQuery): Promise<TenantPage>;
  /** Where a tenant would go and why (a dry run over the live fleet; writes nothing). */
  placeTenant(request: PlaceTenant): Promise<Decision>;
  /** Onboards a tenant (records, provisions on the stamp, binds), reporting each step. */
  onboardTenant(request: OnboardTenant, onProgress: (progress: OnboardProgress) => void): Promise<TenantView>;
  /** Checks a tenant file (CSV or JSON by its name) and plans each row; writes nothing. */
  checkTenantImport(name: string, text: string): Promise<TenantImportReport>;
  /** Onboards a tenant file's placeable rows in order, stopping at the first failure. */
  applyTenantImport(
    name: string,
    text: string,
    onProgress: (progress: ImportProgress) => void,
  ): Promise<TenantImportReport>;
  /** Provisions a new stamp, reporting each step; resolves with the active stamp. */
  newStamp(request: NewStamp, onProgress: (progress: ProvisionProgress) => void): Promise<Stamp>;
  stampDetail(id: string): Promise<StampDetail>;
  setStampStatus(id: string, status: StampStatus): Promise<Stamp>;
  /**
   * Subscribes to health checks: `onHealth` receives the full list every few
   * seconds. Resolves as soon as the subscription is in place.
   */
  watchHealth(onHealth: (checks: StampHealth[]) => void): Promise<void>;
  /** The stamps a tenant may move to (best first), and why every other stamp cannot take it. */
  moveTargets(tenant: TenantId): Promise<MoveTargets>;
  /**
   * Moves a tenant to another stamp (importing -> catching-up -> verifying -> done),
   * reporting each phase; resolves with the last report. A failure before the
   * cut-over is rolled back, and the rejection says so.
   */
  moveTenant(request: MoveTenant, onProgress: (progress: MoveProgress) => void): Promise<MoveProgress>;
  /** Asks a running move to stop before its cut-over; resolves with what happened, in words. */
  cancelMove(operation: number): Promise<string>;
  /** The journaled moves, newest first. */
  listMoves(limit: number): Promise<MoveView[]>;
  /** Drains a stamp: moves every tenant to a target placement chooses, `concurrency` at a time. */
  drainStamp(request: DrainStamp, onProgress: (progress: DrainProgress) => void): Promise<DrainProgress>;
  /** Where every tenant lives, with the routing table's version. */
  routingTable(): Promise<RoutingTable>;
  /** Starts this machine's stamp agents that are not running; resolves with the stamps started. */
  startLocalStamps(): Promise<StampId[]>;
  /** Keeps an admin token the operator entered for a stamp, once the stamp accepts it. */
  setStampToken(id: StampId, token: string): Promise<void>;

  // Offline plans (drafts of actions, projected over the fleet as it is now).
  /** Every plan by name, with how far its last apply went. */
  listPlans(): Promise<PlanSummary[]>;
  /** One plan in full: steps, projection, the fleet after it, its apply state. */
  planDetail(name: string): Promise<PlanDetail>;
  newPlan(name: string): Promise<PlanDetail>;
  /** Appends an action; the answer carries a fresh projection (warnings). */
  addPlanAction(name: string, action: PlanAction): Promise<PlanDetail>;
  /** Removes the action at `index` (0-based). */
  removePlanAction(name: string, index: number): Promise<PlanDetail>;
  deletePlan(name: string): Promise<void>;
  /** Appends the rebalance planner's moves (no stamp over `limitPercent`); also returns the proposal. */
  planRebalance(name: string, limitPercent: number): Promise<[PlanDetail, RebalancePlan]>;
  /** When stamps and regions fill up, from the last `windowDays` of usage. */
  forecast(windowDays: number, horizonDays: number): Promise<ForecastView>;
  /** Appends the forecast's proposed stamps to a plan. */
  planForecast(name: string, windowDays: number, horizonDays: number): Promise<PlanDetail>;
  /** The plan as a file's text (JSON: schemaVersion, plan, digest). */
  exportPlan(name: string): Promise<string>;
  /** Reads a plan file strictly (`file` is its name, for errors); nothing is written when refused. */
  importPlan(file: string, text: string): Promise<PlanDetail>;
  /** Revalidates a plan against the fleet now: its conflicts; nothing runs. */
  checkPlan(name: string): Promise<PlanCheck>;
  /**
   * Applies a plan action by action from where a previous apply stopped, reporting
   * before each action. Rejects (code "conflict") on conflicts, a pause or a failed action.
   */
  applyPlan(name: string, onProgress: (progress: PlanApplyProgress) => void): Promise<PlanApplyProgress>;
  /** Asks a running apply to stop before its next action. */
  pausePlan(name: string): Promise<void>;
}

const ERROR_CODES: readonly ErrorCode[] = [
  "catalogue_unavailable",
  "invalid_input",
  "conflict",
  "internal",
];

/** A failed backend call, carrying the backend's error code. */
export class BackendError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }

  toOpsError(): OpsError {
    return { code: this.code, message: this.message };
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns whatever a call rejected with into a BackendError. */
export function toBackendError(reason: unknown): BackendError {
  if (reason instanceof BackendError) return reason;
  if (typeof reason === "object" && reason !== null) {
    const { code, message } = reason as Partial<Record<keyof OpsError, unknown>>;
    if (isErrorCode(code) && typeof message === "string") {
      return new BackendError(code, message);
    }
    if (reason instanceof Error) return new BackendError("internal", reason.message);
  }
  if (typeof reason === "string" && reason.length > 0) {
    return new BackendError("internal", reason);
  }
  return new BackendError("internal", "The backend failed without saying why");
}

/** Runs a backend call, normalising any rejection to a BackendError. */
export async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (reason) {
    throw toBackendError(reason);
  }
}
