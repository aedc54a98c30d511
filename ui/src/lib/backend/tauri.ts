// The only module in the UI that talks to Tauri.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  CatalogueInfo,
  Decision,
  DrainProgress,
  FleetOverview,
  ForecastView,
  ImportProgress,
  MoveProgress,
  MoveTargets,
  MoveView,
  OnboardProgress,
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
  TenantImportReport,
  TenantPage,
  TenantView,
} from "../../generated/bindings";
import { call, type Backend } from "./backend";

export function createTauriBackend(): Backend {
  return {
    catalogueInfo: () => call(() => invoke<CatalogueInfo>("catalogue_info")),
    fleetOverview: () => call(() => invoke<FleetOverview>("fleet_overview")),
    listTenants: (query) => call(() => invoke<TenantPage>("list_tenants", { query })),
    placeTenant: (request) => call(() => invoke<Decision>("place_tenant", { request })),
    onboardTenant: (request, onProgress) =>
      call(() => {
        const channel = new Channel<OnboardProgress>();
        channel.onmessage = onProgress;
        return invoke<TenantView>("onboard_tenant", { request, onProgress: channel });
      }),
    checkTenantImport: (name, text) =>
      call(() => invoke<TenantImportReport>("check_tenant_import", { name, text })),
    applyTenantImport: (name, text, onProgress) =>
      call(() => {
        const channel = new Channel<ImportProgress>();
        channel.onmessage = onProgress;
        return invoke<TenantImportReport>("apply_tenant_import", { name, text, onProgress: channel });
      }),
    createDemoFleet: () => call(() => invoke<FleetOverview>("create_demo_fleet")),
    newStamp: (request, onProgress) =>
      call(() => {
        const channel = new Channel<ProvisionProgress>();
        channel.onmessage = onProgress;
        return invoke<Stamp>("new_stamp", { request, onProgress: channel });
      }),
    stampDetail: (id) => call(() => invoke<StampDetail>("stamp_detail", { id })),
    setStampStatus: (id, status) => call(() => invoke<Stamp>("set_stamp_status", { id, status })),
    watchHealth: (onHealth) =>
      call(async () => {
        const channel = new Channel<StampHealth[]>();
        channel.onmessage = onHealth;
        await invoke<void>("watch_health", { onHealth: channel });
      }),
    moveTargets: (tenant) => call(() => invoke<MoveTargets>("move_targets", { tenant })),
    moveTenant: (request, onProgress) =>
      call(() => {
        const channel = new Channel<MoveProgress>();
        channel.onmessage = onProgress;
        return invoke<MoveProgress>("move_tenant", { request, onProgress: channel });
      }),
    cancelMove: (operation) => call(() => invoke<string>("cancel_move", { operation })),
    listMoves: (limit) => call(() => invoke<MoveView[]>("list_moves", { limit })),
    drainStamp: (request, onProgress) =>
      call(() => {
        const channel = new Channel<DrainProgress>();
        channel.onmessage = onProgress;
        return invoke<DrainProgress>("drain_stamp", { request, onProgress: channel });
      }),
    routingTable: () => call(() => invoke<RoutingTable>("routing_table")),
    startLocalStamps: () => call(() => invoke<StampId[]>("start_local_stamps")),
    setStampToken: (id, token) => call(() => invoke<void>("set_stamp_token", { id, token })),
    listPlans: () => call(() => invoke<PlanSummary[]>("list_plans")),
    planDetail: (name) => call(() => invoke<PlanDetail>("plan_detail", { name })),
    newPlan: (name) => call(() => invoke<PlanDetail>("new_plan", { name })),
    addPlanAction: (name, action) => call(() => invoke<PlanDetail>("add_plan_action", { name, action })),
    removePlanAction: (name, index) => call(() => invoke<PlanDetail>("remove_plan_action", { name, index })),
    deletePlan: (name) => call(() => invoke<void>("delete_plan", { name })),
    planRebalance: (name, limitPercent) =>
      call(() => invoke<[PlanDetail, RebalancePlan]>("plan_rebalance", { name, limitPercent })),
    forecast: (windowDays, horizonDays) => call(() => invoke<ForecastView>("forecast", { windowDays, horizonDays })),
    planForecast: (name, windowDays, horizonDays) =>
      call(() => invoke<PlanDetail>("plan_forecast", { name, windowDays, horizonDays })),
    exportPlan: (name) => call(() => invoke<string>("export_plan", { name })),
    importPlan: (file, text) => call(() => invoke<PlanDetail>("import_plan", { file, text })),
    checkPlan: (name) => call(() => invoke<PlanCheck>("check_plan", { name })),
    applyPlan: (name, onProgress) =>
      call(() => {
        const channel = new Channel<PlanApplyProgress>();
        channel.onmessage = onProgress;
        return invoke<PlanApplyProgress>("apply_plan", { name, onProgress: channel });
      }),
    pausePlan: (name) => call(() => invoke<void>("pause_plan", { name })),
  };
}
