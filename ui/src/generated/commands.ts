// Generated from fleet-ops' command list (crates/fleet-ops/src/commands/list.rs); do not edit.
// Regenerate: STAMPFLEET_WRITE_GENERATED=1 cargo test -p fleet-ops --test generated
import type {
  AdoptOutcome,
  AdoptReport,
  AdoptStamp,
  AuditEntry,
  AuditFormat,
  AuditQuery,
  CatalogueChange,
  CatalogueInfo,
  Decision,
  DrainProgress,
  DrainStamp,
  DriftFinding,
  DriftIgnore,
  ErrorCode,
  FleetOverview,
  ForecastView,
  HealthUpdate,
  ImportProgress,
  IssuedToken,
  MoveProgress,
  MoveTargets,
  MoveTenant,
  MoveView,
  NewStamp,
  NewTemplateVersion,
  OffboardOutcome,
  OnboardProgress,
  OnboardTenant,
  OperatorProvider,
  PlaceTenant,
  PlanAction,
  PlanApplyProgress,
  PlanCheck,
  PlanDetail,
  PlanSummary,
  ProposeRollout,
  ProvisionAndOnboard,
  ProvisionProgress,
  RebalancePlan,
  RecentCatalogue,
  ReconcileReport,
  Region,
  RolloutSpec,
  RolloutView,
  RouterSyncOutcome,
  RoutingStatus,
  RoutingTable,
  SnapshotSummary,
  Stamp,
  StampDetail,
  StampId,
  StampStatus,
  StampTemplate,
  TemplateVersionView,
  TenantId,
  TenantImportReport,
  TenantPage,
  TenantQuery,
  TenantRoute,
  TenantSuspension,
  TenantView,
} from "./bindings";

/** How a call reaches the backend: Tauri's IPC in the window, HTTP from a browser. */
export interface Transport {
  call(command: string, args: Record<string, unknown>, onEvent?: (event: never) => void): Promise<unknown>;
}

/** Every error code a command can answer with (`{code, message}`). */
export const ERROR_CODES: readonly ErrorCode[] = ["catalogue_unavailable", "invalid_input", "conflict", "internal", "not_allowed"];

/** Every command's name, as the backend registers it. */
export const COMMAND_NAMES = [
  "catalogue_info",
  "audit_log",
  "export_audit",
  "fleet_overview",
  "create_demo_fleet",
  "list_tenants",
  "place_tenant",
  "onboard_tenant",
  "provision_and_onboard",
  "check_tenant_import",
  "provision_import_stamps",
  "apply_tenant_import",
  "new_stamp",
  "stamp_detail",
  "list_regions",
  "adopt_stamp",
  "adopt_stamps_file",
  "reconcile",
  "repair_drift",
  "ignore_drift",
  "unignore_drift",
  "set_stamp_status",
  "watch_health",
  "watch_catalogue",
  "move_targets",
  "move_tenant",
  "cancel_move",
  "list_moves",
  "preview_drain",
  "drain_stamp",
  "routing_table",
  "start_local_stamps",
  "set_stamp_token",
  "list_plans",
  "plan_detail",
  "new_plan",
  "add_plan_action",
  "remove_plan_action",
  "delete_plan",
  "plan_rebalance",
  "forecast",
  "plan_forecast",
  "export_plan",
  "recent_catalogues",
  "open_in_new_window",
  "take_snapshot",
  "import_plan",
  "check_plan",
  "apply_plan",
  "suspend_tenant",
  "resume_tenant",
  "suspended_tenants",
  "offboard_tenant",
  "operator_providers",
  "save_http_provider",
  "remove_operator_provider",
  "template_versions",
  "add_template_version",
  "propose_rollout",
  "start_rollout",
  "list_rollouts",
  "approve_rollout",
  "resume_rollout",
  "pause_rollout",
  "abort_rollout",
  "routing_status",
  "sync_routers",
  "tenant_route",
  "issue_tenant_token",
  "pause_plan",
  "report_startup",
] as const;

/** The typed client: one method per command. */
export function commandsOver(transport: Transport) {
  return {
    /** The catalogue's path, schema and counts. */
    catalogueInfo: (): Promise<CatalogueInfo> =>
      transport.call("catalogue_info", {}) as Promise<CatalogueInfo>,
    /** The audit log: who changed what, when and through what; filtered, paged, newest first. */
    auditLog: (query: AuditQuery): Promise<Array<AuditEntry>> =>
      transport.call("audit_log", { query }) as Promise<Array<AuditEntry>>,
    /** The audit rows a query selects (up to 10,000) as a CSV or JSON file's text. */
    exportAudit: (query: AuditQuery, format: AuditFormat): Promise<string> =>
      transport.call("export_audit", { query, format }) as Promise<string>,
    /** Every stamp and region with its use, for the map and the tables. */
    fleetOverview: (): Promise<FleetOverview> =>
      transport.call("fleet_overview", {}) as Promise<FleetOverview>,
    /** Builds the demo fleet (real local stamp agents), all or nothing. */
    createDemoFleet: (): Promise<FleetOverview> =>
      transport.call("create_demo_fleet", {}) as Promise<FleetOverview>,
    /** One page of tenants by stamp, region or text (id or name), by id; limit <= 1000. */
    listTenants: (query: TenantQuery): Promise<TenantPage> =>
      transport.call("list_tenants", { query }) as Promise<TenantPage>,
    /** Where a tenant would go and why (a dry run over the live fleet; writes nothing). */
    placeTenant: (request: PlaceTenant): Promise<Decision> =>
      transport.call("place_tenant", { request }) as Promise<Decision>,
    /** Onboards a tenant (records, provisions on the stamp, binds), reporting each step. */
    onboardTenant: (request: OnboardTenant, onProgress: (event: OnboardProgress) => void): Promise<TenantView> =>
      transport.call("onboard_tenant", { request }, onProgress) as Promise<TenantView>,
    /**
     * Provisions the new stamp placement proposes for a tenant (named as given),
     * then onboards the tenant onto it: one journaled operation, one progress bar.
     */
    provisionAndOnboard: (request: ProvisionAndOnboard, onProgress: (event: OnboardProgress) => void): Promise<TenantView> =>
      transport.call("provision_and_onboard", { request }, onProgress) as Promise<TenantView>,
    /** Checks a tenant file (CSV or JSON by its name) and plans each row; writes nothing. */
    checkTenantImport: (name: string, text: string): Promise<TenantImportReport> =>
      transport.call("check_tenant_import", { name, text }) as Promise<TenantImportReport>,
    /** Provisions the new local stamps a tenant file needs, then checks it again. */
    provisionImportStamps: (name: string, text: string, onProgress: (event: ImportProgress) => void): Promise<TenantImportReport> =>
      transport.call("provision_import_stamps", { name, text }, onProgress) as Promise<TenantImportReport>,
    /** Onboards a tenant file's placeable rows in order, stopping at the first failure. */
    applyTenantImport: (name: string, text: string, onProgress: (event: ImportProgress) => void): Promise<TenantImportReport> =>
      transport.call("apply_tenant_import", { name, text }, onProgress) as Promise<TenantImportReport>,
    /** Provisions a new local stamp, reporting each step; resolves with the active stamp. */
    newStamp: (request: NewStamp, onProgress: (event: ProvisionProgress) => void): Promise<Stamp> =>
      transport.call("new_stamp", { request }, onProgress) as Promise<Stamp>,
    /** One stamp with its health, tenants and last failure. */
    stampDetail: (id: StampId): Promise<StampDetail> =>
      transport.call("stamp_detail", { id }) as Promise<StampDetail>,
    /** Every region a stamp can be in (built-in and custom), by id. */
    listRegions: (): Promise<Array<Region>> =>
      transport.call("list_regions", {}) as Promise<Array<Region>>,
    /**
     * Adopts a stamp Stampfleet did not create: checks it answers as described,
     * keeps its token, binds the tenants it holds and reports conflicts.
     */
    adoptStamp: (request: AdoptStamp): Promise<AdoptReport> =>
      transport.call("adopt_stamp", { request }) as Promise<AdoptReport>,
    /**
     * Adopts every stamp of a CSV file (`id,region,template,version,endpoint,token`),
     * 16 at once, reporting each as it ends; every row is checked first.
     */
    adoptStampsFile: (name: string, text: string, onProgress: (event: AdoptOutcome) => void): Promise<Array<AdoptOutcome>> =>
      transport.call("adopt_stamps_file", { name, text }, onProgress) as Promise<Array<AdoptOutcome>>,
    /**
     * Holds every stamp against the catalogue: orphans, missing tenants, sizes,
     * states, versions, identities; each finding with its repair.
     */
    reconcile: (): Promise<ReconcileReport> =>
      transport.call("reconcile", {}) as Promise<ReconcileReport>,
    /** Repairs one finding, after checking the stamp again; says what was done. */
    repairDrift: (finding: DriftFinding): Promise<string> =>
      transport.call("repair_drift", { finding }) as Promise<string>,
    /** Ignores a finding, saying why (audited); it shows again if what differs changes. */
    ignoreDrift: (finding: DriftFinding, reason: string): Promise<void> =>
      transport.call("ignore_drift", { finding, reason }) as Promise<void>,
    /** Stops ignoring a finding. */
    unignoreDrift: (ignore: DriftIgnore): Promise<void> =>
      transport.call("unignore_drift", { ignore }) as Promise<void>,
    /** Changes a stamp's status (active, draining, retired ...), audited. */
    setStampStatus: (id: StampId, status: StampStatus): Promise<Stamp> =>
      transport.call("set_stamp_status", { id, status }) as Promise<Stamp>,
    /**
     * Subscribes to health checks: every few seconds, the stamps whose health
     * changed (the first message: every stamp's), until the listener goes or the
     * page subscribes again with the same `session` (its watchdog, when the
     * health stopped coming). Resolves as soon as the subscription is in place.
     */
    watchHealth: (session: string, onProgress: (event: HealthUpdate) => void): Promise<void> =>
      transport.call("watch_health", { session }, onProgress) as Promise<void>,
    /**
     * Subscribes to changes other windows, stampctl or other operators make to the
     * catalogue (at once on a team catalogue, within two seconds on a file), until
     * the listener goes. Resolves as soon as the subscription is in place.
     */
    watchCatalogue: (onProgress: (event: CatalogueChange) => void): Promise<void> =>
      transport.call("watch_catalogue", {}, onProgress) as Promise<void>,
    /** The stamps a tenant may move to (best first), and why every other one cannot. */
    moveTargets: (tenant: TenantId): Promise<MoveTargets> =>
      transport.call("move_targets", { tenant }) as Promise<MoveTargets>,
    /**
     * Moves a tenant to another stamp, reporting each phase; resolves with the
     * last report. A failure before the cut-over is rolled back, and says so.
     */
    moveTenant: (request: MoveTenant, onProgress: (event: MoveProgress) => void): Promise<MoveProgress> =>
      transport.call("move_tenant", { request }, onProgress) as Promise<MoveProgress>,
    /** Asks a running move to stop before its cut-over; answers what happened. */
    cancelMove: (operation: number): Promise<string> =>
      transport.call("cancel_move", { operation }) as Promise<string>,
    /** The journaled moves, newest first. */
    listMoves: (limit: number): Promise<Array<MoveView>> =>
      transport.call("list_moves", { limit }) as Promise<Array<MoveView>>,
    /** Where a drain would send each tenant (and who stays, and why); moves nothing. */
    previewDrain: (stamp: StampId): Promise<DrainProgress> =>
      transport.call("preview_drain", { stamp }) as Promise<DrainProgress>,
    /** Drains a stamp: moves every tenant to the target placement picks. */
    drainStamp: (request: DrainStamp, onProgress: (event: DrainProgress) => void): Promise<DrainProgress> =>
      transport.call("drain_stamp", { request }, onProgress) as Promise<DrainProgress>,
    /** Where every tenant lives, with the routing table's version. */
    routingTable: (): Promise<RoutingTable> =>
      transport.call("routing_table", {}) as Promise<RoutingTable>,
    /** Starts this machine's stamp agents that are not running (they keep their data). */
    startLocalStamps: (): Promise<Array<StampId>> =>
      transport.call("start_local_stamps", {}) as Promise<Array<StampId>>,
    /** Keeps an admin token the operator entered for a stamp, once the stamp accepts it. */
    setStampToken: (id: StampId, token: string): Promise<void> =>
      transport.call("set_stamp_token", { id, token }) as Promise<void>,
    /** Every plan by name, with how far its last apply went. */
    listPlans: (): Promise<Array<PlanSummary>> =>
      transport.call("list_plans", {}) as Promise<Array<PlanSummary>>,
    /** One plan in full: steps, projection, the fleet after it, its apply state. */
    planDetail: (name: string): Promise<PlanDetail> =>
      transport.call("plan_detail", { name }) as Promise<PlanDetail>,
    /** A new, empty plan. */
    newPlan: (name: string): Promise<PlanDetail> =>
      transport.call("new_plan", { name }) as Promise<PlanDetail>,
    /** Appends an action; the answer carries a fresh projection (warnings). */
    addPlanAction: (name: string, action: PlanAction): Promise<PlanDetail> =>
      transport.call("add_plan_action", { name, action }) as Promise<PlanDetail>,
    /** Removes the action at `index` (0-based). */
    removePlanAction: (name: string, index: number): Promise<PlanDetail> =>
      transport.call("remove_plan_action", { name, index }) as Promise<PlanDetail>,
    /** Deletes a plan (not while it applies). */
    deletePlan: (name: string): Promise<void> =>
      transport.call("delete_plan", { name }) as Promise<void>,
    /**
     * Appends the rebalance planner's moves (no stamp over `limit_percent`);
     * answers the plan and the proposal (moves against the lower bound).
     */
    planRebalance: (name: string, limitPercent: number): Promise<[PlanDetail, RebalancePlan]> =>
      transport.call("plan_rebalance", { name, limitPercent }) as Promise<[PlanDetail, RebalancePlan]>,
    /** When stamps and regions fill up, from the last `window_days` of usage. */
    forecast: (windowDays: number, horizonDays: number): Promise<ForecastView> =>
      transport.call("forecast", { windowDays, horizonDays }) as Promise<ForecastView>,
    /** Appends the forecast's proposed stamps to a plan. */
    planForecast: (name: string, windowDays: number, horizonDays: number): Promise<PlanDetail> =>
      transport.call("plan_forecast", { name, windowDays, horizonDays }) as Promise<PlanDetail>,
    /** The plan as a file's text (schema version, digest), for the window to save. */
    exportPlan: (name: string): Promise<string> =>
      transport.call("export_plan", { name }) as Promise<string>,
    /** The catalogues opened before, newest first. */
    recentCatalogues: (): Promise<Array<RecentCatalogue>> =>
      transport.call("recent_catalogues", {}) as Promise<Array<RecentCatalogue>>,
    /** Opens another catalogue (a file or a team's postgres:// URL) in a new window. */
    openInNewWindow: (location: string): Promise<string> =>
      transport.call("open_in_new_window", { location }) as Promise<string>,
    /**
     * Copies the catalogue (fleet and plans) into the new catalogue file `file`,
     * for planning offline; an existing file is refused untouched.
     */
    takeSnapshot: (file: string): Promise<SnapshotSummary> =>
      transport.call("take_snapshot", { file }) as Promise<SnapshotSummary>,
    /**
     * Reads a plan file strictly (`file` names it in errors); nothing is written
     * when refused.
     */
    importPlan: (file: string, text: string): Promise<PlanDetail> =>
      transport.call("import_plan", { file, text }) as Promise<PlanDetail>,
    /** Revalidates a plan against the fleet now: its conflicts; nothing runs. */
    checkPlan: (name: string): Promise<PlanCheck> =>
      transport.call("check_plan", { name }) as Promise<PlanCheck>,
    /**
     * Applies a plan action by action from where a previous apply stopped,
     * reporting before each; refused (conflict) on conflicts, a pause or a failure.
     */
    applyPlan: (name: string, onProgress: (event: PlanApplyProgress) => void): Promise<PlanApplyProgress> =>
      transport.call("apply_plan", { name }, onProgress) as Promise<PlanApplyProgress>,
    /** Suspends a tenant (its stamp refuses its own requests until resumed), saying why. */
    suspendTenant: (id: TenantId, reason: string): Promise<void> =>
      transport.call("suspend_tenant", { id, reason }) as Promise<void>,
    /** Resumes a suspended tenant. */
    resumeTenant: (id: TenantId): Promise<void> =>
      transport.call("resume_tenant", { id }) as Promise<void>,
    /** The suspended tenants, with why and by whom. */
    suspendedTenants: (): Promise<Array<TenantSuspension>> =>
      transport.call("suspended_tenants", {}) as Promise<Array<TenantSuspension>>,
    /**
     * Offboards a tenant: suspended, its data exported to a file beside the
     * catalogue, deleted on its stamp, removed from the catalogue (audited).
     */
    offboardTenant: (id: TenantId): Promise<OffboardOutcome> =>
      transport.call("offboard_tenant", { id }) as Promise<OffboardOutcome>,
    /** The stamp providers configured on this machine (providers.json), by name. */
    operatorProviders: (): Promise<Array<OperatorProvider>> =>
      transport.call("operator_providers", {}) as Promise<Array<OperatorProvider>>,
    /** Adds or replaces an http provider (the window never adds a command provider). */
    saveHttpProvider: (name: string, url: string, timeoutSecs: number): Promise<Array<OperatorProvider>> =>
      transport.call("save_http_provider", { name, url, timeoutSecs }) as Promise<Array<OperatorProvider>>,
    /** Removes a configured provider. */
    removeOperatorProvider: (name: string): Promise<Array<OperatorProvider>> =>
      transport.call("remove_operator_provider", { name }) as Promise<Array<OperatorProvider>>,
    /** Every template version: its stamps, and what changed from the one before. */
    templateVersions: (): Promise<Array<TemplateVersionView>> =>
      transport.call("template_versions", {}) as Promise<Array<TemplateVersionView>>,
    /** Adds a template version (a copy of one with changes and release notes). */
    addTemplateVersion: (request: NewTemplateVersion): Promise<StampTemplate> =>
      transport.call("add_template_version", { request }) as Promise<StampTemplate>,
    /** Proposes a rollout's waves (canary, then rings); writes nothing. */
    proposeRollout: (request: ProposeRollout): Promise<RolloutSpec> =>
      transport.call("propose_rollout", { request }) as Promise<RolloutSpec>,
    /**
     * Starts a rollout and runs it, reporting each step, until it is done, halts,
     * pauses or waits for approval.
     */
    startRollout: (spec: RolloutSpec, onProgress: (event: RolloutView) => void): Promise<RolloutView> =>
      transport.call("start_rollout", { spec }, onProgress) as Promise<RolloutView>,
    /** Every rollout, newest first. */
    listRollouts: (): Promise<Array<RolloutView>> =>
      transport.call("list_rollouts", {}) as Promise<Array<RolloutView>>,
    /** Approves a rollout's next wave and runs on, reporting each step. */
    approveRollout: (id: number, onProgress: (event: RolloutView) => void): Promise<RolloutView> =>
      transport.call("approve_rollout", { id }, onProgress) as Promise<RolloutView>,
    /** Goes on with a paused rollout, reporting each step. */
    resumeRollout: (id: number, onProgress: (event: RolloutView) => void): Promise<RolloutView> =>
      transport.call("resume_rollout", { id }, onProgress) as Promise<RolloutView>,
    /** Pauses a rollout before its next step. */
    pauseRollout: (id: number): Promise<RolloutView> =>
      transport.call("pause_rollout", { id }) as Promise<RolloutView>,
    /** Aborts a rollout for good (upgraded stamps keep their version). */
    abortRollout: (id: number): Promise<RolloutView> =>
      transport.call("abort_rollout", { id }) as Promise<RolloutView>,
    /** The routing table's version and every attached router's sync state. */
    routingStatus: (): Promise<RoutingStatus> =>
      transport.call("routing_status", {}) as Promise<RoutingStatus>,
    /** Sends every attached router whole new maps now (a full resync). */
    syncRouters: (): Promise<Array<RouterSyncOutcome>> =>
      transport.call("sync_routers", {}) as Promise<Array<RouterSyncOutcome>>,
    /** Where a tenant's requests go: its binding, and what each router's map says. */
    tenantRoute: (id: TenantId): Promise<TenantRoute> =>
      transport.call("tenant_route", { id }) as Promise<TenantRoute>,
    /**
     * A token for a tenant's own requests, signed by the fleet's key (valid on
     * whichever stamp holds it); shown once.
     */
    issueTenantToken: (id: TenantId, ttlHours: number): Promise<IssuedToken> =>
      transport.call("issue_tenant_token", { id, ttlHours }) as Promise<IssuedToken>,
    /** Asks a running apply to stop before its next action. */
    pausePlan: (name: string): Promise<void> =>
      transport.call("pause_plan", { name }) as Promise<void>,
    /**
     * Logs the window's start-up milestones (name -> ms since the epoch) as times
     * after the app's launch.
     */
    reportStartup: (marks: { [key in string]: number }): Promise<void> =>
      transport.call("report_startup", { marks }) as Promise<void>,
  };
}

/** Everything the UI asks of the Stampfleet backend. */
export type Backend = ReturnType<typeof commandsOver>;
