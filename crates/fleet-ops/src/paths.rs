//! Where Stampfleet keeps its files, shared by the desktop app and stampctl so both
//! open the same catalogue by default.

use std::path::PathBuf;

use crate::error::{OpsError, OpsResult};

pub const CATALOGUE_ENV: &str = "STAMPFLEET_CATALOGUE";
pub const LOG_DIR_ENV: &str = "STAMPFLEET_LOG_DIR";
const APP_DIR: &str = "stampfleet";

/// The catalogue to open: the explicit path, else `$STAMPFLEET_CATALOGUE`, else
/// `catalogue.sqlite` in the OS data directory (`~/.local/share/stampfleet` on Linux).
pub fn catalogue_path(explicit: Option<PathBuf>) -> OpsResult<PathBuf> {
    if let Some(path) = explicit {
        return not_a_url(path, "--catalogue");
    }
    if let Some(path) = std::env::var_os(CATALOGUE_ENV).filter(|v| !v.is_empty()) {
        return not_a_url(PathBuf::from(path), CATALOGUE_ENV);
    }
    let dir = dirs::data_dir().ok_or_else(|| {
        OpsError::invalid(format!(
            "no OS data directory is known here: pass --catalogue PATH or set {CATALOGUE_ENV}"
        ))
    })?;
    Ok(dir.join(APP_DIR).join("catalogue.sqlite"))
}

/// `path`, unless it is a URL (`scheme://...`): a URL is never taken for a file name.
/// This build opens catalogue files only; a team catalogue on a database server is
/// refused with that said.
fn not_a_url(path: PathBuf, given_by: &str) -> OpsResult<PathBuf> {
    let text = path.to_string_lossy();
    let scheme = text.split_once("://").map(|(s, _)| s).filter(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    match scheme {
        None => Ok(path),
        Some("postgres" | "postgresql") => Err(OpsError::invalid(format!(
            "{given_by}: {text:?} names a PostgreSQL catalogue; this build opens catalogue files only \
             (a team catalogue on PostgreSQL is not built yet). Give a file path"
        ))),
        Some(other) => Err(OpsError::invalid(format!(
            "{given_by}: {text:?} is a {other}:// URL, not a file path; give the catalogue file's path"
        ))),
    }
}

/// Where the desktop app writes its log: `$STAMPFLEET_LOG_DIR`, else the OS local
/// data directory (`~/.local/share/stampfleet/logs` on Linux).
pub fn log_dir() -> OpsResult<PathBuf> {
    if let Some(path) = std::env::var_os(LOG_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let dir = dirs::data_local_dir().ok_or_else(|| {
        OpsError::invalid(format!(
            "no OS data directory is known here: set {LOG_DIR_ENV}"
        ))
    })?;
    Ok(dir.join(APP_DIR).join("logs"))
}
