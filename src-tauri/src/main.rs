//! Stampfleet desktop app: opens the catalogue, installs logging, shows the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod logging;
mod startup;
mod web_crash;

use std::path::PathBuf;
use std::process::ExitCode;

use fleet_ops::{paths, FleetSlot};
use tauri::Manager;

const USAGE: &str = "usage: stampfleet [--catalogue PATH] [--version]\n\
  --version          print the version and exit\n\
  --catalogue PATH   catalogue file or postgres://user@host:port/db (default: $STAMPFLEET_CATALOGUE,\n                     else a file in the OS data directory)";

/// What the command line asks for, besides opening the window.
#[derive(Debug, PartialEq)]
enum Asked {
    Help,
    Version,
}

/// Reads `--catalogue PATH` / `--catalogue=PATH`, `--help`, `--version`; anything else
/// is a usage error.
fn parse_args(
    args: impl Iterator<Item = String>,
) -> Result<Option<PathBuf>, Result<Asked, String>> {
    let mut catalogue = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--catalogue" {
            catalogue = Some(PathBuf::from(
                args.next()
                    .ok_or_else(|| Err("--catalogue needs a PATH".to_owned()))?,
            ));
        } else if let Some(path) = arg.strip_prefix("--catalogue=") {
            catalogue = Some(PathBuf::from(path));
        } else if arg == "--help" || arg == "-h" {
            return Err(Ok(Asked::Help));
        } else if arg == "--version" || arg == "-V" {
            return Err(Ok(Asked::Version));
        } else {
            return Err(Err(format!("unknown argument {arg:?}")));
        }
    }
    Ok(catalogue)
}

fn main() -> ExitCode {
    let explicit = match parse_args(std::env::args().skip(1)) {
        Ok(path) => path,
        Err(Ok(Asked::Help)) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(Ok(Asked::Version)) => {
            println!("stampfleet {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(Err(e)) => {
            eprintln!("stampfleet: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    startup::lean_webview();
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
            if let Some(window) = app.get_webview_window("main") {
                web_crash::watch(&window);
            }
            // Off the UI thread: finish interrupted provisioning, bring local stamps back.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { handle.state::<FleetSlot>().recover().await });
            // Attached routers (HAProxy) kept in sync with the routing table.
            let slot = app.state::<FleetSlot>().inner().clone();
            tauri::async_runtime::spawn(fleet_ops::keep_routers_in_sync(slot));
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
        .invoke_handler(commands::handler())
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
            Err(Err("unknown argument \"--catalog\"".into()))
        );
        assert_eq!(
            parse_args(args(&["--catalogue"])),
            Err(Err("--catalogue needs a PATH".into()))
        );
    }

    #[test]
    fn version_and_help_are_asked_before_anything_opens() {
        use super::Asked;
        assert_eq!(parse_args(args(&["--version"])), Err(Ok(Asked::Version)));
        assert_eq!(parse_args(args(&["-V"])), Err(Ok(Asked::Version)));
        assert_eq!(parse_args(args(&["--help"])), Err(Ok(Asked::Help)));
    }
}
