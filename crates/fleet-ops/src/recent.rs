//! Recent catalogues: every catalogue the window opened (a file by its absolute path, a
//! team catalogue by its URL without a password: a server's password comes from
//! `PGPASSWORD` or `~/.pgpass`, never from here), newest first, kept in
//! `recent-catalogues.json` in the OS config directory (`STAMPFLEET_CONFIG_DIR` to
//! choose another). Another one opens in a window of its own.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{OpsError, OpsResult};

pub const CONFIG_DIR_ENV: &str = "STAMPFLEET_CONFIG_DIR";
/// How many are kept.
const KEPT: usize = 10;

/// A catalogue opened before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentCatalogue {
    /// A file's absolute path, or a team catalogue's URL without its password.
    pub location: String,
    /// `file` or `team`.
    pub kind: String,
    /// When it was last opened (RFC 3339, UTC).
    pub opened_at: String,
}

fn recent_file() -> Option<PathBuf> {
    let dir = std::env::var_os(CONFIG_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("stampfleet")))?;
    Some(dir.join("recent-catalogues.json"))
}

/// The recent catalogues, newest first; an unreadable list reads as empty (and is
/// logged): it is a convenience, never in the way of opening a catalogue.
pub fn recent() -> Vec<RecentCatalogue> {
    let Some(file) = recent_file() else {
        return Vec::new();
    };
    match std::fs::read_to_string(&file) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            tracing::warn!(file = %file.display(), error = %e, "recent catalogues unreadable");
            Vec::new()
        }),
        Err(_) => Vec::new(),
    }
}

/// `location` as the list keeps it: a file made absolute, a URL without its password.
fn kept_form(location: &Path) -> (String, &'static str) {
    let text = location.to_string_lossy();
    if catalogue::is_server_url(&text) {
        (catalogue::redact(&text), "team")
    } else {
        let absolute = std::path::absolute(location).unwrap_or_else(|_| location.to_owned());
        (absolute.display().to_string(), "file")
    }
}

/// Puts `location` first in the list (written whole, then renamed into place).
pub fn remember(location: &Path) {
    let Some(file) = recent_file() else { return };
    let (location, kind) = kept_form(location);
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut list = recent();
    list.retain(|r| r.location != location);
    list.insert(
        0,
        RecentCatalogue {
            location,
            kind: kind.to_owned(),
            opened_at: now,
        },
    );
    list.truncate(KEPT);
    let written = (|| -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(&list)? + "\n")?;
        std::fs::rename(&tmp, &file)
    })();
    if let Err(e) = written {
        tracing::warn!(file = %file.display(), error = %e, "recent catalogues not written");
    }
}

/// Opens `location` in a window of its own: this program started again on it. Only the
/// desktop app can (a browser served by stampctl has no windows to open).
pub fn open_in_new_window(location: &str) -> OpsResult<String> {
    let location = location.trim();
    let path = crate::paths::catalogue_path(Some(PathBuf::from(location)))?;
    let exe = std::env::current_exe()
        .map_err(|e| OpsError::internal(format!("this program's path: {e}")))?;
    let is_app = exe
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("stampfleet"));
    if !is_app {
        return Err(OpsError::invalid(
            "another catalogue opens in a new window of the desktop app; here, start \
             stampctl serve-ui --catalogue on it",
        ));
    }
    std::process::Command::new(exe)
        .arg("--catalogue")
        .arg(&path)
        .env_remove(crate::paths::CATALOGUE_ENV)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| OpsError::internal(format!("starting a new window: {e}")))?;
    Ok(format!("{} opens in a new window", kept_form(&path).0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_kept_without_its_password_and_a_file_absolute() {
        let (url, kind) = kept_form(Path::new("postgres://ops:s3cret@db:5432/fleet"));
        assert_eq!(
            (url.as_str(), kind),
            ("postgres://ops@db:5432/fleet", "team")
        );
        let (file, kind) = kept_form(Path::new("c.sqlite"));
        assert!(Path::new(&file).is_absolute() && file.ends_with("/c.sqlite"));
        assert_eq!(kind, "file");
    }
}
