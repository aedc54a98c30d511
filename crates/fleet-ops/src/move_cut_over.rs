//! The cut-over of a move, past the point of no return: the fence (asked of the source
//! whether it happened), then the target's activation with the source's proof. Every
//! remote step is repeatable, so a resume comes this way too.

use stamp_client::StampClient;
use stamp_protocol::ActivateProof;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::moves::{stamp_error, MoveParams};

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

    /// After the flip: the target takes writes, the source redirects to it.
    pub(crate) async fn finish_cut_over(
        &self,
        op: i64,
        p: &MoveParams,
        source: &StampClient,
        target: &StampClient,
    ) -> OpsResult<()> {
        // The routers first: from here on requests go to the target (which answers 503
        // with Retry-After until it activates); meanwhile the fenced source redirects.
        self.push_route(&p.tenant, &p.to, std::time::Instant::now())
            .await;
        // The fence again (the same call: a replay), for a resume that comes this way.
        source
            .fence(p.tenant.as_str(), target.endpoint(), &p.key(op, "fence"))
            .await
            .map_err(|e| stamp_error(&p.from, e))?;
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
        Ok(())
    }
}
