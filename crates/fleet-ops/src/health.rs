//! Live health of stamps: one stamp on demand, or every active stamp with bounded
//! concurrency (what the app's poller pushes to the UI).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fleet_core::{StampId, StampStatus, StampView};
use serde::Serialize;
use stamp_client::ClientOptions;
use stamp_protocol::StampHealthStatus;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum HealthState {
    Healthy,
    Degraded,
    Unreachable,
    /// The stamp has no endpoint (planned, provisioning, failed or retired).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StampHealth {
    pub stamp: StampId,
    pub state: HealthState,
    pub detail: String,
    pub software_version: Option<String>,
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
            HealthState::Unreachable => format!("unreachable: {}", self.detail),
            HealthState::Unknown => format!("unknown: {}", self.detail),
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

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Fleet {
    /// Asks one stamp how it is, once, within a few seconds.
    pub async fn check_health(&self, id: &StampId) -> OpsResult<StampHealth> {
        let base = StampHealth {
            stamp: id.clone(),
            state: HealthState::Unknown,
            detail: String::new(),
            software_version: None,
            capacity_used: None,
            tenant_count: None,
            checked_at: now(),
        };
        let client = match self.stamp_client(id).await {
            Ok(client) => client,
            Err(e) => {
                return Ok(StampHealth {
                    detail: e.message,
                    ..base
                })
            }
        };
        let quick = ClientOptions {
            attempts: 1,
            request_timeout: Duration::from_secs(3),
            ..ClientOptions::default()
        };
        let client =
            stamp_client::StampClient::new(client.endpoint(), client.token().to_owned(), quick)
                .map_err(|e| OpsError::internal(e.to_string()))?;
        Ok(match client.health().await {
            Ok(h) => StampHealth {
                state: if h.status == StampHealthStatus::Ok {
                    HealthState::Healthy
                } else {
                    HealthState::Degraded
                },
                detail: String::new(),
                software_version: Some(h.software_version),
                capacity_used: Some(h.capacity_units_used),
                tenant_count: Some(h.tenant_count),
                ..base
            },
            Err(e) => StampHealth {
                state: HealthState::Unreachable,
                detail: e.to_string(),
                ..base
            },
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

    /// Checks every active or draining stamp with an endpoint, at most `concurrency`
    /// at a time.
    pub async fn poll_health(&self, concurrency: usize) -> OpsResult<Vec<StampHealth>> {
        let overview = self.overview().await?;
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut checks = JoinSet::new();
        for stamp in overview
            .stamps
            .into_iter()
            .map(|v| v.stamp)
            .filter(|s| matches!(s.status, StampStatus::Active | StampStatus::Draining))
        {
            let (fleet, permits) = (self.clone(), permits.clone());
            checks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                fleet.check_health(&stamp.id).await
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
        Ok(results)
    }
}
