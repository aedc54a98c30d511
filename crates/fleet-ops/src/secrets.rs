//! Where stamp tokens live: the OS keychain (Secret Service) when one answers, else
//! 0600 files in a 0700 directory under the app's data directory. Never the catalogue,
//! never a log.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::error::{OpsError, OpsResult};

const SERVICE: &str = "stampfleet";

pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> OpsResult<Option<String>>;
    fn put(&self, name: &str, value: &str) -> OpsResult<()>;
    fn delete(&self, name: &str) -> OpsResult<()>;
    /// Where the secrets are, for the log and the UI (never a secret itself).
    fn describe(&self) -> String;
    /// The directory of a file store; `None` for the keychain.
    fn file_dir(&self) -> Option<PathBuf> {
        None
    }
}

/// Picks the keychain if it works here, else the file store in `fallback_dir`.
/// `STAMPFLEET_SECRETS=file` forces the file store (tests, headless machines).
/// When the keychain is locked or absent, the file store says why it is used.
pub fn detect(fallback_dir: PathBuf) -> Box<dyn SecretStore> {
    let forced_file = std::env::var("STAMPFLEET_SECRETS").is_ok_and(|v| v == "file");
    let why = if forced_file {
        "STAMPFLEET_SECRETS=file".to_owned()
    } else {
        match KeyringStore::probe() {
            Ok(()) => {
                tracing::info!("stamp tokens are kept in the OS keychain");
                return Box::new(KeyringStore);
            }
            Err(e) => format!("the OS keychain is locked or absent: {e}"),
        }
    };
    tracing::info!(dir = %fallback_dir.display(), %why, "stamp tokens are kept in 0600 files");
    Box::new(FileStore {
        dir: fallback_dir,
        why: Some(why),
    })
}

struct KeyringStore;

impl KeyringStore {
    /// Writes, reads and deletes a probe entry: a locked keychain (no one to unlock
    /// it) or no Secret Service on the session bus fails here.
    fn probe() -> Result<(), keyring::Error> {
        let entry = keyring::Entry::new(SERVICE, "probe")?;
        entry.set_password("probe")?;
        entry.get_password()?;
        entry.delete_credential()
    }

    fn entry(name: &str) -> OpsResult<keyring::Entry> {
        keyring::Entry::new(SERVICE, name)
            .map_err(|e| OpsError::internal(format!("keychain entry {name}: {e}")))
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, name: &str) -> OpsResult<Option<String>> {
        match Self::entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(OpsError::internal(format!("keychain read {name}: {e}"))),
        }
    }

    fn put(&self, name: &str, value: &str) -> OpsResult<()> {
        Self::entry(name)?
            .set_password(value)
            .map_err(|e| OpsError::internal(format!("keychain write {name}: {e}")))
    }

    fn delete(&self, name: &str) -> OpsResult<()> {
        match Self::entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(OpsError::internal(format!("keychain delete {name}: {e}"))),
        }
    }

    fn describe(&self) -> String {
        "OS keychain".to_owned()
    }
}

/// 0600 files named after the secret in a 0700 directory.
pub struct FileStore {
    pub dir: PathBuf,
    /// Why files are used rather than the keychain, when it was chosen for a reason.
    pub why: Option<String>,
}

impl FileStore {
    fn path(&self, name: &str) -> OpsResult<PathBuf> {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(OpsError::internal(format!(
                "secret name {name:?} is not a plain file name"
            )));
        }
        Ok(self.dir.join(name))
    }
}

impl SecretStore for FileStore {
    fn get(&self, name: &str) -> OpsResult<Option<String>> {
        let path = self.path(name)?;
        match fs::read_to_string(&path) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(OpsError::internal(format!("{}: {e}", path.display()))),
        }
    }

    fn put(&self, name: &str, value: &str) -> OpsResult<()> {
        let io = |e: std::io::Error| OpsError::internal(format!("{}: {e}", self.dir.display()));
        fs::create_dir_all(&self.dir).map_err(io)?;
        fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700)).map_err(io)?;
        let path = self.path(name)?;
        crate::paths::write_private_file(&path, &path.with_extension("tmp"), value.as_bytes())
            .map_err(io)
    }

    fn delete(&self, name: &str) -> OpsResult<()> {
        match fs::remove_file(self.path(name)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(OpsError::internal(format!("{}: {e}", self.dir.display()))),
        }
    }

    fn describe(&self) -> String {
        match &self.why {
            Some(why) => format!("0600 files in {} ({why})", self.dir.display()),
            None => format!("0600 files in {}", self.dir.display()),
        }
    }

    fn file_dir(&self) -> Option<PathBuf> {
        Some(self.dir.clone())
    }
}

/// A new random token (256 bits, hex) from the OS's generator.
pub fn new_token() -> OpsResult<String> {
    let mut bytes = [0u8; 32];
    let mut urandom = fs::File::open("/dev/urandom")
        .map_err(|e| OpsError::internal(format!("/dev/urandom: {e}")))?;
    std::io::Read::read_exact(&mut urandom, &mut bytes)
        .map_err(|e| OpsError::internal(format!("/dev/urandom: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_keeps_secrets_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore {
            dir: dir.path().join("secrets"),
            why: None,
        };
        assert_eq!(store.get("stamp-a.admin").unwrap(), None);
        store.put("stamp-a.admin", "s3cret").unwrap();
        assert_eq!(
            store.get("stamp-a.admin").unwrap().as_deref(),
            Some("s3cret")
        );
        let mode = |p: PathBuf| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.path().join("secrets")), 0o700);
        assert_eq!(mode(dir.path().join("secrets/stamp-a.admin")), 0o600);
        store.delete("stamp-a.admin").unwrap();
        assert_eq!(store.get("stamp-a.admin").unwrap(), None);
        assert!(store.put("../escape", "x").is_err());
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
