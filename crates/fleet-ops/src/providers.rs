//! Providers that create a stamp somewhere and hand back its endpoint and admin token,
//! and later upgrade its infrastructure to another template version (a rollout asks
//! the provider that made a stamp before the Stamp API upgrade). `local` is embedded
//! (local_provider.rs); `command` runs an operator's IaC command (terraform, tofu,
//! pulumi, az ...); `http` posts to a provisioning service and polls.

use std::time::{Duration, Instant};

use fleet_core::Stamp;
use serde::{Deserialize, Serialize};

use crate::error::{OpsError, OpsResult};

/// Which provider creates a stamp, with its operator-set configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ProviderConfig {
    /// A stamp-agent process on this machine.
    #[default]
    Local,
    /// A command that reads the stamp's parameters as JSON on stdin and prints
    /// `{"endpoint": ..., "adminToken": ...}` on stdout.
    #[serde(rename_all = "camelCase")]
    Command {
        program: String,
        args: Vec<String>,
        #[ts(type = "number")]
        timeout_secs: u64,
    },
    /// A service: POST the parameters, then poll the operation URL it answers with.
    #[serde(rename_all = "camelCase")]
    Http {
        url: String,
        #[ts(type = "number")]
        timeout_secs: u64,
    },
}

/// What a provider is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ProviderAction {
    /// Create the stamp; answer its endpoint and admin token.
    Provision,
    /// Bring the stamp's infrastructure to `templateVersion` (from `previousVersion`;
    /// a rollback is the same request the other way). Safe to ask twice.
    Upgrade,
}

/// What a provider is given.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StampParameters<'a> {
    pub action: ProviderAction,
    pub stamp_id: &'a str,
    pub region: &'a str,
    pub template_name: &'a str,
    pub template_version: &'a str,
    pub capacity_units: u32,
    /// Upgrade only: the version the stamp runs now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_version: Option<&'a str>,
    /// Upgrade only: the stamp's endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<&'a str>,
}

impl<'a> StampParameters<'a> {
    /// Create `stamp`.
    pub fn of(stamp: &'a Stamp) -> Self {
        Self {
            action: ProviderAction::Provision,
            stamp_id: stamp.id.as_str(),
            region: stamp.region.as_str(),
            template_name: stamp.template.as_str(),
            template_version: stamp.template_version.as_str(),
            capacity_units: stamp.capacity_units,
            previous_version: None,
            endpoint: None,
        }
    }

    /// Take `stamp` (as recorded) from `from` to `to`.
    pub fn upgrade(stamp: &'a Stamp, from: &'a str, to: &'a str) -> Self {
        Self {
            action: ProviderAction::Upgrade,
            template_version: to,
            previous_version: Some(from),
            endpoint: stamp.endpoint.as_deref(),
            ..Self::of(stamp)
        }
    }
}

/// How a provider's answer to an action is read.
pub trait ProviderAnswer: Sized {
    /// Reads `text` (what the command printed, or the operation's final state as JSON)
    /// from `source`.
    fn read(source: &str, text: &str) -> OpsResult<Self>;
}

impl ProviderAnswer for Provisioned {
    fn read(source: &str, text: &str) -> OpsResult<Self> {
        parse_answer(source, text)
    }
}

/// An upgrade's answer: success is the exit status (or the operation's `succeeded`);
/// what it printed goes to the log only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upgraded;

impl ProviderAnswer for Upgraded {
    fn read(_source: &str, _text: &str) -> OpsResult<Self> {
        Ok(Upgraded)
    }
}

/// What a provider hands back.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provisioned {
    pub endpoint: String,
    pub admin_token: String,
}

/// The provider's own output, for the operation log, with the token redacted.
pub struct ProviderRun<T = Provisioned> {
    pub result: OpsResult<T>,
    pub log: String,
}

const LOG_LIMIT: usize = 64 * 1024;

pub(crate) fn redact(text: &str, secret: Option<&str>) -> String {
    let text = match secret.filter(|s| !s.is_empty()) {
        Some(s) => text.replace(s, "***"),
        None => text.to_owned(),
    };
    if text.len() > LOG_LIMIT {
        let cut = (0..=LOG_LIMIT)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        format!("{}\n[... output cut at {LOG_LIMIT} bytes]", &text[..cut])
    } else {
        text
    }
}

pub(crate) fn parse_answer(source: &str, text: &str) -> OpsResult<Provisioned> {
    let answer: Provisioned = serde_json::from_str(text.trim())
        .map_err(|e| OpsError::invalid(format!("{source} printed no valid answer ({e}); expected {{\"endpoint\": ..., \"adminToken\": ...}}")))?;
    if !(answer.endpoint.starts_with("http://") || answer.endpoint.starts_with("https://")) {
        return Err(OpsError::invalid(format!(
            "{source}: endpoint {:?} is not an http(s) URL",
            answer.endpoint
        )));
    }
    if answer.admin_token.len() < 16 {
        return Err(OpsError::invalid(format!(
            "{source}: adminToken must be at least 16 characters"
        )));
    }
    Ok(answer)
}

pub use crate::command_provider::run_command;

/// Runs a command provider (on a blocking thread) or an http provider with `params`.
pub async fn run_provider<T: ProviderAnswer + Send + 'static>(
    provider: &ProviderConfig,
    params: &StampParameters<'_>,
) -> OpsResult<ProviderRun<T>> {
    match provider {
        ProviderConfig::Command {
            program,
            args,
            timeout_secs,
        } => {
            let input = serde_json::to_value(params)
                .map_err(|e| OpsError::internal(format!("provider parameters: {e}")))?;
            let (program, args) = (program.clone(), args.clone());
            let timeout = Duration::from_secs(*timeout_secs);
            tokio::task::spawn_blocking(move || run_command(&program, &args, &input, timeout))
                .await
                .map_err(|e| OpsError::internal(format!("provider task: {e}")))
        }
        ProviderConfig::Http { url, timeout_secs } => {
            Ok(run_http(url, params, Duration::from_secs(*timeout_secs)).await)
        }
        ProviderConfig::Local => Err(OpsError::internal("the local provider has its own steps")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Accepted {
    operation: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OperationState {
    state: String,
    endpoint: Option<String>,
    admin_token: Option<String>,
    error: Option<String>,
}

/// Runs the http provider: POST the parameters, then poll the operation until it ends
/// or `timeout` passes.
pub async fn run_http<T: ProviderAnswer>(
    url: &str,
    params: &StampParameters<'_>,
    timeout: Duration,
) -> ProviderRun<T> {
    let mut log = format!("POST {url}\n");
    let fail = |message: String, log: String| ProviderRun {
        result: Err(OpsError::invalid(message)),
        log,
    };
    let http = match reqwest_client(timeout) {
        Ok(h) => h,
        Err(e) => return fail(e, log),
    };
    let accepted: Accepted = match http.post(url).json(params).send().await {
        Ok(r) if r.status().is_success() => match r.json().await {
            Ok(a) => a,
            Err(e) => return fail(format!("{url}: malformed answer: {e}"), log),
        },
        Ok(r) => return fail(format!("{url} refused the request: {}", r.status()), log),
        Err(e) => return fail(format!("{url}: {e}"), log),
    };
    let operation = if accepted.operation.starts_with("http") {
        accepted.operation
    } else {
        join_url(url, &accepted.operation)
    };
    log.push_str(&format!("operation {operation}\n"));
    let deadline = Instant::now() + timeout;
    loop {
        let state: OperationState = match http.get(&operation).send().await {
            Ok(r) if r.status().is_success() => match r.json().await {
                Ok(s) => s,
                Err(e) => return fail(format!("{operation}: malformed answer: {e}"), log),
            },
            Ok(r) => return fail(format!("{operation}: {}", r.status()), log),
            Err(e) => return fail(format!("{operation}: {e}"), log),
        };
        log.push_str(&format!("state {}\n", state.state));
        match state.state.as_str() {
            "succeeded" => {
                let answer = serde_json::json!({ "endpoint": state.endpoint, "adminToken": state.admin_token }).to_string();
                return ProviderRun {
                    result: T::read(&operation, &answer),
                    log,
                };
            }
            "failed" => {
                // A token the service handed out anyway never reaches the log or the error.
                let error = redact(
                    &state.error.unwrap_or_default(),
                    state.admin_token.as_deref(),
                );
                return fail(format!("provisioning service failed: {error}"), log);
            }
            _ if Instant::now() >= deadline => {
                return fail(
                    format!("{operation} did not finish within {}s", timeout.as_secs()),
                    log,
                )
            }
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn join_url(base: &str, path: &str) -> String {
    let origin_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|i| base[i..].find('/').map(|j| i + j))
        .unwrap_or(base.len());
    format!("{}{}", &base[..origin_end], path)
}

fn reqwest_client(timeout: Duration) -> Result<stamp_client::HttpClient, String> {
    stamp_client::http_client(Duration::from_secs(2), timeout.min(Duration::from_secs(10)))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_reach_the_log() {
        assert_eq!(
            redact("token abcdefabcdefabcdef end", Some("abcdefabcdefabcdef")),
            "token *** end"
        );
        let long = "x".repeat(LOG_LIMIT + 10);
        assert!(redact(&long, None).ends_with("output cut at 65536 bytes]"));
    }

    #[test]
    fn relative_operation_paths_join_the_origin() {
        assert_eq!(
            join_url("http://127.0.0.1:5/provision", "/ops/1"),
            "http://127.0.0.1:5/ops/1"
        );
    }
}
