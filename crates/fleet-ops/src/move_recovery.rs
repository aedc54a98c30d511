//! Moves that did not finish: rolled back before the cut-over (target copy dropped,
//! source unfrozen), finished past it, or cancelled on request. A move another live
//! process runs (its file lock is held) is left alone.

use catalogue::MOVE_KIND;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::moves::{stamp_error, MoveParams};
use crate::test_hooks::crash_point;

impl Fleet {
    /// Before the flip: drop the target's copy, unfreeze the source. Repeatable. The
    /// remote undo never depends on a local write: when the catalogue cannot be written
    /// (a full disk, a read-only file, a lock held too long), the source is unfrozen
    /// anyway and the error says the journal still has to be closed (`stampctl resume`
    /// or the next start does it, repeating the undo harmlessly).
    pub(crate) async fn roll_back(&self, op: i64, p: &MoveParams, why: &str) -> OpsResult<()> {
        if self.source_fenced(p).await {
            return Err(OpsError::conflict(format!(
                "{} is fenced on {} already: the move only goes forward (`stampctl resume`)",
                p.tenant, p.from
            )));
        }
        let journaled = self
            .catalogue
            .journal(
                op,
                catalogue::OperationState::Running,
                catalogue::MovePhase::RollingBack.as_str(),
                why,
            )
            .await;
        if let Err(e) = &journaled {
            tracing::error!(op, error = %e, "rolling back without a journal entry");
        }
        crash_point(catalogue::MovePhase::RollingBack.as_str());
        let target = self.stamp_client(&p.to).await?;
        let source = self.stamp_client(&p.from).await?;
        let copies = target.tenants().await.map_err(|e| stamp_error(&p.to, e))?;
        let here = copies.iter().find(|t| t.id == p.tenant.as_str());
        if here.is_some_and(|t| t.state == stamp_protocol::TenantState::Importing) {
            target
                .deprovision_tenant(p.tenant.as_str(), &p.key(op, "drop"))
                .await
                .map_err(|e| stamp_error(&p.to, e))?;
        }
        source
            .tenant_step(p.tenant.as_str(), "unfreeze", &p.key(op, "unfreeze"))
            .await
            .map_err(|e| stamp_error(&p.from, e))?;
        let closed = self
            .catalogue
            .journal(
                op,
                catalogue::OperationState::Failed,
                catalogue::MovePhase::RolledBack.as_str(),
                "source unfrozen, target copy dropped",
            )
            .await;
        if let Err(e) = journaled.and(closed) {
            return Err(OpsError::new(
                crate::ErrorCode::CatalogueUnavailable,
                format!(
                    "move {op} rolled back on the stamps ({} takes writes again), but the catalogue could not record it: {e}; `stampctl resume` records it",
                    p.from
                ),
            ));
        }
        Ok(())
    }

    /// Finishes the moves a killed process left: forward past the flip, back before it
    /// (or forward when `resume` asks). Moves another live process runs are left alone.
    pub async fn recover_moves(&self, resume: bool) -> OpsResult<Vec<String>> {
        let mut outcomes = Vec::new();
        for op in self.catalogue.running_operations().await? {
            if op.kind != MOVE_KIND {
                continue;
            }
            let Some(_lock) = self.try_lock_move(op.id).await? else {
                continue;
            };
            let p: MoveParams = match serde_json::from_str(&op.params) {
                Ok(p) => p,
                Err(e) => {
                    let why = format!("unreadable move parameters: {e}");
                    self.catalogue
                        .journal(
                            op.id,
                            catalogue::OperationState::Failed,
                            catalogue::MovePhase::Failed.as_str(),
                            &why,
                        )
                        .await?;
                    outcomes.push(format!("move {}: {why}", op.id));
                    continue;
                }
            };
            // Past the flip, or fenced (the point of no return): forward.
            let flipped = self.catalogue.binding(&p.tenant).await?.map(|b| b.0)
                == Some(p.to.clone())
                || self.source_fenced(&p).await;
            let cancelled = self.catalogue.cancel_requested(op.id).await?;
            let result = if flipped || (resume && !cancelled) {
                self.run_move(op.id, &p, &|_| {})
                    .await
                    .map(|_| "finished".to_owned())
            } else {
                self.roll_back(op.id, &p, "interrupted before the cut-over")
                    .await
                    .map(|()| "rolled back".to_owned())
            };
            outcomes.push(match result {
                Ok(how) => format!("move {} of {}: {how}", op.id, p.tenant),
                Err(e) => format!("move {} of {}: {}", op.id, p.tenant, e.message),
            });
        }
        Ok(outcomes)
    }

    /// Asks a move to stop before its cut-over; when no process runs it, rolls it back now.
    pub async fn cancel_move(&self, operation: i64) -> OpsResult<String> {
        let op = self
            .catalogue
            .operation(operation)
            .await?
            .filter(|o| o.kind == MOVE_KIND)
            .ok_or_else(|| OpsError::invalid(format!("no move {operation}")))?;
        if op.state != catalogue::OperationState::Running {
            return Err(OpsError::conflict(format!(
                "move {operation} is {}",
                op.state
            )));
        }
        let p: MoveParams =
            serde_json::from_str(&op.params).map_err(|e| OpsError::internal(e.to_string()))?;
        if self.catalogue.binding(&p.tenant).await?.map(|b| b.0) == Some(p.to.clone()) {
            return Err(OpsError::conflict(format!(
                "move {operation} has cut over to {}: move the tenant back instead",
                p.to
            )));
        }
        self.catalogue.request_cancel(operation).await?;
        match self.try_lock_move(operation).await? {
            None => Ok(format!(
                "move {operation}: cancel requested; the running move stops before its cut-over"
            )),
            Some(_lock) => {
                self.roll_back(operation, &p, "cancelled by the operator")
                    .await?;
                Ok(format!("move {operation}: rolled back"))
            }
        }
    }
}
