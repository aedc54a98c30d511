//! Tracing to `stampfleet.log` in the OS data directory ($STAMPFLEET_LOG_DIR overrides),
//! rotated by size (10 MiB, 5 old files kept: `fleet_ops::log_file`).

use std::os::unix::fs::DirBuilderExt;
use std::sync::Mutex;

use fleet_ops::log_file::{RotatingLog, LOG_KEEP, LOG_MAX_BYTES};
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
            .and_then(|()| RotatingLog::open(&dir.join("stampfleet.log"), LOG_MAX_BYTES, LOG_KEEP))
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
