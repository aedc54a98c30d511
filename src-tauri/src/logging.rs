//! Tracing to `stampfleet.log` in the OS data directory ($STAMPFLEET_LOG_DIR overrides).

use std::fs::OpenOptions;
use std::sync::Mutex;

use fleet_ops::paths;
use tracing_subscriber::EnvFilter;

pub fn install() {
    let filter = EnvFilter::try_from_env("STAMPFLEET_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let file = paths::log_dir().and_then(|dir| {
        std::fs::create_dir_all(&dir)
            .and_then(|()| {
                OpenOptions::new()
                    .create(true)
                    .append(true)
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
