//! Reconcile: the catalogue held against what each stamp says it holds. Findings are
//! tenants a stamp is home to that the catalogue does not place there (orphans),
//! bindings whose tenant the stamp does not hold (missing), sizes or states that
//! differ, a template version the stamp reports that is not the recorded one, and an
//! endpoint that answers as another stamp. Tenants a running move or onboarding is
//! working on are left out (their state is in flux). Each finding says its repair,
//! where one exists; a repair checks the stamp again before it changes anything.

use std::collections::{HashMap, HashSet};

use fleet_core::{Residency, StampId, StampStatus, Tenant, TenantId, TenantQuery, Tier};
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use stamp_protocol::{ProvisionTenant, TenantOnStamp, TenantState};

use crate::{Fleet, OpsError, OpsResult};

/// Stamps asked at once.
const CONCURRENCY: usize = 8;
/// What the audit log names as the part that wrote a repair.
const VIA: &str = "reconcile";

/// What kind of difference a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    /// The stamp is home to a tenant the catalogue does not place there.
    Orphan,
    /// The catalogue places a tenant on the stamp; the stamp does not hold it.
    Missing,
    /// The tenant's size on the stamp differs from the catalogue's.
    Size,
    /// The tenant is frozen, fenced or importing on its home with no move running.
    State,
    /// The stamp reports another template version than the recorded one.
    Version,
    /// The endpoint answers as another stamp.
    Identity,
    /// The stamp could not be asked.
    Unreachable,
}

/// One difference between the catalogue and a stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DriftFinding {
    pub kind: DriftKind,
    pub stamp: StampId,
    pub tenant: Option<String>,
    /// What differs, in words.
    pub detail: String,
    /// The repair offered, in words; none when it needs a person.
    pub repair: Option<String>,
}

/// What a journaled repair needs to finish.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RepairParams {
    finding: DriftFinding,
    /// The Idempotency-Key of its stamp call, so a retry is the same call.
    key: String,
}

/// A reconcile's answer.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    pub stamps_checked: u32,
    /// What differs, less what an operator ignores.
    pub findings: Vec<DriftFinding>,
    /// Findings operators ignore, with why (hidden from `findings` while what differs
    /// is what they saw).
    pub ignored: Vec<catalogue::DriftIgnore>,
}

impl DriftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::Orphan => "orphan",
            DriftKind::Missing => "missing",
            DriftKind::Size => "size",
            DriftKind::State => "state",
            DriftKind::Version => "version",
            DriftKind::Identity => "identity",
            DriftKind::Unreachable => "unreachable",
        }
    }
}

impl Fleet {
    /// Holds every active or draining stamp with an endpoint against the catalogue.
    pub async fn reconcile(&self) -> OpsResult<ReconcileReport> {
        let busy = self.tenants_in_flux().await?;
        let stamps: Vec<_> = self
            .overview()
            .await?
            .stamps
            .into_iter()
            .map(|v| v.stamp)
            .filter(|s| {
                matches!(s.status, StampStatus::Active | StampStatus::Draining)
                    && s.endpoint.is_some()
            })
            .collect();
        let checked = stamps.len();
        let mut findings: Vec<DriftFinding> = stream::iter(stamps)
            .map(|stamp| {
                let busy = &busy;
                async move { self.reconcile_stamp(&stamp, busy).await }
            })
            .buffer_unordered(CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<OpsResult<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        findings.sort_by(|a, b| {
            (&a.stamp, &a.tenant, a.kind as u8).cmp(&(&b.stamp, &b.tenant, b.kind as u8))
        });
        let ignored = self.catalogue.drift_ignores().await?;
        findings.retain(|f| {
            !ignored.iter().any(|i| {
                i.kind == f.kind.as_str()
                    && i.stamp == f.stamp.as_str()
                    && i.tenant == f.tenant.as_deref().unwrap_or("")
                    && i.detail == f.detail
            })
        });
        Ok(ReconcileReport {
            stamps_checked: u32::try_from(checked).unwrap_or(u32::MAX),
            findings,
            ignored,
        })
    }

    /// Ignores a finding, saying why: hidden from reconciles while what differs stays
    /// as it is now; audited with the operator's name.
    pub async fn ignore_drift(&self, finding: &DriftFinding, reason: &str) -> OpsResult<()> {
        self.refuse_in_snapshot("ignore a drift finding").await?;
        Ok(self
            .catalogue
            .ignore_drift(
                finding.kind.as_str(),
                finding.stamp.as_str(),
                finding.tenant.as_deref().unwrap_or(""),
                &finding.detail,
                reason,
                VIA,
            )
            .await?)
    }

    /// Stops ignoring a finding (the kind, stamp and tenant of an ignore).
    pub async fn unignore_drift(&self, ignore: &catalogue::DriftIgnore) -> OpsResult<()> {
        let done = self
            .catalogue
            .unignore_drift(&ignore.kind, &ignore.stamp, &ignore.tenant, VIA)
            .await?;
        if !done {
            return Err(OpsError::conflict(format!(
                "the {} finding on {} is not ignored",
                ignore.kind, ignore.stamp
            )));
        }
        Ok(())
    }

    /// Tenants a running move or onboarding works on.
    async fn tenants_in_flux(&self) -> OpsResult<HashSet<String>> {
        Ok(self
            .catalogue
            .running_operations()
            .await?
            .into_iter()
            .filter(|op| op.kind == catalogue::MOVE_KIND || op.kind == catalogue::ONBOARD_KIND)
            .map(|op| op.subject)
            .collect())
    }

    async fn reconcile_stamp(
        &self,
        stamp: &fleet_core::Stamp,
        busy: &HashSet<String>,
    ) -> OpsResult<Vec<DriftFinding>> {
        let finding =
            |kind, tenant: Option<&str>, detail: String, repair: Option<String>| DriftFinding {
                kind,
                stamp: stamp.id.clone(),
                tenant: tenant.map(str::to_owned),
                detail,
                repair,
            };
        let unreachable = |e: String| vec![finding(DriftKind::Unreachable, None, e, None)];
        let client = match self.stamp_client(&stamp.id).await {
            Ok(c) => c,
            Err(e) => return Ok(unreachable(e.message)),
        };
        let health = match client.health().await {
            Ok(h) => h,
            Err(e) => return Ok(unreachable(format!("cannot ask it: {e}"))),
        };
        if health.stamp_id != stamp.id.as_str() {
            let detail = format!("its endpoint answers as stamp {}", health.stamp_id);
            return Ok(vec![finding(DriftKind::Identity, None, detail, None)]);
        }
        let mut out = Vec::new();
        let recorded = stamp.template_version.to_string();
        if health.template_version != recorded {
            out.push(finding(
                DriftKind::Version,
                None,
                format!(
                    "it reports {}@{}; the catalogue records {recorded}",
                    stamp.template, health.template_version
                ),
                Some(format!("record version {}", health.template_version)),
            ));
        }
        let held = match client.tenants().await {
            Ok(t) => t,
            Err(e) => return Ok(unreachable(format!("cannot list its tenants: {e}"))),
        };
        let bound = self.tenants_bound_to(&stamp.id).await?;
        let ids: Vec<TenantId> = held
            .iter()
            .filter_map(|t| TenantId::new(&t.id).ok())
            .collect();
        let homes = self.catalogue.homes(&ids).await?;
        for t in held.iter().filter(|t| !busy.contains(&t.id)) {
            let home = TenantId::new(&t.id)
                .ok()
                .and_then(|id| homes.get(&id).cloned());
            match (bound.get(&t.id), t.state) {
                (Some(record), TenantState::Active | TenantState::Suspended)
                    if record.size_units != t.size_units =>
                {
                    out.push(finding(
                        DriftKind::Size,
                        Some(&t.id),
                        format!(
                            "it takes {} units on the stamp, {} in the catalogue",
                            t.size_units, record.size_units
                        ),
                        Some(format!("record {} units", t.size_units)),
                    ))
                }
                (Some(_), TenantState::Active | TenantState::Suspended) => {}
                (Some(_), state) => out.push(finding(
                    DriftKind::State,
                    Some(&t.id),
                    format!("it is {state:?} on its home stamp and no move is running"),
                    None,
                )),
                (None, TenantState::Active | TenantState::Suspended) => out.push(match home {
                    Some(other) => finding(
                        DriftKind::Orphan,
                        Some(&t.id),
                        format!("the stamp serves it; the catalogue places it on {other}"),
                        None,
                    ),
                    None => finding(
                        DriftKind::Orphan,
                        Some(&t.id),
                        format!(
                            "the stamp serves it ({} units); the catalogue does not place it",
                            t.size_units
                        ),
                        Some(format!("adopt it onto {}", stamp.id)),
                    ),
                }),
                // A move's old or unfinished copy: not this stamp's tenant.
                (None, _) => {}
            }
        }
        let on_stamp: HashSet<&str> = held.iter().map(|t| t.id.as_str()).collect();
        for id in bound
            .keys()
            .filter(|id| !on_stamp.contains(id.as_str()) && !busy.contains(*id))
        {
            out.push(finding(
                DriftKind::Missing,
                Some(id),
                "the catalogue places it here; the stamp does not hold it".to_owned(),
                Some(format!(
                    "provision it again on {} (empty: its data there is gone)",
                    stamp.id
                )),
            ));
        }
        Ok(out)
    }

    /// The tenants the catalogue binds to `stamp`, by id.
    async fn tenants_bound_to(&self, stamp: &StampId) -> OpsResult<HashMap<String, Tenant>> {
        let mut out = HashMap::new();
        let mut offset = 0;
        loop {
            let page = self
                .tenants(&TenantQuery {
                    stamp: Some(stamp.clone()),
                    offset,
                    limit: TenantQuery::MAX_LIMIT,
                    ..TenantQuery::default()
                })
                .await?;
            let n = u32::try_from(page.tenants.len()).unwrap_or(u32::MAX);
            out.extend(
                page.tenants
                    .into_iter()
                    .map(|v| (v.tenant.id.to_string(), v.tenant)),
            );
            if n < TenantQuery::MAX_LIMIT {
                return Ok(out);
            }
            offset += n;
        }
    }

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
