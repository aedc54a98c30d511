//! The desktop app's handle on its catalogue: opened on first use, and opened again on
//! the next call after a failure, so "Try again" works once the operator has moved a
//! bad file aside.

use std::path::PathBuf;

use tokio::sync::Mutex;

use crate::error::OpsResult;
use crate::fleet::Fleet;

/// Cheap to clone: clones share the one catalogue connection pool.
#[derive(Clone)]
pub struct FleetSlot {
    path: OpsResult<PathBuf>,
    fleet: std::sync::Arc<Mutex<Option<Fleet>>>,
}

impl FleetSlot {
    /// `path` is where the catalogue is, or why no path could be chosen.
    pub fn new(path: OpsResult<PathBuf>) -> Self {
        Self {
            path,
            fleet: std::sync::Arc::new(Mutex::new(None)),
        }
    }

    /// The open catalogue, opening it now if it is not open yet.
    pub async fn get(&self) -> OpsResult<Fleet> {
        let mut slot = self.fleet.lock().await;
        if let Some(fleet) = slot.as_ref() {
            return Ok(fleet.clone());
        }
        let path = self.path.clone()?;
        let fleet = Fleet::open(&path).await.inspect_err(|e| {
            let location = catalogue::redact(&path.to_string_lossy());
            tracing::error!(%location, error = %e.message, "catalogue unavailable");
        })?;
        crate::recent::remember(&path);
        *slot = Some(fleet.clone());
        Ok(fleet)
    }
}

impl FleetSlot {
    /// At start: finish provisioning runs a killed app left behind, and restart local
    /// stamp agents that do not answer. Failures are logged; the window opens anyway.
    pub async fn recover(&self) {
        let Ok(fleet) = self.get().await else { return };
        match fleet.resume_operations_at_start().await {
            Ok(n) if n > 0 => tracing::info!(resumed = n, "interrupted operations finished"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e.message, "resuming operations failed"),
        }
        match fleet.start_local_agents().await {
            Ok(started) => tracing::info!(agents = started.len(), "local stamp agents answering"),
            Err(e) => tracing::error!(error = %e.message, "starting local stamp agents failed"),
        }
        // Killed moves: forward past the cut-over, rolled back before it.
        log_outcomes("move", fleet.recover_moves(false).await);
        // Killed plan applies go on from their next action (after the moves they ran).
        log_outcomes("plan apply", fleet.resume_plan_applies().await);
        // Killed drift repairs finish, audited.
        log_outcomes("repair", fleet.resume_repairs().await);
        // Killed offboardings finish (every step is safe to run again).
        log_outcomes("offboarding", fleet.resume_offboardings().await);
        // Killed rollouts go on, each on its own task (a rollout may bake for hours).
        match fleet.interrupted_rollouts().await {
            Ok(ids) => {
                for id in ids {
                    let fleet = fleet.clone();
                    tokio::spawn(async move {
                        let clock = crate::RolloutClock::default();
                        match fleet.resume_rollout(id, &clock, &|_| {}).await {
                            Ok(r) => {
                                tracing::info!(rollout = id, phase = ?r.state.phase, "interrupted rollout went on")
                            }
                            Err(e) => {
                                tracing::error!(rollout = id, error = %e.message, "resuming a rollout failed")
                            }
                        }
                    });
                }
            }
            Err(e) => tracing::error!(error = %e.message, "finding interrupted rollouts failed"),
        }
    }
}

/// Logs what became of each interrupted run of one kind, or why they were not taken up.
fn log_outcomes(kind: &str, outcomes: crate::OpsResult<Vec<String>>) {
    match outcomes {
        Ok(outcomes) => {
            for outcome in outcomes {
                tracing::info!(%outcome, kind, "interrupted run taken up");
            }
        }
        Err(e) => tracing::error!(error = %e.message, kind, "taking up interrupted runs failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[tokio::test]
    async fn a_failed_open_is_retried_on_the_next_call() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        std::fs::write(&path, "not a database, long enough to have a header").unwrap();
        let slot = FleetSlot::new(Ok(path.clone()));
        assert_eq!(
            slot.get().await.err().map(|e| e.code),
            Some(ErrorCode::CatalogueUnavailable)
        );

        std::fs::remove_file(&path).unwrap();
        let fleet = slot.get().await.unwrap();
        assert_eq!(fleet.info().await.unwrap().counts.stamps, 0);
        assert_eq!(slot.get().await.unwrap().path(), path);
    }

    #[tokio::test]
    async fn no_path_is_reported_on_every_call() {
        let slot = FleetSlot::new(Err(crate::OpsError::invalid("no OS data directory")));
        assert_eq!(
            slot.get().await.err().map(|e| e.message),
            Some("no OS data directory".to_owned())
        );
    }
}
