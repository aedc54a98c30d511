//! The health watcher (what the window shows): every `interval`, every active stamp's
//! health. A stamp that pushes (stamp_protocol's health_push) is asked once and then
//! holds an open question, answered when its health changes; the watcher keeps its
//! latest answer and does not poll it. The others are polled, as many at once as the
//! fleet's size gives. A round waits for its polls at most `2 x interval`: a poll still
//! running then (a stamp that does not answer takes up to 3 s, a thousand of them much
//! longer) goes on and lands in a later round, which meanwhile shows the stamp's last
//! answer (or "asking"), so the window hears every few seconds however slow some stamps
//! are. A pushing stamp whose question fails is polled again from the next round (which
//! says why, e.g. unreachable) until it answers with a tag.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use fleet_core::{StampId, StampStatus};
use tokio::sync::Semaphore;
use tokio::task::AbortHandle;

use crate::error::OpsResult;
use crate::fleet::Fleet;
use crate::health::{round_concurrency, Pushing, StampHealth};
use crate::health_answer::judge;

/// How long a stamp holds the watcher's question before answering "unchanged".
pub const PUSH_WAIT: Duration = Duration::from_secs(20);

/// Which health subscription of each page (its session id) is current: a page whose
/// health stopped coming subscribes again, and the watcher it had ends at its next round.
#[derive(Clone, Default)]
pub struct HealthSessions(Arc<Mutex<HashMap<String, u64>>>);

/// One subscription of a session: current until the session subscribes again.
pub struct HealthSession {
    sessions: HealthSessions,
    session: String,
    generation: u64,
}

impl HealthSession {
    /// Whether no later subscription of the same session has started.
    pub fn still(&self) -> bool {
        let sessions = self
            .sessions
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        sessions.get(&self.session) == Some(&self.generation)
    }
}

impl Fleet {
    /// A new subscription of `session`, which ends the ones it had.
    pub fn health_session(&self, session: &str) -> HealthSession {
        let sessions = self.health_sessions.clone();
        let generation = {
            let mut all = sessions.0.lock().unwrap_or_else(PoisonError::into_inner);
            let next = all.get(session).map_or(1, |g| g + 1);
            all.insert(session.to_owned(), next);
            next
        };
        HealthSession {
            sessions,
            session: session.to_owned(),
            generation,
        }
    }
}

/// A stamp that pushes: its latest answer, and the task holding its open question.
struct Subscription {
    endpoint: String,
    latest: StampHealth,
    task: AbortHandle,
}

/// What the watcher knows between rounds.
#[derive(Default)]
struct Watched {
    /// The stamps that push.
    subs: HashMap<StampId, Subscription>,
    /// The latest polled answer of each other stamp (or the last push of one that
    /// stopped pushing).
    polled: HashMap<StampId, StampHealth>,
    /// Stamps being polled now (a poll may outlive the round that began it).
    asking: HashSet<StampId>,
}

/// The watcher's state; its questions end when the watcher ends (`EndQuestions`).
#[derive(Clone, Default)]
pub(crate) struct PushedHealth {
    inner: Arc<Mutex<Watched>>,
    /// How many polls at once, across rounds (sized at the first round).
    permits: Arc<std::sync::OnceLock<Arc<Semaphore>>>,
}

impl PushedHealth {
    fn lock(&self) -> std::sync::MutexGuard<'_, Watched> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks `id` as being polled; false when a poll of it is already running.
    fn start_asking(&self, id: &StampId) -> bool {
        self.lock().asking.insert(id.clone())
    }

    /// A poll of `id` ended (with its answer, unless it could not be made).
    fn polled(&self, id: &StampId, answer: Option<StampHealth>) {
        let mut watched = self.lock();
        watched.asking.remove(id);
        if let Some(answer) = answer {
            watched.polled.insert(id.clone(), answer);
        }
    }

    /// What the watcher last heard of a stamp it polls.
    fn last_polled(&self, id: &StampId) -> Option<StampHealth> {
        self.lock().polled.get(id).cloned()
    }

    /// The latest pushed answer of `id`, if it pushes from `endpoint`.
    fn latest(&self, id: &StampId, endpoint: Option<&str>) -> Option<StampHealth> {
        let watched = self.lock();
        let sub = watched.subs.get(id)?;
        (Some(sub.endpoint.as_str()) == endpoint).then(|| StampHealth {
            pushed: true,
            ..sub.latest.clone()
        })
    }

    /// Ends the questions of stamps not in `keep`, and forgets what was heard of them.
    fn keep_only(&self, keep: &HashSet<StampId>) {
        let mut watched = self.lock();
        watched.subs.retain(|id, _| keep.contains(id));
        watched.polled.retain(|id, _| keep.contains(id));
    }

    /// Holds an open question to a stamp that answered `first` with a tag.
    fn subscribe(&self, id: StampId, local: bool, first: StampHealth, pushing: Pushing) {
        let pushed = self.clone();
        let (sub_id, endpoint) = (id.clone(), pushing.endpoint.clone());
        // Locked while the task starts, so that it finds its own entry.
        let mut watched = self.lock();
        let task = tokio::spawn(async move {
            let Pushing {
                client,
                endpoint,
                mut tag,
            } = pushing;
            loop {
                let answer = client.health_change(Some(&tag), PUSH_WAIT).await;
                let mut watched = pushed.lock();
                let Some(sub) = watched.subs.get_mut(&sub_id) else {
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
                            watched.stop_pushing(&sub_id);
                            return;
                        }
                        sub.latest = judged;
                        tag = next;
                    }
                    // No tag any more, or no answer: polled again from the next round.
                    Ok(stamp_client::HealthChange::Changed { tag: None, .. }) | Err(_) => {
                        watched.stop_pushing(&sub_id);
                        return;
                    }
                }
            }
        });
        if let Some(old) = watched.subs.insert(
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

impl Watched {
    /// A stamp's push ended: polled again from the next round, which shows its last
    /// pushed answer until the poll answers.
    fn stop_pushing(&mut self, id: &StampId) {
        if let Some(sub) = self.subs.remove(id) {
            self.polled.insert(id.clone(), sub.latest.clone());
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
            match self.watch_round(&pushed, concurrency, interval * 2).await {
                Ok(checks) => {
                    if !sink(checks) {
                        return;
                    }
                }
                Err(e) => tracing::warn!(error = %e.message, "health poll failed"),
            }
        }
    }

    /// One round of the watcher: pushed answers as they stand, the other stamps asked
    /// (waiting for them at most `patience`; the module docs say what comes of the rest).
    pub(crate) async fn watch_round(
        &self,
        pushed: &PushedHealth,
        concurrency: usize,
        patience: Duration,
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
        let permits = pushed
            .permits
            .get_or_init(|| {
                Arc::new(Semaphore::new(match concurrency {
                    0 => round_concurrency(watched.len()),
                    n => n.max(1),
                }))
            })
            .clone();
        let mut results = Vec::with_capacity(watched.len());
        let mut asked = Vec::new();
        let mut polls = Vec::new();
        for stamp in watched {
            if let Some(latest) = pushed.latest(&stamp.id, stamp.endpoint.as_deref()) {
                results.push(latest);
                continue;
            }
            asked.push(stamp.id.clone());
            if !pushed.start_asking(&stamp.id) {
                continue; // still being asked since an earlier round
            }
            let (fleet, permits, pushed) = (self.clone(), permits.clone(), pushed.clone());
            let is_local = local.contains(stamp.id.as_str());
            polls.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                match fleet.check_health_tagged(&stamp, is_local).await {
                    Ok((health, pushing)) => {
                        // A stamp that answered with a tag pushes from now on: its
                        // answer says so already, so the next round's (its push, the
                        // same health) is no change to send the window (at 10,000
                        // stamps the second message named them all, 3 MB of JSON).
                        let health = match pushing {
                            Some(pushing) => {
                                let health = StampHealth {
                                    pushed: true,
                                    ..health
                                };
                                pushed.subscribe(stamp.id.clone(), is_local, health.clone(), pushing);
                                health
                            }
                            None => health,
                        };
                        pushed.polled(&stamp.id, Some(health));
                    }
                    Err(e) => {
                        tracing::warn!(stamp = %stamp.id, error = %e.message, "health check failed");
                        pushed.polled(&stamp.id, None);
                    }
                }
            }));
        }
        // Polls still running after the wait go on (their handles dropped, not aborted).
        let _ = tokio::time::timeout(patience, futures_util::future::join_all(polls)).await;
        for id in asked {
            results.push(
                pushed
                    .last_polled(&id)
                    .unwrap_or_else(|| crate::health_answer::asking(&id)),
            );
        }
        Ok(self.finish_round(results).await)
    }
}
