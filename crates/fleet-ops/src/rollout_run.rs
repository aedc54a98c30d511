//! Running a rollout: wave by wave, each wave's stamps upgraded at most `parallelism` at
//! a time while their regions' maintenance windows are open; each upgraded stamp then
//! passes the health gate (healthy, error rate under the limit) or the rollout halts and
//! the failed stamps go back to the version they ran. A finished wave bakes, then is
//! checked again; the next waits for approval when the spec asks. Every step is saved
//! to the journal before the next: a killed run goes on from where it was (an upgrade
//! in flight is asked for again, which the Stamp API answers with the same operation).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use catalogue::{OperationState, RolloutRequest};
use fleet_core::rollout::{RolloutPhase, RolloutState, StampRolloutState};
use fleet_core::{StampId, TemplateVersion};
use stamp_protocol::StampHealthStatus;

use crate::error::OpsResult;
use crate::fleet::Fleet;
use crate::moves::RunLock;
use crate::rollout::{to_json, RolloutView, VIA};
use crate::test_hooks::crash_point;

/// Longest a stamp's upgrade may take before it counts as failed.
const UPGRADE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long one status request waits on the stamp for the upgrade to end.
const UPGRADE_WAIT_MS: u64 = 1000;

/// The run lock's name of rollout `id`.
pub(crate) fn lock_name(id: i64) -> String {
    format!("rollout-{id}")
}

/// The time a rollout runs by (milliseconds since the Unix epoch) and how often it
/// looks again while baking or waiting for a window. Tests inject a clock of their own.
#[derive(Clone)]
pub struct RolloutClock {
    pub now_ms: Arc<dyn Fn() -> i64 + Send + Sync>,
    pub poll: Duration,
}

impl Default for RolloutClock {
    fn default() -> Self {
        Self {
            now_ms: Arc::new(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64)
            }),
            poll: Duration::from_millis(500),
        }
    }
}

impl Fleet {
    pub(crate) async fn run_rollout(
        &self,
        id: i64,
        mut state: RolloutState,
        _lock: RunLock,
        clock: &RolloutClock,
        progress: &(dyn Fn(RolloutView) + Send + Sync),
    ) -> OpsResult<RolloutView> {
        loop {
            if let Some(request) = self.catalogue.take_rollout_requests(id).await?.first() {
                let (phase, reason) = match request {
                    RolloutRequest::Abort => (RolloutPhase::Aborted, "aborted by an operator"),
                    RolloutRequest::Pause => (RolloutPhase::Paused, "paused by an operator"),
                };
                state.phase = phase;
                state.reason = reason.to_owned();
                return self.save(id, &state, progress).await;
            }
            let waves = state.spec.waves.len() as u32;
            if state.wave >= waves {
                state.phase = RolloutPhase::Done;
                state.reason = format!("every stamp runs {}", state.spec.target_version);
                return self.save(id, &state, progress).await;
            }
            let now_ms = (clock.now_ms)();
            let now = now_ms.div_euclid(1000);
            if state.phase == RolloutPhase::Baking {
                let until = state.bake_until_ms.unwrap_or(now_ms);
                if now_ms < until {
                    let left = Duration::from_millis((until - now_ms) as u64);
                    tokio::time::sleep(left.min(clock.poll)).await;
                    continue;
                }
                // Baked: the wave must still be healthy.
                let wave = state.wave;
                let ids: Vec<StampId> = state
                    .stamps
                    .iter()
                    .filter(|s| s.wave == wave)
                    .map(|s| s.stamp.clone())
                    .collect();
                // Checked as many at once as the wave upgrades.
                let at_once = state.spec.waves[wave as usize].parallelism.max(1) as usize;
                let max_error_rate = state.spec.max_error_rate;
                let gates: Vec<(StampId, Result<(), String>)> =
                    futures_util::stream::iter(ids.into_iter().map(|stamp| async move {
                        let gated = self.health_gate(&stamp, max_error_rate).await;
                        (stamp, gated)
                    }))
                    .buffer_unordered(at_once)
                    .collect()
                    .await;
                for (stamp, gated) in gates {
                    if let Err(why) = gated {
                        mark(
                            &mut state,
                            &stamp,
                            StampRolloutState::Failed,
                            format!("after baking: {why}"),
                        );
                    }
                }
                if self.halt_if_failed(id, &mut state, progress).await? {
                    return self.save(id, &state, progress).await;
                }
                if self.next_wave(&mut state) {
                    return self.save(id, &state, progress).await;
                }
                self.save(id, &state, progress).await?;
                continue;
            }
            let wave = state.wave;
            let waiting: Vec<(StampId, fleet_core::RegionId, StampRolloutState)> = state
                .stamps
                .iter()
                .filter(|s| {
                    s.wave == wave
                        && matches!(
                            s.state,
                            StampRolloutState::Pending | StampRolloutState::Upgrading
                        )
                })
                .map(|s| (s.stamp.clone(), s.region.clone(), s.state))
                .collect();
            if waiting.is_empty() {
                // The wave is upgraded and passed its gates.
                if state.spec.bake_secs > 0 {
                    state.phase = RolloutPhase::Baking;
                    state.bake_until_ms = Some(now_ms + 1000 * i64::from(state.spec.bake_secs));
                    state.reason =
                        format!("baking wave {} for {} s", wave + 1, state.spec.bake_secs);
                    self.save(id, &state, progress).await?;
                    continue;
                }
                if self.next_wave(&mut state) {
                    return self.save(id, &state, progress).await;
                }
                self.save(id, &state, progress).await?;
                continue;
            }
            // In flight after a kill first, then those whose window is open.
            let open: Vec<StampId> = waiting
                .iter()
                .filter(|(_, region, s)| {
                    *s == StampRolloutState::Upgrading
                        || state.spec.window_of(region).is_none_or(|w| w.is_open(now))
                })
                .map(|(id, _, _)| id.clone())
                .collect();
            if open.is_empty() {
                let closed: Vec<String> = waiting
                    .iter()
                    .filter_map(|(_, r, _)| state.spec.window_of(r))
                    .map(|w| {
                        format!(
                            "{} {}–{} (UTC{:+})",
                            w.region,
                            w.start,
                            w.end,
                            w.utc_offset_minutes as f64 / 60.0
                        )
                    })
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let reason = format!("waiting for maintenance windows: {}", closed.join(", "));
                if state.phase != RolloutPhase::WaitingForWindow || state.reason != reason {
                    state.phase = RolloutPhase::WaitingForWindow;
                    state.reason = reason;
                    self.save(id, &state, progress).await?;
                }
                tokio::time::sleep(clock.poll).await;
                continue;
            }
            let parallelism = state.spec.waves[wave as usize].parallelism.max(1) as usize;
            let batch: Vec<StampId> = open.into_iter().take(parallelism).collect();
            state.phase = RolloutPhase::Running;
            state.reason = format!(
                "upgrading {} in wave {} ({})",
                names(&batch),
                wave + 1,
                state.spec.waves[wave as usize].name
            );
            for stamp in &batch {
                mark(
                    &mut state,
                    stamp,
                    StampRolloutState::Upgrading,
                    String::new(),
                );
            }
            self.save(id, &state, progress).await?;
            crash_point("rollout-upgrading");
            let target = state.spec.target_version.clone();
            let max_error_rate = state.spec.max_error_rate;
            // Each stamp upgraded, then gated; the batch's new versions are recorded in
            // one transaction before the state says so (a kill in between: the resume
            // asks again, the stamp answers it runs the version, the record is kept).
            let outcomes = futures_util::future::join_all(batch.iter().map(|stamp| {
                let target = target.clone();
                let from = state.stamp(stamp).map(|s| s.from_version.clone());
                async move {
                    // The provider that made the stamp first (its infrastructure), then
                    // one client per stamp for its upgrade and its gate.
                    let provided = match &from {
                        Some(from) => self.upgrade_through_provider(stamp, from, &target).await,
                        None => Err(format!("{stamp} is not in this rollout")),
                    };
                    let client = self.stamp_client(stamp).await.map_err(|e| e.message);
                    let upgraded = match (provided, &client) {
                        (Ok(()), Ok(client)) => upgrade_on(client, id, stamp, &target).await,
                        (Err(e), _) => Err(e),
                        (Ok(()), Err(e)) => Err(e.clone()),
                    };
                    let runs = upgraded.is_ok();
                    let outcome = match (upgraded, &client) {
                        (Ok(()), Ok(client)) => gate(client, max_error_rate)
                            .await
                            .map_err(|why| format!("health gate: {why}")),
                        (Err(e), _) => Err(e),
                        (Ok(()), Err(e)) => Err(e.clone()),
                    };
                    (stamp.clone(), runs, outcome)
                }
            }))
            .await;
            let runs_target: Vec<(StampId, TemplateVersion)> = outcomes
                .iter()
                .filter(|(_, upgraded, _)| *upgraded)
                .map(|(stamp, _, _)| (stamp.clone(), target.clone()))
                .collect();
            self.catalogue
                .set_stamp_template_versions(&runs_target, &format!("{VIA}:{id}"))
                .await?;
            let outcomes = outcomes
                .into_iter()
                .map(|(stamp, _, outcome)| (stamp, outcome));
            for (stamp, outcome) in outcomes {
                match outcome {
                    Ok(()) => mark(
                        &mut state,
                        &stamp,
                        StampRolloutState::Upgraded,
                        format!("runs {target}"),
                    ),
                    Err(why) => mark(&mut state, &stamp, StampRolloutState::Failed, why),
                }
            }
            if self.halt_if_failed(id, &mut state, progress).await? {
                return self.save(id, &state, progress).await;
            }
            self.save(id, &state, progress).await?;
        }
    }

    /// Moves to the next wave; true when it must wait for an operator's approval.
    fn next_wave(&self, state: &mut RolloutState) -> bool {
        state.wave += 1;
        state.bake_until_ms = None;
        let waves = state.spec.waves.len() as u32;
        if state.wave < waves && state.spec.approval {
            let next = &state.spec.waves[state.wave as usize];
            state.phase = RolloutPhase::AwaitingApproval;
            state.reason = format!("wave {} ({}) waits for approval", state.wave + 1, next.name);
            return true;
        }
        state.phase = RolloutPhase::Running;
        state.reason.clear();
        false
    }

    /// When a stamp failed: every failed stamp goes back to the version it ran, and the
    /// rollout halts (true).
    async fn halt_if_failed(
        &self,
        id: i64,
        state: &mut RolloutState,
        progress: &(dyn Fn(RolloutView) + Send + Sync),
    ) -> OpsResult<bool> {
        let failed: Vec<(StampId, TemplateVersion, String)> = state
            .stamps
            .iter()
            .filter(|s| s.state == StampRolloutState::Failed)
            .map(|s| (s.stamp.clone(), s.from_version.clone(), s.message.clone()))
            .collect();
        if failed.is_empty() {
            return Ok(false);
        }
        state.phase = RolloutPhase::Halted;
        state.reason = format!(
            "halted: {}",
            failed
                .iter()
                .map(|(s, _, why)| format!("{s}: {why}"))
                .collect::<Vec<_>>()
                .join("; ")
        );
        self.save(id, state, progress).await?;
        for (stamp, from, why) in failed {
            let target = state.spec.target_version.clone();
            let back = match self.upgrade_stamp(id, &stamp, &target, &from).await {
                Ok(()) => self
                    .catalogue
                    .set_stamp_template_versions(
                        &[(stamp.clone(), from.clone())],
                        &format!("{VIA}:{id}"),
                    )
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match back {
                Ok(()) => mark(
                    state,
                    &stamp,
                    StampRolloutState::RolledBack,
                    format!("{why}; rolled back to {from}"),
                ),
                Err(e) => mark(
                    state,
                    &stamp,
                    StampRolloutState::Failed,
                    format!("{why}; rolling back to {from} failed too: {e}"),
                ),
            }
        }
        Ok(true)
    }

    /// Takes stamp `stamp` back from `from` to `version`: its provider first, then the
    /// Stamp API, waiting until it runs `version` (or says it failed).
    async fn upgrade_stamp(
        &self,
        id: i64,
        stamp: &StampId,
        from: &TemplateVersion,
        version: &TemplateVersion,
    ) -> Result<(), String> {
        self.upgrade_through_provider(stamp, from, version).await?;
        let client = self.stamp_client(stamp).await.map_err(|e| e.message)?;
        upgrade_on(&client, id, stamp, version).await
    }

    /// The health gate of stamp `stamp`.
    async fn health_gate(&self, stamp: &StampId, max_error_rate: f64) -> Result<(), String> {
        let client = self.stamp_client(stamp).await.map_err(|e| e.message)?;
        gate(&client, max_error_rate).await
    }

    async fn save(
        &self,
        id: i64,
        state: &RolloutState,
        progress: &(dyn Fn(RolloutView) + Send + Sync),
    ) -> OpsResult<RolloutView> {
        let journal = match state.phase {
            RolloutPhase::Done => OperationState::Succeeded,
            RolloutPhase::Halted | RolloutPhase::Aborted => OperationState::Failed,
            _ => OperationState::Running,
        };
        let step = format!("wave-{}:{:?}", state.wave + 1, state.phase);
        let (started_at, updated_at) = self
            .catalogue
            .save_rollout(id, &to_json(state)?, journal, &step)
            .await?;
        let view = RolloutView {
            id,
            journal,
            started_at,
            updated_at,
            state: state.clone(),
        };
        progress(view.clone());
        Ok(view)
    }
}

/// Asks the stamp behind `client` to run `version` (the key makes a retry the same
/// operation) and waits until it does, or says it failed.
async fn upgrade_on(
    client: &stamp_client::StampClient,
    id: i64,
    stamp: &StampId,
    version: &TemplateVersion,
) -> Result<(), String> {
    let key = format!("rollout-{id}-{stamp}-{version}");
    client
        .start_upgrade(version.as_str(), &key)
        .await
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let status = loop {
        // Answered when the upgrade ends (or after a second, to check the timeout).
        let status = client
            .upgrade_status_after(UPGRADE_WAIT_MS)
            .await
            .map_err(|e| e.to_string())?;
        if status.phase.finished()
            && (status.target_version == version.as_str()
                || status.running_version == version.as_str())
        {
            break status;
        }
        if started.elapsed() > UPGRADE_TIMEOUT {
            return Err(format!(
                "the upgrade to {version} did not end within {} s",
                UPGRADE_TIMEOUT.as_secs()
            ));
        }
    };
    // The stamp runs the version: done (also when an earlier upgrade to another version
    // is what failed last).
    if status.running_version != version.as_str() {
        return Err(format!("upgrade to {version} failed: {}", status.message));
    }
    Ok(())
}

/// The health gate: the stamp answers healthy with an error rate under the limit.
async fn gate(client: &stamp_client::StampClient, max_error_rate: f64) -> Result<(), String> {
    let health = client.health().await.map_err(|e| e.to_string())?;
    if health.status != StampHealthStatus::Ok {
        return Err(format!(
            "not healthy: {}",
            health.detail.unwrap_or_else(|| "degraded".to_owned())
        ));
    }
    if health.error_rate > max_error_rate {
        return Err(format!(
            "error rate {:.1}% is over {:.1}%",
            health.error_rate * 100.0,
            max_error_rate * 100.0
        ));
    }
    Ok(())
}

fn mark(state: &mut RolloutState, stamp: &StampId, to: StampRolloutState, message: String) {
    if let Some(s) = state.stamp_mut(stamp) {
        s.state = to;
        s.message = message;
    }
}

fn names(stamps: &[StampId]) -> String {
    stamps
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
