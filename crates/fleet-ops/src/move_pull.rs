//! The target's pulls during a move, round after round: each round the target copies
//! what it can from the source (snapshot pages, then the change log) and reports; while
//! the source is frozen, a round also keeps its freeze lease alive.

use std::time::{Duration, Instant};

use catalogue::MovePhase;
use stamp_client::StampClient;
use stamp_protocol::{ImportProgress, ImportSync};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::moves::{stamp_error, MoveParams, MoveProgress, MoveProgressFn, FREEZE_LEASE_SECS};

/// The target's pulls during one move.
pub(crate) struct Pull<'a> {
    pub(crate) target: &'a StampClient,
    pub(crate) sync: &'a ImportSync,
    pub(crate) round: u32,
    pub(crate) total_keys: u64,
    /// When the source's freeze lease was last set (frozen or renewed).
    pub(crate) leased_at: Option<Instant>,
}

/// How old a freeze lease may be before a catch-up round renews it.
const RENEW_LEASE_AFTER: Duration = Duration::from_secs(FREEZE_LEASE_SECS as u64 / 3);

impl Fleet {
    /// Asks the target to pull, round after round, until `done`; reports each round.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn pull_until(
        &self,
        op: i64,
        p: &MoveParams,
        pull: &mut Pull<'_>,
        report: &mut MoveProgress,
        progress: MoveProgressFn<'_>,
        cancellable: bool,
        renew: Option<&StampClient>,
        done: impl Fn(&ImportProgress, u64) -> bool,
    ) -> OpsResult<()> {
        loop {
            if cancellable {
                self.check_cancel(op).await?;
            }
            pull.round += 1;
            // While the source is frozen, a round renews its lease (a freeze again) once
            // a third of it has passed, so the fence after the last round finds it live.
            let due = pull
                .leased_at
                .is_none_or(|t| t.elapsed() >= RENEW_LEASE_AFTER);
            if let Some(source) = renew.filter(|_| due) {
                pull.leased_at = Some(Instant::now());
                source
                    .freeze(
                        p.tenant.as_str(),
                        FREEZE_LEASE_SECS,
                        &p.key(op, &format!("renew-{}", pull.round)),
                    )
                    .await
                    .map_err(|e| stamp_error(&p.from, e))?;
            }
            let got = pull
                .target
                .import_sync(
                    p.tenant.as_str(),
                    pull.sync,
                    &p.key(op, &format!("sync-{}", pull.round)),
                )
                .await
                .map_err(|e| stamp_error(&p.to, e))?;
            report.copied_keys += got.copied_keys;
            report.copied_bytes += got.copied_bytes;
            report.lag = got.source_seq.saturating_sub(got.applied_seq);
            if report.phase == MovePhase::Importing {
                let share = report.copied_keys.min(pull.total_keys) * 55 / pull.total_keys.max(1);
                report.percent = if got.snapshot_done {
                    60
                } else {
                    5 + share as u8
                };
            }
            progress(report.clone());
            if done(&got, report.lag) {
                return Ok(());
            }
            if got.snapshot_done
                && report.phase == MovePhase::Importing
                && crate::test_hooks::held_in_importing(Instant::now())
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    pub(crate) async fn check_cancel(&self, op: i64) -> OpsResult<()> {
        if self.catalogue.cancel_requested(op).await? {
            return Err(OpsError::conflict("cancelled by the operator"));
        }
        Ok(())
    }
}
