//! The IPC surface: each command is a one-liner into fleet-ops. Errors cross as
//! `{code, message}` (fleet_ops::OpsError).

use fleet_core::FleetOverview;
use fleet_ops::{CatalogueInfo, FleetSlot, OpsError};
use tauri::State;

#[tauri::command]
pub async fn catalogue_info(slot: State<'_, FleetSlot>) -> Result<CatalogueInfo, OpsError> {
    slot.get().await?.info().await
}

#[tauri::command]
pub async fn fleet_overview(slot: State<'_, FleetSlot>) -> Result<FleetOverview, OpsError> {
    slot.get().await?.overview().await
}

#[tauri::command]
pub async fn create_demo_fleet(slot: State<'_, FleetSlot>) -> Result<FleetOverview, OpsError> {
    slot.get().await?.create_demo().await
}
