//! The cut-over of a move, past the point of no return: the fence (asked of the source
//! whether it happened), then the target's activation with the source's proof. Every
//! remote step is repeatable, so a resume comes this way too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fleet_core::StampId;
use stamp_client::StampClient;
use stamp_protocol::ActivateProof;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::moves::{stamp_error, MoveParams};

/// How many of this process's moves off one source stamp may be in their cut-over at
/// once. A cut-over is a dozen short calls, most of them writes under the source's or
/// the target's one writer lock; twenty at once queued there behind each other, and each
/// paused its tenant's writes for the whole queue. A move waiting for its turn still
/// takes writes: it has not frozen yet. Measured with `.ci/bench-moves 0 20` (20 moves
/// off one stamp, p99 of the pauses, 3-4 runs each): no limit 75-119 ms, 4 at once
/// 41-57, 2 at once 30-48, one at a time 27-38 ms but the 20 moves took half as long
/// again. Against remote stamps a turn lasts a dozen round trips, so fewer turns would
/// cost a drain of one stamp more than they save.
pub(crate) const CUT_OVERS_PER_SOURCE: usize = 2;

/// Per source stamp, the turns of the cut-overs (`CUT_OVERS_PER_SOURCE` each).
#[derive(Clone, Default)]
pub struct CutOverTurns(Arc<Mutex<HashMap<StampId, Arc<Semaphore>>>>);

impl CutOverTurns {
    /// Waits for a cut-over turn off `source`; `true` with it when the move waited.
    /// (The turns are never closed, so the turn is always there.)
    pub(crate) async fn take(&self, source: &StampId) -> (Option<OwnedSemaphorePermit>, bool) {
        let turns = {
            let mut by_stamp = self.0.lock().unwrap_or_else(|e| e.into_inner());
            by_stamp
                .entry(source.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(CUT_OVERS_PER_SOURCE)))
                .clone()
        };
        match turns.clone().try_acquire_owned() {
            Ok(turn) => (Some(turn), false),
            Err(_) => (turns.acquire_owned().await.ok(), true),
        }
    }
}

impl Fleet {
    /// Whether the move's source has fenced the tenant (asked now; unreachable: no).
    pub(crate) async fn source_fenced(&self, p: &MoveParams) -> bool {
        let Ok(source) = self.stamp_client(&p.from).await else {
            return false;
        };
        source
            .checksum(p.tenant.as_str())
            .await
            .is_ok_and(|c| c.state == stamp_protocol::TenantState::Fenced)
    }

    /// After the flip there is only forward, and every remote step is repeatable: a
    /// step the catalogue cannot record (a full disk, a read-only file) is still run, so
    /// the tenant is never left without a writable home; the journal catches up at the
    /// resume, which repeats the steps harmlessly.
    async fn step_after_flip(&self, op: i64, step: catalogue::MovePhase) -> Option<OpsError> {
        self.step(op, step, "")
            .await
            .inspect_err(
                |e| tracing::error!(op, %step, error = %e.message, "step not journaled; run anyway"),
            )
            .err()
    }

    /// After the flip: the target takes writes, the source redirects to it. `fenced_now`:
    /// this run fenced the source a moment ago (a resume fences it again, a replay).
    /// Returns when the target took the tenant's writes.
    pub(crate) async fn finish_cut_over(
        &self,
        op: i64,
        p: &MoveParams,
        source: &StampClient,
        target: &StampClient,
        fenced_now: bool,
    ) -> OpsResult<std::time::Instant> {
        // The routers first: from here on requests go to the target (which answers 503
        // with Retry-After until it activates); meanwhile the fenced source redirects.
        self.push_route(&p.tenant, &p.to, std::time::Instant::now())
            .await;
        // The fence again (the same call: a replay), for a resume that comes this way.
        if !fenced_now {
            source
                .fence(p.tenant.as_str(), target.endpoint(), &p.key(op, "fence"))
                .await
                .map_err(|e| stamp_error(&p.from, e))?;
        }
        let unrecorded = self
            .step_after_flip(op, catalogue::MovePhase::Activating)
            .await;
        // The target activates only once the source shows it fenced the tenant.
        let grant = source
            .transfer_grant(p.tenant.as_str())
            .await
            .map_err(|e| stamp_error(&p.from, e))?;
        let proof = ActivateProof {
            source: source.endpoint().to_owned(),
            transfer_token: grant.token,
        };
        target
            .activate(
                p.tenant.as_str(),
                &proof,
                &p.key(op, &format!("activate-{}", grant.expires_at)),
            )
            .await
            .map_err(|e| stamp_error(&p.to, e))?;
        let activated = std::time::Instant::now();
        if let Some(e) = unrecorded {
            return Err(OpsError::new(
                e.code,
                format!(
                    "{} moved to {} on the stamps, but the catalogue could not record it: {}; `stampctl resume` records it",
                    p.tenant, p.to, e.message
                ),
            ));
        }
        self.catalogue
            .journal(
                op,
                catalogue::OperationState::Succeeded,
                catalogue::MovePhase::Done.as_str(),
                &format!("{} moved from {} to {}", p.tenant, p.from, p.to),
            )
            .await?;
        Ok(activated)
    }
}
