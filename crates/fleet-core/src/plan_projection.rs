//! What a plan does to the fleet, computed offline: the plan's actions applied in order
//! to a copy of the catalogue document, every stamp before and after, the tenants that
//! move, and a warning for every action that cannot go through as written (with the
//! placement rule that stops it) and every stamp the plan puts (or pushes further) over
//! the headroom reserve.

use std::collections::HashMap;

use serde::Serialize;

use crate::document::CatalogueDocument;
use crate::ids::{RegionId, StampId, TenantId};
use crate::overview::FleetOverview;
use crate::placement::{
    check_target, place, CandidateHealth, Outcome, PlacementFleet, PlacementPolicy,
    PlacementRequest,
};
use crate::plan::{Plan, PlanAction};
use crate::region::Region;
use crate::stamp::{Stamp, StampStatus};
use crate::tenant::Binding;

/// One stamp before and after the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StampProjection {
    pub stamp: StampId,
    pub region: RegionId,
    /// None for a stamp the plan adds.
    pub status_before: Option<StampStatus>,
    pub status_after: StampStatus,
    pub used_before: u32,
    pub used_after: u32,
    pub capacity_before: u32,
    pub capacity_after: u32,
    pub tenants_before: u32,
    pub tenants_after: u32,
    /// Over the usable share (capacity minus the headroom reserve) after the plan.
    pub over_reserve_after: bool,
    /// The template version before (none for a stamp the plan adds) and after.
    pub version_before: Option<crate::template::TemplateVersion>,
    pub version_after: crate::template::TemplateVersion,
    /// The wave (0-based) of the plan's rollout that upgrades the stamp, if one does.
    pub rollout_wave: Option<u32>,
}

/// A tenant the plan moves (or places, for one it onboards: no `from`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectedMove {
    pub tenant: TenantId,
    pub from: Option<StampId>,
    pub to: StampId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanWarning {
    /// The action (0-based) it is about; none for the fleet after the plan.
    pub action: Option<u32>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanProjection {
    pub stamps: Vec<StampProjection>,
    pub moves: Vec<ProjectedMove>,
    pub warnings: Vec<PlanWarning>,
}

struct State<'a> {
    doc: CatalogueDocument,
    regions: &'a [Region],
    policy: PlacementPolicy,
    moves: Vec<ProjectedMove>,
    warnings: Vec<PlanWarning>,
    /// Stamp -> the wave of the plan's rollout that upgrades it.
    waves: HashMap<StampId, u32>,
}

impl<'a> State<'a> {
    fn warn(&mut self, action: usize, message: String) {
        self.warnings.push(PlanWarning {
            action: Some(action as u32),
            message,
        });
    }

    /// The fleet as placement sees it now (every stamp taken as healthy: offline).
    fn fleet(&self) -> PlacementFleet {
        let overview = FleetOverview::build(&self.doc, self.regions);
        PlacementFleet::new(
            self.regions.to_vec(),
            self.doc.templates.clone(),
            overview
                .stamps
                .into_iter()
                .map(|s| (s, CandidateHealth::Healthy)),
        )
    }

    fn stamp_mut(&mut self, id: &StampId) -> Option<&mut Stamp> {
        self.doc.stamps.iter_mut().find(|s| &s.id == id)
    }

    fn bind(&mut self, tenant: &TenantId, to: &StampId) -> Option<StampId> {
        let from = match self.doc.bindings.iter_mut().find(|b| &b.tenant == tenant) {
            Some(b) => {
                let from = std::mem::replace(&mut b.stamp, to.clone());
                b.version += 1;
                Some(from)
            }
            None => {
                self.doc.bindings.push(Binding {
                    tenant: tenant.clone(),
                    stamp: to.clone(),
                    version: 1,
                });
                None
            }
        };
        self.moves.push(ProjectedMove {
            tenant: tenant.clone(),
            from: from.clone(),
            to: to.clone(),
        });
        from
    }

    /// Whether `tenant` may go to `to` by the placement rules; the reason when not.
    fn check_target(
        &self,
        fleet: &PlacementFleet,
        tenant: &TenantId,
        to: &StampId,
    ) -> Result<(), String> {
        let Some(t) = self.doc.tenants.iter().find(|t| &t.id == tenant) else {
            return Err(format!("no tenant {tenant}"));
        };
        check_target(fleet, &PlacementRequest::new(t.clone()), to, &self.policy)
    }

    /// A copy of `doc` with every action of `plan` applied, with the moves and warnings.
    fn after_plan(
        doc: &CatalogueDocument,
        regions: &'a [Region],
        plan: &Plan,
        policy: &PlacementPolicy,
    ) -> Self {
        let mut state = State {
            doc: doc.clone(),
            regions,
            policy: *policy,
            moves: Vec::new(),
            warnings: Vec::new(),
            waves: HashMap::new(),
        };
        for (i, action) in plan.actions.iter().enumerate() {
            state.apply(i, action);
        }
        state
    }

    fn apply(&mut self, i: usize, action: &PlanAction) {
        match action {
            PlanAction::AddStamp {
                stamp,
                region,
                template,
                version,
                capacity_units,
                ..
            } => {
                if self.doc.stamps.iter().any(|s| &s.id == stamp) {
                    return self.warn(i, format!("stamp {stamp} exists already"));
                }
                if !self.regions.iter().any(|r| &r.id == region) {
                    return self.warn(i, format!("region {region} is unknown"));
                }
                let Some(t) = self
                    .doc
                    .templates
                    .iter()
                    .find(|t| &t.name == template && &t.version == version)
                else {
                    return self.warn(i, format!("template {template}@{version} is unknown"));
                };
                let capacity = capacity_units.unwrap_or(t.capacity_units);
                self.doc.stamps.push(Stamp {
                    id: stamp.clone(),
                    region: region.clone(),
                    template: template.clone(),
                    template_version: version.clone(),
                    capacity_units: capacity,
                    status: StampStatus::Active,
                    endpoint: None,
                });
            }
            PlanAction::OnboardTenant { tenant, stamp } => {
                if self.doc.tenants.iter().any(|t| t.id == tenant.id) {
                    return self.warn(i, format!("tenant {} exists already", tenant.id));
                }
                self.doc.tenants.push(tenant.clone());
                let fleet = self.fleet();
                let to = match stamp {
                    Some(s) => match self.check_target(&fleet, &tenant.id, s) {
                        Ok(()) => s.clone(),
                        Err(why) => return self.warn(i, why),
                    },
                    None => {
                        match place(&fleet, &PlacementRequest::new(tenant.clone()), &self.policy)
                            .outcome
                        {
                            Outcome::Place { stamp, .. } => stamp,
                            Outcome::NewStamp { reason, .. }
                            | Outcome::Refuse { reason }
                            | Outcome::Stay { reason, .. } => {
                                return self
                                    .warn(i, format!("{} cannot be placed: {reason}", tenant.id))
                            }
                        }
                    }
                };
                self.bind(&tenant.id, &to);
            }
            PlanAction::MoveTenant { tenant, to } => {
                let Some(from) = self
                    .doc
                    .bindings
                    .iter()
                    .find(|b| &b.tenant == tenant)
                    .map(|b| b.stamp.clone())
                else {
                    return self.warn(i, format!("tenant {tenant} lives on no stamp"));
                };
                if &from == to {
                    return self.warn(i, format!("{tenant} already lives on {to}"));
                }
                if self.doc.tenants.iter().any(|t| &t.id == tenant && t.pinned) {
                    return self.warn(i, format!("{tenant} is pinned to {from}"));
                }
                let fleet = self.fleet();
                match self.check_target(&fleet, tenant, to) {
                    Ok(()) => {
                        self.bind(tenant, to);
                    }
                    Err(why) => self.warn(i, why),
                }
            }
            PlanAction::DrainStamp { stamp } => {
                let Some(s) = self.stamp_mut(stamp) else {
                    return self.warn(i, format!("no stamp {stamp}"));
                };
                s.status = StampStatus::Draining;
                let mut on: Vec<_> = self
                    .doc
                    .bindings
                    .iter()
                    .filter(|b| &b.stamp == stamp)
                    .filter_map(|b| self.doc.tenants.iter().find(|t| t.id == b.tenant).cloned())
                    .collect();
                on.sort_by(|a, b| b.size_units.cmp(&a.size_units).then(a.id.cmp(&b.id)));
                let mut fleet = self.fleet();
                for t in on {
                    if t.pinned {
                        self.warn(i, format!("{} is pinned to {stamp} and stays", t.id));
                        continue;
                    }
                    // Kept in its region first, then the nearest, as a real drain does.
                    let request = PlacementRequest {
                        lives_on: Some(stamp.clone()),
                        ..PlacementRequest::new(t.clone())
                    };
                    match place(&fleet, &request, &self.policy).outcome {
                        Outcome::Place { stamp: to, .. } => {
                            if let Some(k) = fleet.candidate_index(&to) {
                                fleet.add_load(k, t.size_units);
                            }
                            self.bind(&t.id, &to);
                        }
                        Outcome::NewStamp { reason, .. }
                        | Outcome::Refuse { reason }
                        | Outcome::Stay { reason, .. } => {
                            self.warn(i, format!("{} stays on {stamp}: {reason}", t.id))
                        }
                    }
                }
            }
            PlanAction::RetireStamp { stamp } => {
                let left = self
                    .doc
                    .bindings
                    .iter()
                    .filter(|b| &b.stamp == stamp)
                    .count();
                let Some(s) = self.stamp_mut(stamp) else {
                    return self.warn(i, format!("no stamp {stamp}"));
                };
                if left > 0 {
                    return self.warn(
                        i,
                        format!("{stamp} still holds {left} tenant(s): drain it first"),
                    );
                }
                s.status = StampStatus::Retired;
            }
            PlanAction::RollOut { rollout } => {
                let known = self
                    .doc
                    .templates
                    .iter()
                    .any(|t| t.name == rollout.template && t.version == rollout.target_version);
                if !known {
                    return self.warn(
                        i,
                        format!(
                            "the catalogue has no template {}@{}",
                            rollout.template, rollout.target_version
                        ),
                    );
                }
                for (wave, id) in rollout.stamps() {
                    let template = rollout.template.clone();
                    let Some(s) = self.stamp_mut(id) else {
                        self.warn(i, format!("no stamp {id}"));
                        continue;
                    };
                    if s.template != template {
                        let other = s.template.clone();
                        self.warn(i, format!("{id} runs template {other}, not {template}"));
                        continue;
                    }
                    if s.status != StampStatus::Active {
                        let status = s.status.as_str();
                        self.warn(
                            i,
                            format!("{id} is {status}: only active stamps are upgraded"),
                        );
                        continue;
                    }
                    s.template_version = rollout.target_version.clone();
                    self.waves.insert(id.clone(), wave);
                }
            }
            PlanAction::ChangeCapacity {
                stamp,
                capacity_units,
            } => {
                let used: u64 = self
                    .doc
                    .bindings
                    .iter()
                    .filter(|b| &b.stamp == stamp)
                    .filter_map(|b| self.doc.tenants.iter().find(|t| t.id == b.tenant))
                    .map(|t| u64::from(t.size_units))
                    .sum();
                let Some(s) = self.stamp_mut(stamp) else {
                    return self.warn(i, format!("no stamp {stamp}"));
                };
                s.capacity_units = *capacity_units;
                if used > u64::from(*capacity_units) {
                    self.warn(
                        i,
                        format!("{stamp} holds {used} units, more than the new {capacity_units}"),
                    );
                }
            }
        }
    }
}

/// Applies `plan` to a copy of `doc` and compares.
pub fn project_plan(
    doc: &CatalogueDocument,
    regions: &[Region],
    plan: &Plan,
    policy: &PlacementPolicy,
) -> PlanProjection {
    project_plan_with_after(doc, regions, plan, policy).0
}

/// The catalogue as it would be after `plan` (what planners add to a plan start from).
pub fn document_after_plan(
    doc: &CatalogueDocument,
    regions: &[Region],
    plan: &Plan,
    policy: &PlacementPolicy,
) -> CatalogueDocument {
    State::after_plan(doc, regions, plan, policy).doc
}

/// The projection and the whole fleet after the plan (what the what-if map draws).
pub fn project_plan_with_after(
    doc: &CatalogueDocument,
    regions: &[Region],
    plan: &Plan,
    policy: &PlacementPolicy,
) -> (PlanProjection, FleetOverview) {
    let before = FleetOverview::build(doc, regions);
    let mut state = State::after_plan(doc, regions, plan, policy);
    let after = FleetOverview::build(&state.doc, regions);
    let old: HashMap<&StampId, _> = before.stamps.iter().map(|s| (&s.stamp.id, s)).collect();
    let mut stamps = Vec::with_capacity(after.stamps.len());
    for s in &after.stamps {
        let b = old.get(&s.stamp.id);
        let over = s.stamp.status == StampStatus::Active
            && s.capacity.used_units > policy.usable(s.capacity.total_units);
        // A warning only where the plan puts a stamp over, or makes it worse: a stamp
        // already over that the plan leaves alone must not block applying it.
        let worse = b.is_none_or(|b| {
            let was_over = b.stamp.status == StampStatus::Active
                && b.capacity.used_units > policy.usable(b.capacity.total_units);
            !was_over
                || s.capacity.used_units > b.capacity.used_units
                || s.capacity.total_units < b.capacity.total_units
        });
        if over && worse {
            state.warnings.push(PlanWarning {
                action: None,
                message: format!(
                    "{} ends at {} of {} units, over the {}% headroom reserve",
                    s.stamp.id,
                    s.capacity.used_units,
                    s.capacity.total_units,
                    policy.headroom_reserve_percent
                ),
            });
        }
        stamps.push(StampProjection {
            stamp: s.stamp.id.clone(),
            region: s.stamp.region.clone(),
            status_before: b.map(|b| b.stamp.status),
            status_after: s.stamp.status,
            used_before: b.map_or(0, |b| b.capacity.used_units),
            used_after: s.capacity.used_units,
            capacity_before: b.map_or(0, |b| b.capacity.total_units),
            capacity_after: s.capacity.total_units,
            tenants_before: b.map_or(0, |b| b.tenant_count),
            tenants_after: s.tenant_count,
            over_reserve_after: over,
            version_before: b.map(|b| b.stamp.template_version.clone()),
            version_after: s.stamp.template_version.clone(),
            rollout_wave: state.waves.get(&s.stamp.id).copied(),
        });
    }
    let projection = PlanProjection {
        stamps,
        moves: state.moves,
        warnings: state.warnings,
    };
    (projection, after)
}
