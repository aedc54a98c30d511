//! Stampfleet desktop app: opens the catalogue, installs logging, shows the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod logging;
mod startup;

use std::path::PathBuf;
use std::process::ExitCode;

use fleet_ops::{paths, FleetSlot};
use tauri::Manager;

const USAGE: &str = "usage: stampfleet [--catalogue PATH]\n\
  --catalogue PATH   catalogue file (default: $STAMPFLEET_CATALOGUE, else the OS data directory)";

/// Reads `--catalogue PATH` / `--catalogue=PATH`; anything else is a usage error.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<PathBuf>, String> {
    let mut catalogue = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--catalogue" {
            catalogue = Some(PathBuf::from(
                args.next().ok_or("--catalogue needs a PATH")?,
            ));
        } else if let Some(path) = arg.strip_prefix("--catalogue=") {
            catalogue = Some(PathBuf::from(path));
        } else if arg == "--help" || arg == "-h" {
            return Err(String::new());
        } else {
            return Err(format!("unknown argument {arg:?}"));
        }
    }
    Ok(catalogue)
}

fn main() -> ExitCode {
    let explicit = match parse_args(std::env::args().skip(1)) {
        Ok(path) => path,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("stampfleet: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    logging::install();
    startup::install_panic_hook();
    if let Err(e) = startup::check_display() {
        tracing::error!(error = %e, "no window can be opened");
        eprintln!("stampfleet: {e}");
        return ExitCode::from(2);
    }

    // The catalogue opens on the window's first call; a catalogue that cannot be opened
    // is shown in the window (and retried on "Try again"), never a crash.
    let slot = FleetSlot::new(paths::catalogue_path(explicit));

    let result = tauri::Builder::default()
        .manage(slot)
        .setup(|app| {
            // Off the UI thread: finish interrupted provisioning, bring local stamps back.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { handle.state::<FleetSlot>().recover().await });
            // The routes endpoint routers poll (loopback; a taken port is logged, not fatal).
            let slot = app.state::<FleetSlot>().inner().clone();
            tauri::async_runtime::spawn(async move {
                let addr = std::env::var("STAMPFLEET_ROUTES_ADDR")
                    .unwrap_or_else(|_| fleet_ops::DEFAULT_ROUTES_ADDR.to_owned());
                match addr.parse() {
                    Ok(addr) => {
                        if let Err(e) = fleet_ops::serve_routes(slot, addr).await {
                            tracing::error!(error = %e.message, "routes endpoint not started");
                        }
                    }
                    Err(e) => tracing::error!(%addr, error = %e, "STAMPFLEET_ROUTES_ADDR is not an address"),
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::catalogue_info,
            commands::fleet_overview,
            commands::list_tenants,
            commands::place_tenant,
            commands::onboard_tenant,
            commands::check_tenant_import,
            commands::apply_tenant_import,
            commands::create_demo_fleet,
            commands::move_targets,
            commands::move_tenant,
            commands::cancel_move,
            commands::list_moves,
            commands::drain_stamp,
            commands::routing_table,
            commands::new_stamp,
            commands::stamp_detail,
            commands::set_stamp_status,
            commands::watch_health,
            commands::start_local_stamps,
            commands::set_stamp_token,
            commands::list_plans,
            commands::plan_detail,
            commands::new_plan,
            commands::add_plan_action,
            commands::remove_plan_action,
            commands::delete_plan,
            commands::plan_rebalance,
            commands::forecast,
            commands::plan_forecast,
            commands::export_plan,
            commands::import_plan,
            commands::check_plan,
            commands::apply_plan,
            commands::pause_plan,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "window failed");
            eprintln!("stampfleet: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_args;

    fn args(v: &[&str]) -> impl Iterator<Item = String> {
        v.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn catalogue_flag_both_forms() {
        assert_eq!(
            parse_args(args(&["--catalogue", "/a"])),
            Ok(Some("/a".into()))
        );
        assert_eq!(parse_args(args(&["--catalogue=/b"])), Ok(Some("/b".into())));
        assert_eq!(parse_args(args(&[])), Ok(None));
    }

    #[test]
    fn bad_arguments_are_named() {
        assert_eq!(
            parse_args(args(&["--catalog"])),
            Err("unknown argument \"--catalog\"".into())
        );
        assert_eq!(
            parse_args(args(&["--catalogue"])),
            Err("--catalogue needs a PATH".into())
        );
    }
}
