const COMMANDS: &[&str] = &[
    "catalogue_info",
    "fleet_overview",
    "create_demo_fleet",
    "new_stamp",
    "stamp_detail",
    "set_stamp_status",
    "watch_health",
    "list_tenants",
    "place_tenant",
    "onboard_tenant",
    "check_tenant_import",
    "apply_tenant_import",
    "move_targets",
    "move_tenant",
    "cancel_move",
    "list_moves",
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
    "import_plan",
    "check_plan",
    "apply_plan",
    "pause_plan",
];

fn main() {
    // Each command gets an `allow-<command>` permission; capabilities/ grants exactly these.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}
