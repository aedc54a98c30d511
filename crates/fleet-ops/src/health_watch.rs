//! The health watcher (what the window shows): every `interval`, every active stamp's
//! health. A stamp that pushes (stamp_protocol's health_push) is asked once and then
//! holds an open question, answered when its health changes; the watcher keeps its
//! latest answer and does not poll it. The others are polled each round, as many at
//! once as the fleet's size gives. A pushing stamp whose question fails is polled again
//! from the next round (which says why, e.g. unreachable) until it answers with a tag.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use fleet_core::{StampId, StampStatus};
use tokio::sync::Semaphore;
use tokio::task::{AbortHandle, JoinSet};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::health::{judge, round_concurrency, Pushing, StampHealth};

/// How long a stamp holds the watcher's question before answering "unchanged".
pub const PUSH_WAIT: Duration = Duration::from_secs(20);

/// A stamp that pushes: its latest answer, and the task holding its open question.
struct Subscription {
    endpoint: String,
    latest: StampHealth,
    task: AbortHandle,
}

/// The watcher's pushing stamps; their questions end when it is dropped.
#[derive(Clone, Default)]
pub(crate) struct PushedHealth {
    inner: Arc<Mutex<HashMap<StampId, Subscription>>>,
}

impl PushedHealth {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<StampId, Subscription>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The latest pushed answer of `id`, if it pushes from `endpoint`.
    fn latest(&self, id: &StampId, endpoint: Option<&str>) -> Option<StampHealth> {
        let subs = self.lock();
        let sub = subs.get(id)?;
        (Some(sub.endpoint.as_str()) == endpoint).then(|| StampHealth {
            pushed: true,
            ..sub.latest.clone()
        })
    }

    /// Ends the questions of stamps not in `watched`.
    fn keep_only(&self, watched: &HashSet<StampId>) {
        self.lock().retain(|id, sub| {
            let keep = watched.contains(id);
            if !keep {
                sub.task.abort();
            }
            keep
        });
    }

    /// Holds an open question to a stamp that answered `first` with a tag.
    fn subscribe(&self, id: StampId, local: bool, first: StampHealth, pushing: Pushing) {
        let pushed = self.clone();
        let (sub_id, endpoint) = (id.clone(), pushing.endpoint.clone());
        // Locked while the task starts, so that it finds its own entry.
        let mut subs = self.lock();
        let task = tokio::spawn(async move {
            let Pushing {
                client,
                endpoint,
                mut tag,
            } = pushing;
            loop {
                let answer = client.health_change(Some(&tag), PUSH_WAIT).await;
                let mut subs = pushed.lock();
                let Some(sub) = subs.get_mut(&sub_id) else {
                    return;
                };
                match answer {
                    Ok(stamp_client::HealthChange::Unchanged) => {
                        sub.latest.checked_at = crate::health::now();
                    }
                    Ok(stamp_client::HealthChange::Changed {
                        health,
                        tag: Some(next),
                    }) => {
                        let judged = judge(&sub_id, &endpoint, local, Ok(health));
                        if judged.problem.is_some() {
                            subs.remove(&sub_id);
                            return;
                        }
                        sub.latest = judged;
                        tag = next;
                    }
                    // No tag any more, or no answer: polled again from the next round.
                    Ok(stamp_client::HealthChange::Changed { tag: None, .. }) | Err(_) => {
                        subs.remove(&sub_id);
                        return;
                    }
                }
            }
        });
        if let Some(old) = subs.insert(
            id,
            Subscription {
                endpoint,
                latest: first,
                task: task.abort_handle(),
            },
        ) {
            old.task.abort();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Ends every open question when the watcher ends, however it ends.
struct EndQuestions(PushedHealth);

impl Drop for EndQuestions {
    fn drop(&mut self) {
        self.0.keep_only(&HashSet::new());
    }
}

impl Fleet {
    /// Every stamp's health each `interval`, handed to `sink` until it returns false (the
    /// window that listened is gone); pushing stamps are not polled (module docs).
    pub async fn watch_health(
        &self,
        interval: Duration,
        concurrency: usize,
        sink: impl Fn(Vec<StampHealth>) -> bool,
    ) {
        let pushed = PushedHealth::default();
        let _end = EndQuestions(pushed.clone());
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match self.watch_round(&pushed, concurrency).await {
                Ok(checks) => {
                    if !sink(checks) {
                        return;
                    }
                }
                Err(e) => tracing::warn!(error = %e.message, "health poll failed"),
            }
        }
    }

    /// One round of the watcher: pushed answers as they stand, the other stamps asked.
    pub(crate) async fn watch_round(
        &self,
        pushed: &PushedHealth,
        concurrency: usize,
    ) -> OpsResult<Vec<StampHealth>> {
        let overview = self.overview().await?;
        let watched: Vec<_> = overview
            .stamps
            .into_iter()
            .map(|v| v.stamp)
            .filter(|s| matches!(s.status, StampStatus::Active | StampStatus::Draining))
            .collect();
        pushed.keep_only(&watched.iter().map(|s| s.id.clone()).collect());
        let local: HashSet<String> = self
            .catalogue
            .local_agents()
            .await?
            .into_iter()
            .map(|a| a.stamp)
            .collect();
        let concurrency = match concurrency {
            0 => round_concurrency(watched.len()),
            n => n,
        };
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut results = Vec::with_capacity(watched.len());
        let mut checks = JoinSet::new();
        for stamp in watched {
            if let Some(latest) = pushed.latest(&stamp.id, stamp.endpoint.as_deref()) {
                results.push(latest);
                continue;
            }
            let (fleet, permits, pushed) = (self.clone(), permits.clone(), pushed.clone());
            let is_local = local.contains(stamp.id.as_str());
            checks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let (health, pushing) = fleet.check_health_tagged(&stamp, is_local).await?;
                if let Some(pushing) = pushing {
                    pushed.subscribe(stamp.id, is_local, health.clone(), pushing);
                }
                Ok::<_, OpsError>(health)
            });
        }
        while let Some(joined) = checks.join_next().await {
            results
                .push(joined.map_err(|e| OpsError::internal(format!("health check task: {e}")))??);
        }
        Ok(self.finish_round(results).await)
    }
}
