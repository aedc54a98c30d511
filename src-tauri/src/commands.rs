//! The IPC surface: each command is a one-liner into fleet-ops. Errors cross as
//! `{code, message}` (fleet_ops::OpsError).

use std::time::Duration;

use fleet_core::placement::Decision;
use fleet_core::{
    FleetOverview, Stamp, StampId, StampStatus, TenantId, TenantPage, TenantQuery, TenantView,
};
use fleet_ops::{
    CatalogueInfo, DrainProgress, DrainStamp, FleetSlot, ImportProgress, MoveProgress, MoveTargets,
    MoveTenant, MoveView, NewStamp, OnboardProgress, OnboardTenant, OpsError, PlaceTenant,
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
        .provision_stamp(&request, &move |p| drop(on_progress.send(p)))
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
