//! Where Stampfleet keeps its files, shared by the desktop app and stampctl so both
//! open the same catalogue by default.

use std::path::PathBuf;

use crate::error::{OpsError, OpsResult};

pub const CATALOGUE_ENV: &str = "STAMPFLEET_CATALOGUE";
pub const LOG_DIR_ENV: &str = "STAMPFLEET_LOG_DIR";
/// This machine's files for team catalogues (default: the OS data directory's `stampfleet`).
pub const DATA_DIR_ENV: &str = "STAMPFLEET_DATA_DIR";
const APP_DIR: &str = "stampfleet";

/// The catalogue to open: the explicit location, else `$STAMPFLEET_CATALOGUE`, else
/// `catalogue.sqlite` in the OS data directory (`~/.local/share/stampfleet` on Linux).
/// A location is a file path or a team catalogue's `postgres://` URL (kept as given).
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

/// `path`, unless it is a URL (`scheme://...`) other than PostgreSQL's: a URL is never
/// taken for a file name.
fn not_a_url(path: PathBuf, given_by: &str) -> OpsResult<PathBuf> {
    let text = path.to_string_lossy();
    let scheme = text.split_once("://").map(|(s, _)| s).filter(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    match scheme {
        None => Ok(path),
        Some("postgres" | "postgresql") => Ok(path),
        Some(other) => Err(OpsError::invalid(format!(
            "{given_by}: {text:?} is a {other}:// URL, not a file path; give the catalogue file's path \
             or a team catalogue's postgres:// URL"
        ))),
    }
}

/// This machine's directory for the team catalogue `id` (a UUID): its local stamps and
/// file secrets, under `team/<id>` in `data_dir`, else `$STAMPFLEET_DATA_DIR`, else the
/// OS data directory's `stampfleet`.
pub fn team_catalogue_home(id: &str, data_dir: Option<&std::path::Path>) -> OpsResult<PathBuf> {
    let from_env = std::env::var_os(DATA_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let base = match data_dir.map(ToOwned::to_owned).or(from_env) {
        Some(dir) => dir,
        None => dirs::data_dir()
            .ok_or_else(|| {
                OpsError::invalid("no OS data directory is known here for a team catalogue's files")
            })?
            .join(APP_DIR),
    };
    Ok(base.join("team").join(id))
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

/// Writes `bytes` to `path` as a file only its owner reads (0600 whatever the umask):
/// whole, synced, then renamed into place (`tmp`), so a reader never sees half of it.
pub(crate) fn write_private_file(
    path: &std::path::Path,
    tmp: &std::path::Path,
    bytes: &[u8],
) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(tmp)?;
    file.write_all(bytes).and_then(|()| file.sync_all())?;
    std::fs::rename(tmp, path)
}
