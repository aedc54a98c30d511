//! Live health of stamps: one stamp on demand, or every active stamp with bounded
//! concurrency (what the app's poller pushes to the UI).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fleet_core::{StampId, StampStatus, StampView};
use serde::{Deserialize, Serialize};
use stamp_client::ClientOptions;
use stamp_protocol::StampHealthStatus;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

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
    /// Seconds since the Unix epoch of this check.
    #[ts(type = "number")]
    pub checked_at: u64,
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

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
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
        let base = StampHealth {
            stamp: id.clone(),
            state: HealthState::Unknown,
            detail: String::new(),
            problem: None,
            fix: None,
            software_version: None,
            template_version: None,
            error_rate: None,
            capacity_used: None,
            tenant_count: None,
            checked_at: now(),
        };
        let problem = |state, problem, fix, detail: String| StampHealth {
            state,
            problem: Some(problem),
            fix,
            detail,
            ..base.clone()
        };
        let stamp = self
            .catalogue
            .stamp(id)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no stamp {id}")))?;
        let running = matches!(stamp.status, StampStatus::Active | StampStatus::Draining);
        let start_local = running.then_some(HealthFix::StartLocalStamps);
        let Some(endpoint) = stamp.endpoint.clone() else {
            return Ok(if running {
                problem(
                    HealthState::Unknown,
                    HealthProblem::NoEndpoint,
                    start_local,
                    "no endpoint recorded: no agent was ever started for it; \
                     Start local stamps runs it as a local agent on this machine"
                        .to_owned(),
                )
            } else {
                problem(
                    HealthState::Unknown,
                    HealthProblem::NotRunning,
                    None,
                    format!(
                        "the stamp is {}: nothing runs to ask",
                        stamp.status.as_str()
                    ),
                )
            });
        };
        let name = self.token_name(id);
        let Some(token) = self.calling_token(id)? else {
            let local_fix = local && self.local_token_file(id).is_some();
            return Ok(problem(
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
            ));
        };
        let quick = ClientOptions {
            attempts: 1,
            request_timeout: Duration::from_secs(3),
            ..ClientOptions::default()
        };
        let client = stamp_client::StampClient::with_http(&endpoint, token, quick, health_http()?)
            .map_err(|e| OpsError::internal(e.to_string()))?;
        let unreachable = HealthState::Unreachable;
        Ok(match client.health().await {
            Ok(h) if h.stamp_id != id.as_str() => problem(
                unreachable,
                HealthProblem::WrongStamp,
                local.then_some(HealthFix::StartLocalStamps),
                format!("{endpoint} answers as stamp {}, not {id}", h.stamp_id),
            ),
            Ok(h) => StampHealth {
                state: if h.status == StampHealthStatus::Ok {
                    HealthState::Healthy
                } else {
                    HealthState::Degraded
                },
                detail: h.detail.unwrap_or_default(),
                software_version: Some(h.software_version),
                template_version: Some(h.template_version),
                error_rate: Some(h.error_rate),
                capacity_used: Some(h.capacity_units_used),
                tenant_count: Some(h.tenant_count),
                ..base
            },
            Err(e @ stamp_client::ClientError::Unauthorized { .. }) => problem(
                unreachable,
                HealthProblem::TokenRefused,
                Some(HealthFix::EnterToken),
                format!("the stamp refused the admin token held for it ({e})"),
            ),
            Err(e) if e.is_refused() && local => problem(
                unreachable,
                HealthProblem::AgentNotRunning,
                start_local,
                format!("its local agent is not running (nothing listens at {endpoint})"),
            ),
            Err(e) if e.is_refused() => problem(
                unreachable,
                HealthProblem::Refused,
                None,
                format!("nothing answers at {endpoint} (connection refused or unreachable)"),
            ),
            Err(e) if e.is_timeout() => problem(
                unreachable,
                HealthProblem::TimedOut,
                None,
                format!("{endpoint} did not answer within 3 s"),
            ),
            Err(e) => problem(unreachable, HealthProblem::BadAnswer, None, e.to_string()),
        })
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

    /// Polls every stamp's health each `interval` and hands the results to `sink` until
    /// it returns false (the window that listened is gone).
    pub async fn watch_health(
        &self,
        interval: Duration,
        concurrency: usize,
        sink: impl Fn(Vec<StampHealth>) -> bool,
    ) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match self.poll_health(concurrency).await {
                Ok(checks) => {
                    if !sink(checks) {
                        return;
                    }
                }
                Err(e) => tracing::warn!(error = %e.message, "health poll failed"),
            }
        }
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
                fleet.check_health_of(&stamp.id, is_local).await
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = checks.join_next().await {
            results
                .push(joined.map_err(|e| OpsError::internal(format!("health check task: {e}")))??);
        }
        results.sort_by(|a, b| a.stamp.cmp(&b.stamp));
        // Usage over time, for the capacity forecast: the first check of each hour per
        // stamp is written; the other polls of that hour write nothing.
        let samples: Vec<(StampId, i64, u32)> = {
            let mut hours = self
                .usage_hours
                .lock()
                .map_err(|_| OpsError::internal("usage sampling state poisoned"))?;
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
        self.cache_health(&results).await;
        Ok(results)
    }
}
