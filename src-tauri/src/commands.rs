//! The IPC surface: each command is a one-liner into fleet-ops. Errors cross as
//! `{code, message}` (fleet_ops::OpsError).

use std::time::Duration;

use fleet_core::placement::Decision;
use fleet_core::plan::PlanAction;
use fleet_core::rebalance::RebalancePlan;
use fleet_core::{
    FleetOverview, Stamp, StampId, StampStatus, TenantId, TenantPage, TenantQuery, TenantView,
};
use fleet_ops::{
    CatalogueInfo, DrainProgress, DrainStamp, FleetSlot, ForecastView, ImportProgress,
    MoveProgress, MoveTargets, MoveTenant, MoveView, NewStamp, OnboardProgress, OnboardTenant,
    OpsError, PlaceTenant, PlanApplyProgress, PlanCheck, PlanDetail, PlanSummary,
    ProvisionProgress, RoutingTable, StampDetail, StampHealth, TenantImportReport,
};
use tauri::ipc::Channel;
use tauri::State;

/// How often the health watcher asks every stamp, and how many at once.
const HEALTH_INTERVAL: Duration = Duration::from_secs(5);
const HEALTH_CONCURRENCY: usize = 8;

#[tauri::command]
pub async fn catalogue_info(slot: State<'_, FleetSlot>) -> Result<CatalogueInfo, OpsError> {
    slot.get().await?.info().await
}

#[tauri::command]
pub async fn fleet_overview(slot: State<'_, FleetSlot>) -> Result<FleetOverview, OpsError> {
    slot.get().await?.overview().await
}

#[tauri::command]
pub async fn list_tenants(
    slot: State<'_, FleetSlot>,
    query: TenantQuery,
) -> Result<TenantPage, OpsError> {
    slot.get().await?.tenants(&query).await
}

#[tauri::command]
pub async fn place_tenant(
    slot: State<'_, FleetSlot>,
    request: PlaceTenant,
) -> Result<Decision, OpsError> {
    slot.get().await?.place_tenant(&request).await
}

#[tauri::command]
pub async fn onboard_tenant(
    slot: State<'_, FleetSlot>,
    request: OnboardTenant,
    on_progress: Channel<OnboardProgress>,
) -> Result<TenantView, OpsError> {
    slot.get()
        .await?
        .onboard_tenant(&request, &move |p| drop(on_progress.send(p)))
        .await
}

/// `name` is the file's name (its extension picks CSV or JSON), `text` its content.
#[tauri::command]
pub async fn check_tenant_import(
    slot: State<'_, FleetSlot>,
    name: String,
    text: String,
) -> Result<TenantImportReport, OpsError> {
    slot.get().await?.check_tenant_import(&name, &text).await
}

#[tauri::command]
pub async fn apply_tenant_import(
    slot: State<'_, FleetSlot>,
    name: String,
    text: String,
    on_progress: Channel<ImportProgress>,
) -> Result<TenantImportReport, OpsError> {
    slot.get()
        .await?
        .apply_tenant_import(&name, &text, &move |p| drop(on_progress.send(p)))
        .await
}

/// The stamps a tenant may move to, and why every other one cannot take it.
#[tauri::command]
pub async fn move_targets(
    slot: State<'_, FleetSlot>,
    tenant: TenantId,
) -> Result<MoveTargets, OpsError> {
    slot.get().await?.move_targets(&tenant).await
}

#[tauri::command]
pub async fn move_tenant(
    slot: State<'_, FleetSlot>,
    request: MoveTenant,
    on_progress: Channel<MoveProgress>,
) -> Result<MoveProgress, OpsError> {
    slot.get()
        .await?
        .move_tenant(&request, &move |p| drop(on_progress.send(p)))
        .await
}

#[tauri::command]
pub async fn cancel_move(slot: State<'_, FleetSlot>, operation: i64) -> Result<String, OpsError> {
    slot.get().await?.cancel_move(operation).await
}

#[tauri::command]
pub async fn list_moves(slot: State<'_, FleetSlot>, limit: u32) -> Result<Vec<MoveView>, OpsError> {
    slot.get().await?.moves(limit).await
}

#[tauri::command]
pub async fn drain_stamp(
    slot: State<'_, FleetSlot>,
    request: DrainStamp,
    on_progress: Channel<DrainProgress>,
) -> Result<DrainProgress, OpsError> {
    slot.get()
        .await?
        .drain_stamp(&request, &move |p| drop(on_progress.send(p)))
        .await
}

#[tauri::command]
pub async fn routing_table(slot: State<'_, FleetSlot>) -> Result<RoutingTable, OpsError> {
    slot.get().await?.routes().await
}

#[tauri::command]
pub async fn create_demo_fleet(slot: State<'_, FleetSlot>) -> Result<FleetOverview, OpsError> {
    slot.get().await?.create_demo(true).await
}

#[tauri::command]
pub async fn new_stamp(
    slot: State<'_, FleetSlot>,
    request: NewStamp,
    on_progress: Channel<ProvisionProgress>,
) -> Result<Stamp, OpsError> {
    slot.get()
        .await?
        .provision_stamp_from_window(&request, &move |p| drop(on_progress.send(p)))
        .await
}

#[tauri::command]
pub async fn stamp_detail(
    slot: State<'_, FleetSlot>,
    id: StampId,
) -> Result<StampDetail, OpsError> {
    slot.get().await?.stamp_detail(&id).await
}

#[tauri::command]
pub async fn set_stamp_status(
    slot: State<'_, FleetSlot>,
    id: StampId,
    status: StampStatus,
) -> Result<Stamp, OpsError> {
    slot.get().await?.set_stamp_status(&id, status).await
}

/// Starts this machine's stamp agents that are not running (they keep their data).
#[tauri::command]
pub async fn start_local_stamps(slot: State<'_, FleetSlot>) -> Result<Vec<StampId>, OpsError> {
    slot.get().await?.start_local_stamps().await
}

/// Stores an admin token the operator entered for a stamp, once the stamp accepts it.
#[tauri::command]
pub async fn set_stamp_token(
    slot: State<'_, FleetSlot>,
    id: StampId,
    token: String,
) -> Result<(), OpsError> {
    slot.get().await?.set_stamp_token(&id, &token).await
}

#[tauri::command]
pub async fn list_plans(slot: State<'_, FleetSlot>) -> Result<Vec<PlanSummary>, OpsError> {
    slot.get().await?.plan_summaries().await
}

#[tauri::command]
pub async fn plan_detail(slot: State<'_, FleetSlot>, name: String) -> Result<PlanDetail, OpsError> {
    slot.get().await?.plan_detail(&name).await
}

#[tauri::command]
pub async fn new_plan(slot: State<'_, FleetSlot>, name: String) -> Result<PlanDetail, OpsError> {
    let fleet = slot.get().await?;
    fleet.new_plan(&name).await?;
    fleet.plan_detail(&name).await
}

#[tauri::command]
pub async fn add_plan_action(
    slot: State<'_, FleetSlot>,
    name: String,
    action: PlanAction,
) -> Result<PlanDetail, OpsError> {
    let fleet = slot.get().await?;
    fleet.add_plan_action(&name, action).await?;
    fleet.plan_detail(&name).await
}

#[tauri::command]
pub async fn remove_plan_action(
    slot: State<'_, FleetSlot>,
    name: String,
    index: u32,
) -> Result<PlanDetail, OpsError> {
    let fleet = slot.get().await?;
    fleet.remove_plan_action(&name, index).await?;
    fleet.plan_detail(&name).await
}

#[tauri::command]
pub async fn delete_plan(slot: State<'_, FleetSlot>, name: String) -> Result<(), OpsError> {
    slot.get().await?.delete_plan(&name).await
}

/// Appends the rebalance planner's moves (no stamp over `limit_percent`); returns the
/// proposal (moves against the lower bound) with the plan.
#[tauri::command]
pub async fn plan_rebalance(
    slot: State<'_, FleetSlot>,
    name: String,
    limit_percent: u8,
) -> Result<(PlanDetail, RebalancePlan), OpsError> {
    let fleet = slot.get().await?;
    let (_, proposal) = fleet.plan_rebalance_into(&name, limit_percent).await?;
    Ok((fleet.plan_detail(&name).await?, proposal))
}

#[tauri::command]
pub async fn forecast(
    slot: State<'_, FleetSlot>,
    window_days: u32,
    horizon_days: u32,
) -> Result<ForecastView, OpsError> {
    slot.get()
        .await?
        .forecast_view(window_days, horizon_days)
        .await
}

#[tauri::command]
pub async fn plan_forecast(
    slot: State<'_, FleetSlot>,
    name: String,
    window_days: u32,
    horizon_days: u32,
) -> Result<PlanDetail, OpsError> {
    let fleet = slot.get().await?;
    fleet
        .plan_forecast_into(&name, window_days, horizon_days)
        .await?;
    fleet.plan_detail(&name).await
}

/// The plan as a file's text (schema version, digest), for the window to save.
#[tauri::command]
pub async fn export_plan(slot: State<'_, FleetSlot>, name: String) -> Result<String, OpsError> {
    slot.get().await?.export_plan(&name).await
}

/// `file` is the file's name (for errors), `text` its content; strict, nothing written
/// when refused.
#[tauri::command]
pub async fn import_plan(
    slot: State<'_, FleetSlot>,
    file: String,
    text: String,
) -> Result<PlanDetail, OpsError> {
    let fleet = slot.get().await?;
    let plan = fleet.import_plan(&file, &text, false).await?;
    fleet.plan_detail(&plan.name).await
}

#[tauri::command]
pub async fn check_plan(slot: State<'_, FleetSlot>, name: String) -> Result<PlanCheck, OpsError> {
    slot.get().await?.check_plan(&name).await
}

#[tauri::command]
pub async fn apply_plan(
    slot: State<'_, FleetSlot>,
    name: String,
    on_progress: Channel<PlanApplyProgress>,
) -> Result<PlanApplyProgress, OpsError> {
    slot.get()
        .await?
        .apply_plan(&name, &move |p| drop(on_progress.send(p)))
        .await
}

#[tauri::command]
pub async fn pause_plan(slot: State<'_, FleetSlot>, name: String) -> Result<(), OpsError> {
    slot.get().await?.pause_plan(&name).await
}

/// Pushes every stamp's health to the window until it stops listening.
#[tauri::command]
pub async fn watch_health(
    slot: State<'_, FleetSlot>,
    on_health: Channel<Vec<StampHealth>>,
) -> Result<(), OpsError> {
    let fleet = slot.get().await?;
    tauri::async_runtime::spawn(async move {
        fleet
            .watch_health(HEALTH_INTERVAL, HEALTH_CONCURRENCY, move |checks| {
                on_health.send(checks).is_ok()
            })
            .await
    });
    Ok(())
}
