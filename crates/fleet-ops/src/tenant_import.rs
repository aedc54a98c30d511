//! Bulk onboarding from a CSV or JSON file: every row checked first (errors by line and
//! field, nothing written), a dry-run plan (where each tenant goes, which new stamps are
//! needed), then the apply: tenant by tenant through the journaled onboarding, stopping
//! at the first failure. A rerun skips tenants already bound, so nothing is duplicated.

use std::collections::{BTreeMap, HashMap};

use fleet_core::placement::{decide, place, Outcome, PlacementPolicy, PlacementRequest};
use fleet_core::tenant_file::{parse_tenant_file, TenantFileRow};
use fleet_core::{RegionId, StampId, TemplateName, TemplateVersion, TenantId};
use serde::Serialize;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

/// What happens to one row.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPlanRow {
    pub line: u32,
    pub tenant: TenantId,
    pub size_units: u32,
    /// `stay` for a tenant that already lives on a stamp (a rerun skips it).
    pub outcome: Outcome,
}

/// New stamps the file needs, per template and region.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NewStampNeed {
    pub template: TemplateName,
    pub version: TemplateVersion,
    pub region: RegionId,
    pub tenants: u32,
    pub units: u32,
    /// Stamps of that template needed to hold them under the headroom reserve.
    pub stamps: u32,
}

/// The plan for a file (a dry run), or what an apply did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantImportReport {
    pub rows: u32,
    pub to_place: u32,
    pub already_onboarded: u32,
    pub need_new_stamp: u32,
    pub refused: u32,
    /// After an apply: tenants onboarded by this run.
    pub onboarded: u32,
    /// After an apply that stopped: why, and at which line.
    pub stopped: Option<String>,
    pub new_stamps: Vec<NewStampNeed>,
    pub plan: Vec<ImportPlanRow>,
}

/// Progress of an apply, for the progress bar.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
    pub message: String,
}

const SHOWN_ERRORS: usize = 20;

impl Fleet {
    fn read_tenant_file(
        &self,
        name: &str,
        text: &str,
        regions: &[fleet_core::Region],
    ) -> OpsResult<Vec<TenantFileRow>> {
        parse_tenant_file(name, text, regions).map_err(|errors| {
            let mut lines: Vec<String> = errors
                .iter()
                .take(SHOWN_ERRORS)
                .map(|e| format!("{name}: {e}"))
                .collect();
            if errors.len() > SHOWN_ERRORS {
                lines.push(format!("... and {} more", errors.len() - SHOWN_ERRORS));
            }
            OpsError::invalid(format!(
                "{} problem(s), nothing was written:\n{}",
                errors.len(),
                lines.join("\n")
            ))
        })
    }

    /// Checks a tenant file and plans where each tenant goes (writes nothing).
    pub async fn check_tenant_import(
        &self,
        name: &str,
        text: &str,
    ) -> OpsResult<TenantImportReport> {
        let regions = self.catalogue.regions().await?;
        let rows = self.read_tenant_file(name, text, &regions)?;
        self.plan_import(&rows).await
    }

    async fn plan_import(&self, rows: &[TenantFileRow]) -> OpsResult<TenantImportReport> {
        let policy = PlacementPolicy::default();
        let mut fleet = self.placement_fleet().await?;
        let mut plan = Vec::with_capacity(rows.len());
        let mut needs: BTreeMap<(RegionId, TemplateName, TemplateVersion), (u32, u32)> =
            BTreeMap::new();
        // Each group's tenants per stamp: from the catalogue, then as rows are planned.
        let mut groups: HashMap<String, HashMap<StampId, u32>> = HashMap::new();
        // Where the file's tenants already live, in one query rather than one per row.
        let ids: Vec<TenantId> = rows.iter().map(|r| r.tenant.id.clone()).collect();
        let homes = self.catalogue.homes(&ids).await?;
        for row in rows {
            let existing = homes.get(&row.tenant.id).cloned();
            let outcome = if let Some(stamp) = existing {
                Outcome::Stay {
                    reason: format!("{} already lives on {stamp}", row.tenant.id),
                    stamp,
                }
            } else {
                let group_load = match &row.tenant.group {
                    Some(g) if !groups.contains_key(g) => {
                        let load = self.catalogue.group_load(g).await?;
                        groups.entry(g.clone()).or_insert(load).clone()
                    }
                    Some(g) => groups.get(g).cloned().unwrap_or_default(),
                    None => HashMap::new(),
                };
                let request = PlacementRequest {
                    preferred_regions: row.preferred_regions.clone(),
                    group_load,
                    ..PlacementRequest::new(row.tenant.clone())
                };
                let core = decide(&fleet, &request, &policy);
                match core.ranked.first() {
                    Some(&(i, _)) => {
                        fleet.add_load(i, row.tenant.size_units);
                        let stamp = fleet.candidates[i].id.clone();
                        if let Some(g) = &row.tenant.group {
                            let load = groups.entry(g.clone()).or_default();
                            *load.entry(stamp.clone()).or_default() += 1;
                        }
                        Outcome::Place {
                            reason: format!("{} in {}", stamp, fleet.candidates[i].region),
                            stamp,
                        }
                    }
                    None => place(&fleet, &request, &policy).outcome,
                }
            };
            if let Outcome::NewStamp {
                template,
                version,
                region,
                ..
            } = &outcome
            {
                let e = needs
                    .entry((region.clone(), template.clone(), version.clone()))
                    .or_default();
                e.0 += 1;
                e.1 += row.tenant.size_units;
            }
            plan.push(ImportPlanRow {
                line: row.line,
                tenant: row.tenant.id.clone(),
                size_units: row.tenant.size_units,
                outcome,
            });
        }
        let count = |f: fn(&Outcome) -> bool| plan.iter().filter(|r| f(&r.outcome)).count() as u32;
        let new_stamps = needs
            .into_iter()
            .map(|((region, template, version), (tenants, units))| {
                let capacity = fleet
                    .templates
                    .iter()
                    .find(|t| t.name == template && t.version == version)
                    .map_or(1, |t| policy.usable(t.capacity_units).max(1));
                NewStampNeed {
                    stamps: units.div_ceil(capacity),
                    template,
                    version,
                    region,
                    tenants,
                    units,
                }
            })
            .collect();
        Ok(TenantImportReport {
            rows: plan.len() as u32,
            to_place: count(|o| matches!(o, Outcome::Place { .. })),
            already_onboarded: count(|o| matches!(o, Outcome::Stay { .. })),
            need_new_stamp: count(|o| matches!(o, Outcome::NewStamp { .. })),
            refused: count(|o| matches!(o, Outcome::Refuse { .. })),
            onboarded: 0,
            stopped: None,
            new_stamps,
            plan,
        })
    }

    /// Onboards every placeable tenant of a file, in file order, stopping at the first
    /// failure (tenants before it stay onboarded; a rerun finishes the job).
    pub async fn apply_tenant_import(
        &self,
        name: &str,
        text: &str,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> OpsResult<TenantImportReport> {
        let regions = self.catalogue.regions().await?;
        let rows = self.read_tenant_file(name, text, &regions)?;
        let mut report = self.plan_import(&rows).await?;
        let total = report.to_place;
        for (row, planned) in rows.iter().zip(&report.plan) {
            let Outcome::Place { stamp, .. } = &planned.outcome else {
                continue;
            };
            let stamp: StampId = stamp.clone();
            let params = format!(r#"{{"stamp":"{stamp}"}}"#);
            let outcome = async {
                let op = self
                    .catalogue
                    .begin_onboarding(&row.tenant, &params, "import")
                    .await?;
                self.run_onboarding(op, &row.tenant, &stamp, &|_| {}).await
            }
            .await;
            if let Err(e) = outcome {
                report.stopped = Some(format!(
                    "line {}: {}: {}",
                    row.line, row.tenant.id, e.message
                ));
                break;
            }
            report.onboarded += 1;
            progress(ImportProgress {
                done: report.onboarded,
                total,
                message: format!("{} lives on {stamp}", row.tenant.id),
            });
        }
        tracing::info!(file = name, onboarded = report.onboarded, stopped = ?report.stopped, "tenant import applied");
        Ok(report)
    }
}
