//! Operator providers: named command and http providers this operator configures on
//! this machine, kept in `providers.json` in the OS config directory
//! (`STAMPFLEET_CONFIG_DIR` to choose another), never in the catalogue others may share.
//! New stamps and plan AddStamp actions name one; the program or URL is read from this
//! file when the stamp is provisioned.
//!
//! The security decision: the window lists every provider, adds and removes http
//! providers and removes any, but never adds or changes a command provider, since that
//! would let web content name a program for the app to run. Command providers are added
//! with `stampctl provider add NAME --command ...` or by editing the file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{OpsError, OpsResult};
use crate::providers::ProviderConfig;
use crate::recent::CONFIG_DIR_ENV;

/// A provider by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperatorProvider {
    /// Lowercase letters, digits and dashes; not `local` (the built-in one).
    pub name: String,
    pub provider: ProviderConfig,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProvidersFile {
    providers: Vec<OperatorProvider>,
}

/// Where the providers are kept.
pub fn providers_file() -> OpsResult<PathBuf> {
    std::env::var_os(CONFIG_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("stampfleet")))
        .map(|d| d.join("providers.json"))
        .ok_or_else(|| OpsError::internal("no config directory: set STAMPFLEET_CONFIG_DIR"))
}

/// The configured providers, by name; none when the file does not exist. A file that
/// does not read is an error naming it, its line and column.
pub fn operator_providers() -> OpsResult<Vec<OperatorProvider>> {
    let file = providers_file()?;
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(OpsError::invalid(format!("{}: {e}", file.display()))),
    };
    let parsed: ProvidersFile = serde_json::from_str(&text).map_err(|e| {
        OpsError::invalid(format!(
            "{}: line {}, column {}: {e}",
            file.display(),
            e.line(),
            e.column()
        ))
    })?;
    for p in &parsed.providers {
        check(p).map_err(|e| {
            OpsError::invalid(format!("{}: provider {:?}: {e}", file.display(), p.name))
        })?;
    }
    Ok(parsed.providers)
}

fn check(p: &OperatorProvider) -> Result<(), String> {
    let ok_name = !p.name.is_empty()
        && p.name.len() <= 40
        && p.name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !p.name.starts_with('-');
    if !ok_name {
        return Err("name: 1 to 40 lowercase letters, digits and dashes".to_owned());
    }
    if p.name == "local" {
        return Err("name: `local` is the built-in provider".to_owned());
    }
    match &p.provider {
        ProviderConfig::Local => Err("provider: kind must be command or http".to_owned()),
        ProviderConfig::Command {
            program,
            timeout_secs,
            ..
        } => {
            if program.trim().is_empty() {
                return Err("provider.program: must not be empty".to_owned());
            }
            if *timeout_secs == 0 {
                return Err("provider.timeoutSecs: must be greater than 0".to_owned());
            }
            Ok(())
        }
        ProviderConfig::Http { url, timeout_secs } => {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!("provider.url: {url:?} is not an http(s) URL"));
            }
            if *timeout_secs == 0 {
                return Err("provider.timeoutSecs: must be greater than 0".to_owned());
            }
            Ok(())
        }
    }
}

fn write(list: &[OperatorProvider]) -> OpsResult<()> {
    let file = providers_file()?;
    let io = |e: std::io::Error| OpsError::internal(format!("{}: {e}", file.display()));
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(&ProvidersFile {
        providers: list.to_vec(),
    })
    .map_err(|e| OpsError::internal(e.to_string()))?;
    crate::paths::write_private_file(
        &file,
        &file.with_extension("json.tmp"),
        (text + "\n").as_bytes(),
    )
    .map_err(io)
}

/// Adds or replaces a provider. `from_window`: only http providers, and never in place
/// of a command provider (the window never names a program to run).
pub fn save_operator_provider(
    provider: OperatorProvider,
    from_window: bool,
) -> OpsResult<Vec<OperatorProvider>> {
    check(&provider).map_err(OpsError::invalid)?;
    let mut list = operator_providers()?;
    if from_window {
        let names_program = matches!(provider.provider, ProviderConfig::Command { .. })
            || list.iter().any(|p| {
                p.name == provider.name && matches!(p.provider, ProviderConfig::Command { .. })
            });
        if names_program {
            return Err(OpsError::invalid(
                "provider: the window never adds or changes a command provider (a program to run); \
                 add it with `stampctl provider add NAME --command PROGRAM` or in providers.json",
            ));
        }
    }
    list.retain(|p| p.name != provider.name);
    list.push(provider);
    list.sort_by(|a, b| a.name.cmp(&b.name));
    write(&list)?;
    Ok(list)
}

/// Removes a provider by name.
pub fn remove_operator_provider(name: &str) -> OpsResult<Vec<OperatorProvider>> {
    let mut list = operator_providers()?;
    let before = list.len();
    list.retain(|p| p.name != name);
    if list.len() == before {
        return Err(OpsError::invalid(format!("no provider named {name:?}")));
    }
    write(&list)?;
    Ok(list)
}

/// The configuration of the provider named `name` ("local": the built-in one).
pub fn resolve_provider(name: &str) -> OpsResult<ProviderConfig> {
    if name == "local" {
        return Ok(ProviderConfig::Local);
    }
    operator_providers()?
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.provider)
        .ok_or_else(|| {
            let file = providers_file()
                .map(|f| f.display().to_string())
                .unwrap_or_default();
            OpsError::invalid(format!(
                "provider: no provider named {name:?} is configured on this machine ({file}); \
                 `stampctl provider list` shows them"
            ))
        })
}
