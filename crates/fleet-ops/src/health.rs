//! Live health of stamps: one stamp on demand, or every active stamp with bounded
//! concurrency (what the app's poller pushes to the UI).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fleet_core::{Stamp, StampId, StampStatus, StampView};
use serde::{Deserialize, Serialize};
use stamp_client::ClientOptions;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::health_answer::{judge, unasked};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum HealthState {
    Healthy,
    Degraded,
    Unreachable,
    /// The stamp has no endpoint (planned, provisioning, failed or retired).
    Unknown,
}

/// Why a stamp's health is not known or not good, as the window and stampctl name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum HealthProblem {
    /// Planned, provisioning, failed or retired: nothing runs to ask.
    NotRunning,
    /// Active, but no endpoint is recorded (e.g. a demo made without agents).
    NoEndpoint,
    /// The secret store holds no admin token for the stamp.
    NoToken,
    /// A local stamp whose agent does not listen.
    AgentNotRunning,
    /// Nothing answers at the endpoint, or it cannot be reached.
    Refused,
    /// No answer in time.
    TimedOut,
    /// The stamp refused the token held for it.
    TokenRefused,
    /// The endpoint answers as another stamp.
    WrongStamp,
    /// An answer came, but not one a stamp gives (or a 5xx).
    BadAnswer,
}

/// The fix the window offers for a problem, when one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum HealthFix {
    /// "Start local stamps" (`stampctl start-agents`): starts this machine's agents.
    StartLocalStamps,
    /// "Enter token" (`stampctl stamp token ID --token-file F`).
    EnterToken,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StampHealth {
    pub stamp: StampId,
    pub state: HealthState,
    /// Why, in words, when the stamp is not healthy or could not be asked.
    pub detail: String,
    pub problem: Option<HealthProblem>,
    pub fix: Option<HealthFix>,
    pub software_version: Option<String>,
    /// The template version the stamp says it runs (the catalogue's may differ: drift).
    pub template_version: Option<String>,
    /// Its share of failed tenant requests over the last minute (0 to 1).
    pub error_rate: Option<f64>,
    pub capacity_used: Option<u32>,
    pub tenant_count: Option<u32>,
    /// Seconds since the Unix epoch of this check (of the stamp's latest answer, when
    /// it pushes).
    #[ts(type = "number")]
    pub checked_at: u64,
    /// The stamp pushes its health: the watcher holds a question open that it answers
    /// when its health changes, so this is its health now, not as of `checked_at`.
    #[serde(default)]
    pub pushed: bool,
}

impl StampHealth {
    pub fn describe(&self) -> String {
        match self.state {
            HealthState::Healthy | HealthState::Degraded => format!(
                "{} (agent {}, {} units used, {} tenants)",
                if self.state == HealthState::Healthy {
                    "healthy"
                } else {
                    "degraded"
                },
                self.software_version.as_deref().unwrap_or("?"),
                self.capacity_used.unwrap_or(0),
                self.tenant_count.unwrap_or(0)
            ),
            HealthState::Unreachable => format!("unreachable: {}{}", self.detail, self.fix_hint()),
            HealthState::Unknown => format!("unknown: {}{}", self.detail, self.fix_hint()),
        }
    }

    /// The fix as a terminal user applies it.
    fn fix_hint(&self) -> String {
        match self.fix {
            Some(HealthFix::StartLocalStamps) => {
                " (fix: `stampctl start-agents` starts this machine's stamp agents)".to_owned()
            }
            Some(HealthFix::EnterToken) => format!(
                " (fix: `stampctl stamp token {} --token-file FILE`)",
                self.stamp
            ),
            None => String::new(),
        }
    }
}

/// A stamp's record with its live health.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StampDetail {
    pub stamp: StampView,
    pub health: StampHealth,
    /// Why provisioning failed, for a failed stamp.
    pub failure: Option<String>,
}

/// The connection pool every health check shares (keep-alive to each stamp): a round
/// over thousands of stamps reuses their connections instead of opening new ones.
fn health_http() -> OpsResult<stamp_client::HttpClient> {
    static HTTP: std::sync::OnceLock<stamp_client::HttpClient> = std::sync::OnceLock::new();
    if let Some(http) = HTTP.get() {
        return Ok(http.clone());
    }
    let http = stamp_client::http_client(Duration::from_secs(2), Duration::from_secs(3))
        .map_err(|e| OpsError::internal(format!("cannot build the HTTP client: {e}")))?;
    Ok(HTTP.get_or_init(|| http).clone())
}

/// How many stamps a health round asks at once: 64, more for a large fleet (one per 32
/// stamps), at most 256.
pub fn round_concurrency(stamps: usize) -> usize {
    (stamps / 32).clamp(64, 256)
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A stamp that pushes its health: how to keep asking it, and the tag of its answer.
pub(crate) struct Pushing {
    pub client: stamp_client::StampClient,
    pub endpoint: String,
    pub tag: String,
}

impl Fleet {
    /// Asks one stamp how it is, once, within a few seconds. When it cannot be asked or
    /// does not answer well, the answer says why and which fix exists.
    pub async fn check_health(&self, id: &StampId) -> OpsResult<StampHealth> {
        let local = self
            .catalogue
            .local_agents()
            .await?
            .iter()
            .any(|a| a.stamp == id.as_str());
        self.check_health_of(id, local).await
    }

    /// `check_health`, told whether the stamp runs as a local agent here (a poll of the
    /// whole fleet reads that once, not once per stamp).
    async fn check_health_of(&self, id: &StampId, local: bool) -> OpsResult<StampHealth> {
        let stamp = self
            .catalogue
            .stamp(id)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no stamp {id}")))?;
        Ok(self.check_health_tagged(&stamp, local).await?.0)
    }

    /// `check_health_of`, with what the health watcher needs to keep asking a stamp that
    /// pushes its health: its client and the answer's tag (`None` when it does not push).
    pub(crate) async fn check_health_tagged(
        &self,
        stamp: &Stamp,
        local: bool,
    ) -> OpsResult<(StampHealth, Option<Pushing>)> {
        let id = &stamp.id;
        let (client, endpoint) = match self.health_client(stamp, local)? {
            Ok(asked) => asked,
            Err(answer) => return Ok((answer, None)),
        };
        match client.health_tagged().await {
            Ok((health, tag)) => {
                let judged = judge(id, &endpoint, local, Ok(health));
                let pushing = tag.filter(|_| judged.problem.is_none()).map(|tag| Pushing {
                    client,
                    endpoint,
                    tag,
                });
                Ok((judged, pushing))
            }
            Err(e) => Ok((judge(id, &endpoint, local, Err(e)), None)),
        }
    }

    /// The client to ask stamp `id` with and its endpoint, or (`Err`) the answer when it
    /// cannot be asked: not running, no endpoint, no token.
    fn health_client(
        &self,
        stamp: &Stamp,
        local: bool,
    ) -> OpsResult<Result<(stamp_client::StampClient, String), StampHealth>> {
        let id = &stamp.id;
        let running = matches!(stamp.status, StampStatus::Active | StampStatus::Draining);
        let start_local = running.then_some(HealthFix::StartLocalStamps);
        let Some(endpoint) = stamp.endpoint.clone() else {
            return Ok(Err(if running {
                unasked(
                    id,
                    HealthState::Unknown,
                    HealthProblem::NoEndpoint,
                    start_local,
                    "no endpoint recorded: no agent was ever started for it; \
                     Start local stamps runs it as a local agent on this machine"
                        .to_owned(),
                )
            } else {
                unasked(
                    id,
                    HealthState::Unknown,
                    HealthProblem::NotRunning,
                    None,
                    format!(
                        "the stamp is {}: nothing runs to ask",
                        stamp.status.as_str()
                    ),
                )
            }));
        };
        let name = self.token_name(id);
        let Some(token) = self.calling_token(id)? else {
            let local_fix = local && self.local_token_file(id).is_some();
            return Ok(Err(unasked(
                id,
                HealthState::Unknown,
                HealthProblem::NoToken,
                Some(if local_fix {
                    HealthFix::StartLocalStamps
                } else {
                    HealthFix::EnterToken
                }),
                format!(
                    "no admin token for this stamp in {} (looked for {name})",
                    self.secrets().describe()
                ),
            )));
        };
        let quick = ClientOptions {
            attempts: 1,
            request_timeout: Duration::from_secs(3),
            ..ClientOptions::default()
        };
        let client = stamp_client::StampClient::with_http(&endpoint, token, quick, health_http()?)
            .map_err(|e| OpsError::internal(e.to_string()))?;
        Ok(Ok((client, endpoint)))
    }

    pub async fn stamp_detail(&self, id: &StampId) -> OpsResult<StampDetail> {
        let overview = self.overview().await?;
        let stamp = overview
            .stamps
            .into_iter()
            .find(|s| &s.stamp.id == id)
            .ok_or_else(|| OpsError::invalid(format!("no stamp {id}")))?;
        let health = self.check_health(id).await?;
        let failure = self.catalogue.stamp_failure(id).await?;
        Ok(StampDetail {
            stamp,
            health,
            failure,
        })
    }

    /// Checks every active or draining stamp, at most `concurrency` at a time (0: as
    /// many as [`round_concurrency`] gives for the fleet), and keeps the answers in the
    /// health cache.
    pub async fn poll_health(&self, concurrency: usize) -> OpsResult<Vec<StampHealth>> {
        let overview = self.overview().await?;
        let only: Option<std::collections::HashSet<StampId>> = None;
        self.poll_health_of(overview, only, concurrency).await
    }

    /// `poll_health` over the stamps of `overview` (only those in `only`, when given).
    pub(crate) async fn poll_health_of(
        &self,
        overview: fleet_core::FleetOverview,
        only: Option<std::collections::HashSet<StampId>>,
        concurrency: usize,
    ) -> OpsResult<Vec<StampHealth>> {
        let concurrency = if concurrency == 0 {
            round_concurrency(overview.stamps.len())
        } else {
            concurrency
        };
        let local: Arc<std::collections::HashSet<String>> = Arc::new(
            self.catalogue
                .local_agents()
                .await?
                .into_iter()
                .map(|a| a.stamp)
                .collect(),
        );
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut checks = JoinSet::new();
        for stamp in overview
            .stamps
            .into_iter()
            .map(|v| v.stamp)
            .filter(|s| matches!(s.status, StampStatus::Active | StampStatus::Draining))
            .filter(|s| only.as_ref().is_none_or(|o| o.contains(&s.id)))
        {
            let (fleet, permits) = (self.clone(), permits.clone());
            let is_local = local.contains(stamp.id.as_str());
            checks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                Ok::<_, OpsError>(fleet.check_health_tagged(&stamp, is_local).await?.0)
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = checks.join_next().await {
            results
                .push(joined.map_err(|e| OpsError::internal(format!("health check task: {e}")))??);
        }
        Ok(self.finish_round(results).await)
    }

    /// A round's answers, sorted by stamp, kept in the health cache and sampled for
    /// usage.
    pub(crate) async fn finish_round(&self, mut results: Vec<StampHealth>) -> Vec<StampHealth> {
        results.sort_by(|a, b| a.stamp.cmp(&b.stamp));
        // Usage over time, for the capacity forecast: the first check of each hour per
        // stamp is written; the other polls of that hour write nothing.
        let samples: Vec<(StampId, i64, u32)> = {
            let mut hours = self
                .usage_hours
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            results
                .iter()
                .filter_map(|h| {
                    let used = h.capacity_used?;
                    let at = i64::try_from(h.checked_at).ok()?;
                    let hour = at - at.rem_euclid(3600);
                    let last = hours.insert(h.stamp.clone(), hour);
                    (last != Some(hour)).then(|| (h.stamp.clone(), at, used))
                })
                .collect()
        };
        if let Err(e) = self.catalogue.record_usage(&samples).await {
            tracing::warn!(error = %e, "usage samples not recorded");
        }
        let answered: Vec<StampHealth> = results
            .iter()
            .filter(|h| h.state != HealthState::Unknown || h.problem.is_some())
            .cloned()
            .collect();
        self.cache_health(&answered).await;
        results
    }
}
