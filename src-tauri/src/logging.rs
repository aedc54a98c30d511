//! Tracing to `stampfleet.log` in the OS data directory ($STAMPFLEET_LOG_DIR overrides).

use std::fs::OpenOptions;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::sync::Mutex;

use fleet_ops::paths;
use tracing_subscriber::EnvFilter;

pub fn install() {
    let filter = EnvFilter::try_from_env("STAMPFLEET_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // The log names stamps, tenants and paths: the owner's alone (0700 / 0600).
    let file = paths::log_dir().and_then(|dir| {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .and_then(|()| {
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(0o600)
                    .open(dir.join("stampfleet.log"))
            })
            .map_err(|e| fleet_ops::OpsError::internal(format!("{}: {e}", dir.display())))
    });
    match file {
        Ok(file) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(Mutex::new(file))
            .init(),
        Err(e) => {
            eprintln!(
                "stampfleet: cannot open the log file ({}); logging to standard error",
                e.message
            );
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .init();
        }
    }
}
