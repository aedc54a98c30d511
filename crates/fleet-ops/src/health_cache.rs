//! The health cache: every stamp's last answer, kept in the catalogue with its time
//! (schema 19), so a decision reads it instead of asking thousands of stamps, every
//! process on the catalogue shares it (the app's watcher keeps it fresh; stampctl asks
//! only the stamps whose answer is stale), and the window can say how fresh each one is.
//! A decision still asks the stamp it is about to use (`Fleet::live_health`).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use fleet_core::{FleetOverview, StampId, StampStatus};

use crate::error::OpsResult;
use crate::fleet::Fleet;
use crate::health::{HealthState, StampHealth};

/// How old a cached answer a decision takes: older ones are asked again first.
pub const DECISION_MAX_AGE: Duration = Duration::from_secs(60);

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Fleet {
    /// Keeps `answers` in the cache (a failure is logged: a reader's login cannot write,
    /// and the answers are still used).
    pub(crate) async fn cache_health(&self, answers: &[StampHealth]) {
        let rows: Vec<catalogue::CachedHealth> = answers
            .iter()
            .filter_map(|h| {
                let json = serde_json::to_string(h).ok()?;
                Some((h.stamp.to_string(), json, h.checked_at as i64))
            })
            .collect();
        if let Err(e) = self.catalogue.save_health(&rows).await {
            tracing::debug!(error = %e, "health answers not cached");
        }
    }

    /// The cached answers of active and draining stamps, by stamp.
    async fn cached(&self, overview: &FleetOverview) -> OpsResult<HashMap<StampId, StampHealth>> {
        let running: HashSet<&StampId> = overview
            .stamps
            .iter()
            .map(|v| &v.stamp)
            .filter(|s| matches!(s.status, StampStatus::Active | StampStatus::Draining))
            .map(|s| &s.id)
            .collect();
        Ok(self
            .catalogue
            .cached_health()
            .await?
            .into_iter()
            .filter_map(|(_, json, _)| serde_json::from_str::<StampHealth>(&json).ok())
            .filter(|h| running.contains(&h.stamp))
            .map(|h| (h.stamp.clone(), h))
            .collect())
    }

    /// Every active or draining stamp's health, from the cache when it answered healthy
    /// at most `max_age` ago; the others are asked now, all at once (as many as
    /// `round_concurrency` allows), and cached. Sorted by stamp.
    pub async fn fleet_health(&self, max_age: Duration) -> OpsResult<Vec<StampHealth>> {
        let overview = self.overview().await?;
        self.fleet_health_of(overview, max_age).await
    }

    pub(crate) async fn fleet_health_of(
        &self,
        overview: FleetOverview,
        max_age: Duration,
    ) -> OpsResult<Vec<StampHealth>> {
        let mut cached = self.cached(&overview).await?;
        let oldest = now_secs() - max_age.as_secs() as i64;
        // Only a recent healthy answer is taken as it is: a stamp that did not answer well
        // is asked again (its agent may have been started since), and a healthy one that
        // went down is caught by the live check of the stamp a decision chooses.
        cached.retain(|_, h| h.checked_at as i64 > oldest && h.state == HealthState::Healthy);
        let stale: HashSet<StampId> = overview
            .stamps
            .iter()
            .map(|v| &v.stamp)
            .filter(|s| matches!(s.status, StampStatus::Active | StampStatus::Draining))
            .filter(|s| !cached.contains_key(&s.id))
            .map(|s| s.id.clone())
            .collect();
        let mut all: Vec<StampHealth> = cached.into_values().collect();
        if !stale.is_empty() {
            all.extend(self.poll_health_of(overview, Some(stale), 0).await?);
        }
        all.sort_by(|a, b| a.stamp.cmp(&b.stamp));
        Ok(all)
    }

    /// Asks `stamp` now (the one a decision is about to use), and caches the answer.
    pub async fn live_health(&self, stamp: &StampId) -> OpsResult<StampHealth> {
        let health = self.check_health(stamp).await?;
        self.cache_health(std::slice::from_ref(&health)).await;
        Ok(health)
    }
}
