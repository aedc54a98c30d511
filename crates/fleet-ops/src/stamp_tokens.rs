//! Stamp admin tokens in the secret store, named by the catalogue's identity (a UUID
//! written when it was created) and the stamp id, never by the file's path: the same
//! file opened as `c.db`, `./c.db` or `/abs/c.db`, renamed or moved, finds every token.
//! Catalogues made before schema 9 named tokens after a hash of the path as typed;
//! their tokens are renamed once, on first open.

use std::path::{Path, PathBuf};

use fleet_core::StampId;
use stamp_client::{ClientOptions, StampClient};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

/// How a stamp's admin token was named before schema 9: an FNV-1a hash of the
/// catalogue's path as it was typed, then the stamp id.
fn legacy_token_name(path_as_typed: &str, id: &StampId) -> String {
    let hash = path_as_typed
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    format!("{hash:016x}-{id}.admin")
}

/// The spellings a catalogue's path was likely typed as: as given now, absolute,
/// canonical, and relative to the working directory with and without `./`.
fn path_spellings(path: &Path) -> Vec<String> {
    let mut out = vec![path.display().to_string()];
    let cwd = std::env::current_dir().ok();
    let absolute = std::path::absolute(path).ok();
    out.extend(absolute.iter().map(|p| p.display().to_string()));
    out.extend(
        std::fs::canonicalize(path)
            .ok()
            .map(|p| p.display().to_string()),
    );
    for full in absolute
        .iter()
        .chain(std::fs::canonicalize(path).ok().as_ref())
    {
        if let Some(relative) = cwd.as_ref().and_then(|c| full.strip_prefix(c).ok()) {
            out.push(relative.display().to_string());
            out.push(Path::new(".").join(relative).display().to_string());
        }
    }
    if let Ok(stripped) = path.strip_prefix(".") {
        out.push(stripped.display().to_string());
    }
    out.sort();
    out.dedup();
    out
}

impl Fleet {
    /// The secret's name of a stamp's admin token in this catalogue.
    pub fn token_name(&self, id: &StampId) -> String {
        format!("{}.{id}.admin", self.catalogue.id())
    }

    /// The stamp's admin token from the secret store, created on first use.
    pub(crate) fn admin_token(&self, id: &StampId) -> OpsResult<String> {
        let name = self.token_name(id);
        if let Some(token) = self.secrets().get(&name)? {
            return Ok(token);
        }
        let token = crate::secrets::new_token()?;
        self.secrets().put(&name, &token)?;
        Ok(token)
    }

    /// Renames the tokens of a catalogue made before schema 9, once. For each stamp, the
    /// names of every likely spelling of the path are tried; in the file store, a lone
    /// old-style file for the stamp is taken too (the file store sits beside the
    /// catalogue, so it held this catalogue's tokens). Stamps whose token is found
    /// nowhere are logged; their health says "no token" and offers to enter one.
    pub(crate) async fn migrate_token_names(&self) -> OpsResult<()> {
        if self.catalogue.token_names_migrated().await? {
            return Ok(());
        }
        let spellings = path_spellings(self.catalogue.path());
        let doc = self.catalogue.document().await?;
        let (mut renamed, mut missing) = (0, Vec::new());
        // Only a stamp with an endpoint can be asked anything with its token.
        for stamp in doc.stamps.iter().filter(|s| s.endpoint.is_some()) {
            let name = self.token_name(&stamp.id);
            if self.secrets().get(&name)?.is_some() {
                continue;
            }
            let mut found = None;
            for spelling in &spellings {
                let old = legacy_token_name(spelling, &stamp.id);
                if let Some(token) = self.secrets().get(&old)? {
                    found = Some((old, token));
                    break;
                }
            }
            if found.is_none() {
                found = self.lone_legacy_file(&stamp.id)?;
            }
            match found {
                Some((old, token)) => {
                    self.secrets().put(&name, &token)?;
                    self.secrets().delete(&old)?;
                    renamed += 1;
                }
                None => missing.push(stamp.id.to_string()),
            }
        }
        self.catalogue.set_token_names_migrated().await?;
        tracing::info!(renamed, missing = ?missing, "stamp tokens renamed after the catalogue's identity");
        Ok(())
    }

    /// In the file store only: the one `<16 hex>-<stamp>.admin` file there, if exactly
    /// one holds a token for this stamp.
    fn lone_legacy_file(&self, id: &StampId) -> OpsResult<Option<(String, String)>> {
        let Some(dir) = self.secrets().file_dir() else {
            return Ok(None);
        };
        let suffix = format!("-{id}.admin");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(None);
        };
        let names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| {
                n.strip_suffix(&suffix)
                    .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            })
            .collect();
        let [name] = names.as_slice() else {
            return Ok(None);
        };
        Ok(self.secrets().get(name)?.map(|t| (name.clone(), t)))
    }

    /// Stores an operator-given admin token for a stamp, after the stamp's endpoint has
    /// answered its health with it, as this very stamp. A token the stamp refuses is
    /// never stored.
    pub async fn set_stamp_token(&self, id: &StampId, token: &str) -> OpsResult<()> {
        let token = token.trim();
        if token.is_empty() || token.chars().any(char::is_whitespace) {
            return Err(OpsError::invalid(
                "the token is empty or holds spaces; paste the stamp's admin token as it is",
            ));
        }
        let stamp = self
            .catalogue
            .stamp(id)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no stamp {id}")))?;
        let endpoint = stamp.endpoint.ok_or_else(|| {
            OpsError::conflict(format!(
                "stamp {id} has no endpoint: nothing to check the token against"
            ))
        })?;
        let quick = ClientOptions {
            attempts: 1,
            ..ClientOptions::default()
        };
        let client = StampClient::new(&endpoint, token.to_owned(), quick)
            .map_err(|e| OpsError::internal(e.to_string()))?;
        let health = client.health().await.map_err(|e| match e {
            stamp_client::ClientError::Unauthorized { .. } => OpsError::invalid(format!(
                "stamp {id} at {endpoint} refused this token; nothing was stored"
            )),
            other => OpsError::conflict(format!(
                "cannot check the token: {other}; nothing was stored"
            )),
        })?;
        if health.stamp_id != id.as_str() {
            return Err(OpsError::conflict(format!(
                "{endpoint} answers as stamp {}, not {id}; nothing was stored",
                health.stamp_id
            )));
        }
        self.secrets().put(&self.token_name(id), token)?;
        tracing::info!(stamp = %id, "admin token entered by the operator");
        Ok(())
    }

    /// A local stamp's token as its agent reads it (the 0600 file the app wrote into
    /// the stamp's directory), to put back into a secret store that lost it.
    pub(crate) fn local_token_file(&self, id: &StampId) -> Option<String> {
        let path: PathBuf = self.stamp_dir(id).join("admin.token");
        std::fs::read_to_string(path)
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_names_are_the_ones_the_old_version_wrote() {
        let id = StampId::new("weu-01").unwrap();
        // What the code before schema 9 named this stamp's token when the catalogue
        // was opened as "legacy.sqlite" (tests/fixtures/catalogue-schema8-secrets/).
        assert_eq!(
            legacy_token_name("legacy.sqlite", &id),
            "c4c57c4ba03450ac-weu-01.admin"
        );
        assert_ne!(
            legacy_token_name("legacy.sqlite", &id),
            legacy_token_name("./legacy.sqlite", &id)
        );
    }

    #[test]
    fn spellings_cover_relative_dotted_and_absolute() {
        let cwd = std::env::current_dir().unwrap();
        let spellings = path_spellings(Path::new("./c.sqlite"));
        for s in ["./c.sqlite", "c.sqlite"] {
            assert!(spellings.contains(&s.to_owned()), "{s} in {spellings:?}");
        }
        let absolute = cwd.join("c.sqlite").display().to_string();
        assert!(spellings.contains(&absolute), "{absolute} in {spellings:?}");
    }
}
