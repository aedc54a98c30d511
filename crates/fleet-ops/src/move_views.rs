//! What the app and stampctl show of moves: the targets a tenant may move to (with the
//! reason for every other stamp), the journaled moves, the routing table, and cleanup
//! of source copies after the retention window.

use catalogue::MOVE_KIND;
use fleet_core::placement::{place, Decision, PlacementPolicy, PlacementRequest};
use fleet_core::{StampId, TenantId};
use serde::Serialize;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::moves::MoveParams;

/// Where a tenant may move: the stamps that pass placement (best first), and the
/// decision with every other stamp's reason.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveTargets {
    pub tenant: TenantId,
    pub from: Option<StampId>,
    pub passing: Vec<StampId>,
    pub decision: Decision,
}

/// One journaled move.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveView {
    #[ts(type = "number")]
    pub operation: i64,
    pub tenant: TenantId,
    pub from: StampId,
    pub to: StampId,
    pub state: catalogue::OperationState,
    pub step: catalogue::MovePhase,
    pub detail: String,
    pub started_at: String,
    pub updated_at: String,
}

/// How long a moved tenant's source copy is kept for a cheap move back, by default.
pub const RETENTION_HOURS: u32 = 7 * 24;

impl Fleet {
    /// The stamps `tenant` may move to, by placement on the live fleet (health now).
    pub async fn move_targets(&self, tenant: &TenantId) -> OpsResult<MoveTargets> {
        let view = self
            .tenant(tenant)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no tenant {tenant}")))?;
        let fleet = self.placement_fleet().await?;
        let mut request = PlacementRequest::new(view.tenant.clone());
        // Not `current`: a pin does not hold a tenant the operator moves; its region
        // still comes first, then the nearest.
        request.lives_on = view.stamp.clone();
        let decision = place(&fleet, &request, &PlacementPolicy::default());
        let mut ranked: Vec<StampId> = decision.ranked.iter().map(|s| s.stamp.clone()).collect();
        let rest = fleet.candidates.iter().map(|c| &c.id).filter(|id| {
            Some(*id) != view.stamp.as_ref()
                && !ranked.contains(id)
                && !decision.rejected.iter().any(|r| &r.stamp == *id)
        });
        let rest: Vec<StampId> = rest.cloned().collect();
        ranked.retain(|s| Some(s) != view.stamp.as_ref());
        ranked.extend(rest);
        Ok(MoveTargets {
            tenant: tenant.clone(),
            from: view.stamp,
            passing: ranked,
            decision,
        })
    }

    /// The journaled moves, newest first.
    pub async fn moves(&self, limit: u32) -> OpsResult<Vec<MoveView>> {
        let mut out = Vec::new();
        for op in self.catalogue.operations_of_kind(MOVE_KIND, limit).await? {
            let corrupt =
                |what: String| OpsError::internal(format!("the journal's move {}: {what}", op.id));
            let p = serde_json::from_str::<MoveParams>(&op.params)
                .map_err(|e| corrupt(format!("unreadable parameters ({e})")))?;
            out.push(MoveView {
                operation: op.id,
                tenant: p.tenant,
                from: p.from,
                to: p.to,
                state: op.state,
                step: catalogue::MovePhase::parse(&op.step).map_err(corrupt)?,
                detail: op.detail,
                started_at: op.started_at,
                updated_at: op.updated_at,
            });
        }
        Ok(out)
    }

    /// Removes the source copies of moves finished more than `older_than_hours` ago
    /// (their move-back window is over). Returns what was removed.
    pub async fn clean_up_moves(&self, older_than_hours: u32) -> OpsResult<Vec<String>> {
        let mut removed = Vec::new();
        for op in self
            .catalogue
            .finished_moves_older_than(older_than_hours)
            .await?
        {
            let Ok(p) = serde_json::from_str::<MoveParams>(&op.params) else {
                continue;
            };
            // Not if the tenant lives there again (moved back).
            if self.catalogue.binding(&p.tenant).await?.map(|b| b.0) == Some(p.from.clone()) {
                self.catalogue
                    .journal(
                        op.id,
                        catalogue::OperationState::Succeeded,
                        catalogue::MovePhase::Cleaned.as_str(),
                        "moved back: nothing to remove",
                    )
                    .await?;
                continue;
            }
            let source = self.stamp_client(&p.from).await?;
            let copies = source
                .tenants()
                .await
                .map_err(|e| OpsError::conflict(format!("stamp {}: {e}", p.from)))?;
            let fenced = copies.iter().any(|t| {
                t.id == p.tenant.as_str() && t.state == stamp_protocol::TenantState::Fenced
            });
            if fenced {
                source
                    .deprovision_tenant(p.tenant.as_str(), &format!("move-{}-cleanup", op.id))
                    .await
                    .map_err(|e| OpsError::conflict(format!("stamp {}: {e}", p.from)))?;
                removed.push(format!("{} on {}", p.tenant, p.from));
            }
            self.catalogue
                .journal(
                    op.id,
                    catalogue::OperationState::Succeeded,
                    catalogue::MovePhase::Cleaned.as_str(),
                    "source copy removed",
                )
                .await?;
        }
        Ok(removed)
    }

    /// Where every tenant lives, with the routing table's version.
    pub async fn routes(&self) -> OpsResult<catalogue::RoutingTable> {
        Ok(self.catalogue.routes().await?)
    }
}
