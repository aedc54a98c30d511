//! Bulk onboarding from a CSV or JSON file. A check reads every row in one pass and
//! reports every problem at once, by line and field: format, references (unknown
//! regions), conflicts (an existing tenant with other data) and placement (with the next
//! step); the rows without problems get a dry-run plan (where each tenant goes, which new
//! stamps are needed). The apply refuses a file with format, reference or conflict
//! problems, then onboards tenant by tenant through the journaled onboarding, stopping
//! at the first failure. A rerun skips tenants already bound, so nothing is duplicated.

use std::collections::{BTreeMap, HashMap};

use fleet_core::placement::{decide, place, Outcome, PlacementPolicy, PlacementRequest};
use fleet_core::tenant_file::TenantFileRead;
use fleet_core::tenant_file::{read_tenant_file, ProblemKind, RowError, TenantFileRow};
use fleet_core::{RegionId, Residency, StampId, TemplateName, TemplateVersion, Tenant, TenantId};
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
    /// Every problem found, by line: format, reference, conflict and placement.
    pub problems: Vec<RowError>,
    /// Problems the apply refuses the file for (all but placement).
    pub blocking: u32,
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

/// The problems an apply refuses a file for, in words (at most SHOWN_ERRORS lines).
fn blocking_message(name: &str, problems: &[RowError]) -> String {
    let blocking: Vec<&RowError> = problems
        .iter()
        .filter(|p| p.kind != ProblemKind::Placement)
        .collect();
    let mut lines: Vec<String> = blocking
        .iter()
        .take(SHOWN_ERRORS)
        .map(|e| format!("{name}: {e}"))
        .collect();
    if blocking.len() > SHOWN_ERRORS {
        lines.push(format!("... and {} more", blocking.len() - SHOWN_ERRORS));
    }
    format!(
        "{} problem(s), nothing was written:\n{}",
        blocking.len(),
        lines.join("\n")
    )
}

/// How a file's row differs from the tenant the catalogue already has, in words; None
/// when they agree (a rerun of the same file).
fn differences(row: &Tenant, stored: &Tenant) -> Option<String> {
    let mut differ = Vec::new();
    let mut field = |name: &str, here: String, there: String| {
        if here != there {
            differ.push(format!("{name} {here} here, {there} in the catalogue"));
        }
    };
    field(
        "name",
        format!("{:?}", row.display_name),
        format!("{:?}", stored.display_name),
    );
    field(
        "tier",
        row.tier.as_str().into(),
        stored.tier.as_str().into(),
    );
    field(
        "size",
        row.size_units.to_string(),
        stored.size_units.to_string(),
    );
    field(
        "isolation",
        row.isolation.as_str().into(),
        stored.isolation.as_str().into(),
    );
    field(
        "residency",
        residency_words(&row.residency),
        residency_words(&stored.residency),
    );
    field(
        "group",
        row.group.clone().unwrap_or_else(|| "none".into()),
        stored.group.clone().unwrap_or_else(|| "none".into()),
    );
    (!differ.is_empty()).then(|| differ.join("; "))
}

/// A residency in words, in a fixed order (so the same places in another order agree).
fn residency_words(residency: &Residency) -> String {
    let mut places: Vec<&str> = residency
        .countries
        .iter()
        .map(|c| c.as_str())
        .chain(residency.geographies.iter().map(String::as_str))
        .chain(residency.regions.iter().map(RegionId::as_str))
        .collect();
    places.sort_unstable();
    if places.is_empty() {
        "anywhere".into()
    } else {
        places.join(",")
    }
}

/// The next step for a row placement cannot place today, or None when it can.
fn placement_problem(line: u32, outcome: &Outcome) -> Option<RowError> {
    let message = match outcome {
        Outcome::NewStamp {
            template,
            version,
            region,
            reason,
        } => format!("{reason}; next: add a stamp of template {template}@{version} in {region}"),
        Outcome::Refuse { reason } => format!("{reason}; next: it needs a stamp no template offers yet (a dedicated stamp, or a template that allows it)"),
        Outcome::Place { .. } | Outcome::Stay { .. } => return None,
    };
    Some(RowError {
        kind: ProblemKind::Placement,
        line,
        field: "placement".into(),
        message,
    })
}

impl Fleet {
    /// Checks a tenant file and plans where each tenant goes (writes nothing): every
    /// problem, of every kind, in one report.
    pub async fn check_tenant_import(
        &self,
        name: &str,
        text: &str,
    ) -> OpsResult<TenantImportReport> {
        let regions = self.catalogue.regions().await?;
        self.check_read(read_tenant_file(name, text, &regions))
            .await
    }

    async fn check_read(&self, read: TenantFileRead) -> OpsResult<TenantImportReport> {
        let mut report = self.plan_import(&read.rows).await?;
        report.problems.extend(read.problems);
        report.problems.sort_by_key(|p| (p.line, p.kind));
        report.blocking = report
            .problems
            .iter()
            .filter(|p| p.kind != ProblemKind::Placement)
            .count() as u32;
        Ok(report)
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
        let stored = self.catalogue.tenants_by_id(&ids).await?;
        let mut problems = Vec::new();
        for row in rows {
            let existing = homes.get(&row.tenant.id).cloned();
            let conflict = stored
                .get(&row.tenant.id)
                .and_then(|t| differences(&row.tenant, t));
            let outcome = if let Some(conflict) = conflict {
                let reason = format!(
                    "{} already exists with other data: {conflict}",
                    row.tenant.id
                );
                problems.push(RowError {
                    kind: ProblemKind::Conflict,
                    line: row.line,
                    field: "id".into(),
                    message: reason.clone(),
                });
                Outcome::Refuse { reason }
            } else if let Some(stamp) = existing {
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
            if let Some(problem) = problems
                .last()
                .filter(|p| p.line == row.line)
                .map_or_else(|| placement_problem(row.line, &outcome), |_| None)
            {
                problems.push(problem);
            }
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
                let found = fleet
                    .templates
                    .iter()
                    .find(|t| t.name == template && t.version == version);
                let capacity = found.map_or(1, |t| policy.usable(t.capacity_units).max(1));
                // A dedicated stamp holds one tenant, however small.
                let dedicated =
                    found.is_some_and(|t| t.isolation == fleet_core::Isolation::Dedicated);
                NewStampNeed {
                    stamps: if dedicated {
                        tenants
                    } else {
                        units.div_ceil(capacity)
                    },
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
            problems,
            blocking: 0,
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
        let read = read_tenant_file(name, text, &regions);
        let rows = read.rows.clone();
        let mut report = self.check_read(read).await?;
        if report.blocking > 0 {
            return Err(OpsError::invalid(blocking_message(name, &report.problems)));
        }
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

#[cfg(test)]
mod tests {
    use super::differences;
    use fleet_core::{CountryCode, Isolation, Residency, Tenant, TenantId, Tier};

    fn tenant(size: u32, countries: &[&str]) -> Tenant {
        Tenant {
            id: TenantId::new("acme").unwrap(),
            display_name: "Acme".into(),
            tier: Tier::Standard,
            size_units: size,
            residency: Residency {
                countries: countries
                    .iter()
                    .map(|c| CountryCode::new(*c).unwrap())
                    .collect(),
                ..Residency::default()
            },
            isolation: Isolation::Shared,
            pinned: false,
            group: None,
        }
    }

    #[test]
    fn the_same_tenant_in_another_order_is_no_conflict_and_a_change_is_named() {
        assert_eq!(
            differences(&tenant(10, &["NL", "DE"]), &tenant(10, &["DE", "NL"])),
            None
        );
        assert_eq!(
            differences(&tenant(12, &["DE"]), &tenant(10, &["DE"])).as_deref(),
            Some("size 12 here, 10 in the catalogue")
        );
    }
}
