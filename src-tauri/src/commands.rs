//! The IPC surface: each command is a one-liner into fleet-ops. Errors cross as
//! `{code, message}` (fleet_ops::OpsError).

use fleet_core::FleetOverview;
use fleet_ops::{CatalogueInfo, Fleet, OpsError};
use tauri::State;

/// The catalogue the window works on, or why it could not be opened.
pub struct AppState(pub Result<Fleet, OpsError>);

impl AppState {
    fn fleet(&self) -> Result<&Fleet, OpsError> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

#[tauri::command]
pub async fn catalogue_info(state: State<'_, AppState>) -> Result<CatalogueInfo, OpsError> {
    state.fleet()?.info().await
}

#[tauri::command]
pub async fn fleet_overview(state: State<'_, AppState>) -> Result<FleetOverview, OpsError> {
    state.fleet()?.overview().await
}

#[tauri::command]
pub async fn create_demo_fleet(state: State<'_, AppState>) -> Result<FleetOverview, OpsError> {
    state.fleet()?.create_demo().await
}
