//! Reconcile: the catalogue held against what each stamp says it holds. Findings are
//! tenants a stamp is home to that the catalogue does not place there (orphans),
//! bindings whose tenant the stamp does not hold (missing), sizes or states that
//! differ, a template version the stamp reports that is not the recorded one, and an
//! endpoint that answers as another stamp. Tenants a running move or onboarding is
//! working on are left out (their state is in flux). Each finding says its repair,
//! where one exists; a repair checks the stamp again before it changes anything.

use std::collections::{HashMap, HashSet};

use fleet_core::{StampId, StampStatus, Tenant, TenantId, TenantQuery};
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use stamp_protocol::TenantState;

use crate::{Fleet, OpsError, OpsResult};

/// Stamps asked at once.
const CONCURRENCY: usize = 8;
/// What the audit log names as the part that wrote a repair.
pub(crate) const VIA: &str = "reconcile";

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
    pub(crate) async fn tenants_in_flux(&self) -> OpsResult<HashSet<String>> {
        Ok(self
            .catalogue
            .running_operations()
            .await?
            .into_iter()
            .filter(|op| op.kind == catalogue::MOVE_KIND || op.kind == catalogue::ONBOARD_KIND)
            .map(|op| op.subject)
            .collect())
    }

    pub(crate) async fn reconcile_stamp(
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
}
