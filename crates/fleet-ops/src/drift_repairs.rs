//! Repairs of drift findings: each checks the stamp again first, then adopts the orphan,
//! provisions the missing tenant again (empty), or records the stamp's size or version,
//! audited as via `reconcile`. Journaled (`repair-drift`, with the finding and its stamp
//! call's key), so a repair killed mid-way is finished, and audited, at the next start
//! or `stampctl resume`.

use fleet_core::{Residency, Tenant, TenantId, Tier};
use serde::{Deserialize, Serialize};
use stamp_protocol::{ProvisionTenant, TenantOnStamp};

use crate::reconcile::{DriftFinding, DriftKind, VIA};
use crate::{Fleet, OpsError, OpsResult};

/// What a journaled repair needs to finish.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RepairParams {
    finding: DriftFinding,
    /// The Idempotency-Key of its stamp call, so a retry is the same call.
    key: String,
}

impl Fleet {
    /// Repairs `finding` after checking the stamp again; says what was done. Journaled
    /// (`repair-drift`, with the finding and the key of the stamp call), so a repair
    /// killed mid-way is finished, and audited, at the next start or `stampctl resume`.
    pub async fn repair_drift(&self, finding: &DriftFinding) -> OpsResult<String> {
        self.refuse_in_snapshot("repair drift").await?;
        let params = RepairParams {
            finding: finding.clone(),
            key: format!("reconcile-{}", &crate::secrets::new_token()?[..24]),
        };
        let text = serde_json::to_string(&params).map_err(|e| OpsError::internal(e.to_string()))?;
        let subject = format!(
            "{}:{}:{}",
            finding.kind.as_str(),
            finding.stamp,
            finding.tenant.as_deref().unwrap_or("")
        );
        let op = self
            .catalogue
            .open_operation(
                catalogue::OperationKind::RepairDrift,
                &subject,
                "repairing",
                &text,
            )
            .await?;
        self.finish_repair(op, &params, false).await
    }

    /// Repairs a killed run left (at the app's start, `stampctl resume`): each finished.
    pub async fn resume_repairs(&self) -> OpsResult<Vec<String>> {
        let mut outcomes = Vec::new();
        for op in self.catalogue.running_operations().await? {
            if op.kind != catalogue::OperationKind::RepairDrift {
                continue;
            }
            let params: RepairParams = serde_json::from_str(&op.params).map_err(|e| {
                OpsError::internal(format!(
                    "the journal's repair {}: unreadable parameters ({e})",
                    op.id
                ))
            })?;
            outcomes.push(match self.finish_repair(op.id, &params, true).await {
                Ok(done) => format!("repair {}: {done}", op.subject),
                Err(e) => format!("repair {}: {}", op.subject, e.message),
            });
        }
        Ok(outcomes)
    }

    async fn finish_repair(
        &self,
        op: i64,
        params: &RepairParams,
        resumed: bool,
    ) -> OpsResult<String> {
        let outcome = self.repair_now(&params.finding, &params.key, resumed).await;
        let (state, step, detail) = match &outcome {
            Ok(done) => (catalogue::OperationState::Succeeded, "done", done.clone()),
            Err(e) => (
                catalogue::OperationState::Failed,
                "failed",
                e.message.clone(),
            ),
        };
        self.catalogue.journal(op, state, step, &detail).await?;
        outcome
    }

    async fn repair_now(
        &self,
        finding: &DriftFinding,
        key: &str,
        resumed: bool,
    ) -> OpsResult<String> {
        let busy = self.tenants_in_flux().await?;
        let stamp = self
            .catalogue
            .stamp(&finding.stamp)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no stamp {}", finding.stamp)))?;
        let now = self.reconcile_stamp(&stamp, &busy).await?;
        let current = now
            .iter()
            .find(|f| f.kind == finding.kind && f.tenant == finding.tenant && f.repair.is_some());
        // A re-provisioning killed after its stamp call and before its audit row: the
        // difference is gone; the audit row is written now.
        if let (None, true, DriftKind::Missing, Some(tenant)) =
            (current, resumed, finding.kind, finding.tenant.as_deref())
        {
            let id = TenantId::new(tenant).map_err(|e| OpsError::internal(e.to_string()))?;
            if let Some(view) = self.tenant(&id).await? {
                self.catalogue
                    .record_change(VIA, "reprovision", "tenant", id.as_str(), &view.tenant)
                    .await?;
                return Ok(format!(
                    "{id} provisioned again on {} (empty; resumed)",
                    stamp.id
                ));
            }
        }
        let current = current.ok_or_else(|| {
            OpsError::conflict(format!(
                "{} no longer shows this difference (or it has no repair); nothing was changed",
                finding.stamp
            ))
        })?;
        let client = self.stamp_client(&stamp.id).await?;
        let tenant_id = || {
            current
                .tenant
                .as_deref()
                .and_then(|t| TenantId::new(t).ok())
                .ok_or_else(|| OpsError::internal("a tenant finding without a valid tenant id"))
        };
        let on_stamp = |held: Vec<TenantOnStamp>, id: &TenantId| {
            held.into_iter()
                .find(|t| t.id == id.as_str())
                .ok_or_else(|| OpsError::conflict(format!("{} no longer holds {id}", stamp.id)))
        };
        let stamp_error =
            |e: stamp_client::ClientError| OpsError::conflict(format!("{}: {e}", stamp.id));
        match current.kind {
            DriftKind::Version => {
                let reported = client.health().await.map_err(stamp_error)?.template_version;
                let version = fleet_core::TemplateVersion::new(reported.clone())
                    .map_err(OpsError::invalid)?;
                self.catalogue
                    .set_stamp_template_version(&stamp.id, &version, VIA)
                    .await?;
                Ok(format!(
                    "{} recorded at {}@{reported}",
                    stamp.id, stamp.template
                ))
            }
            DriftKind::Size => {
                let id = tenant_id()?;
                let size = on_stamp(client.tenants().await.map_err(stamp_error)?, &id)?.size_units;
                self.catalogue.set_tenant_size(&id, size, VIA).await?;
                Ok(format!("{id} recorded at {size} units"))
            }
            DriftKind::Orphan => {
                let id = tenant_id()?;
                let held = on_stamp(client.tenants().await.map_err(stamp_error)?, &id)?;
                let known = self
                    .catalogue
                    .tenants_by_id(std::slice::from_ref(&id))
                    .await?;
                let (new, known): (Vec<Tenant>, Vec<TenantId>) = if known.contains_key(&id) {
                    (Vec::new(), vec![id.clone()])
                } else {
                    let doc = self.catalogue.document().await?;
                    let template = crate::provision::template_in(
                        &doc,
                        &stamp.template,
                        &stamp.template_version,
                    )?;
                    (
                        vec![found_tenant(&id, &held, template.isolation)],
                        Vec::new(),
                    )
                };
                self.catalogue
                    .bind_found_tenants(&stamp.id, &new, &known, VIA)
                    .await?;
                Ok(format!(
                    "{id} adopted onto {} (review its tier and residency)",
                    stamp.id
                ))
            }
            DriftKind::Missing => {
                let id = tenant_id()?;
                let view = self.tenant(&id).await?.ok_or_else(|| {
                    OpsError::conflict(format!("no tenant {id} in the catalogue"))
                })?;
                let request = ProvisionTenant {
                    display_name: view.tenant.display_name.clone(),
                    size_units: view.tenant.size_units,
                };
                client
                    .provision_tenant(id.as_str(), &request, key)
                    .await
                    .map_err(stamp_error)?;
                crate::test_hooks::crash_point("repair-provisioned");
                self.catalogue
                    .record_change(VIA, "reprovision", "tenant", id.as_str(), &view.tenant)
                    .await?;
                Ok(format!("{id} provisioned again on {} (empty)", stamp.id))
            }
            DriftKind::State | DriftKind::Identity | DriftKind::Unreachable => {
                Err(OpsError::conflict(
                    "this difference has no automatic repair: it needs a person".to_owned(),
                ))
            }
        }
    }
}

/// A tenant first seen on a stamp, recorded with what the stamp knows of it; the rest
/// (standard tier, residency anywhere) is for the operator to review.
pub(crate) fn found_tenant(
    id: &TenantId,
    held: &TenantOnStamp,
    isolation: fleet_core::Isolation,
) -> Tenant {
    Tenant {
        id: id.clone(),
        display_name: held.display_name.clone(),
        tier: Tier::Standard,
        size_units: held.size_units,
        residency: Residency::default(),
        isolation,
        pinned: false,
        group: None,
    }
}
