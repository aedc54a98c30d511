//! Plans as the window shows them: a list with each plan's apply state, and one plan in
//! full (its steps in words, what it does to the fleet, the fleet after it for the
//! what-if map). Editing: remove a step, delete a plan; a plan partly applied is not
//! edited, or resuming it would skip or repeat the wrong actions.

use catalogue::OperationState;
use fleet_core::placement::PlacementPolicy;
use fleet_core::plan::{validate_plan, Plan, PlanAction};
use fleet_core::plan_projection::{project_plan_with_after, PlanProjection};
use fleet_core::FleetOverview;
use serde::Serialize;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

pub(crate) use catalogue::APPLY_PLAN_KIND as APPLY_KIND;

/// Where a plan's last apply stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum ApplyState {
    /// Running now (a live process holds its run lock).
    Running,
    /// Killed while running: it resumes when the app starts again, or on "apply".
    Interrupted,
    Paused,
    Failed,
    Applied,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanApplyStatus {
    pub state: ApplyState,
    /// Actions applied so far.
    pub done: u32,
    pub total: u32,
    /// Why it stopped, in words (empty while running and once applied).
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanSummary {
    pub name: String,
    #[ts(type = "number")]
    pub base_version: i64,
    pub actions: u32,
    pub apply: Option<PlanApplyStatus>,
}

/// One action of a plan, in words.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanStep {
    pub description: String,
    #[ts(as = "crate::plan_action_ts::PlanActionShape")]
    pub action: PlanAction,
}

impl From<PlanAction> for PlanStep {
    fn from(action: PlanAction) -> Self {
        Self {
            description: action.describe(),
            action,
        }
    }
}

/// A plan in full, projected over the catalogue as it is now (offline).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanDetail {
    pub name: String,
    #[ts(type = "number")]
    pub base_version: i64,
    /// Catalogue changes since the plan was made.
    #[ts(type = "number")]
    pub changes_since_base: i64,
    pub steps: Vec<PlanStep>,
    pub projection: PlanProjection,
    /// The fleet after the plan, shaped like the live overview (the what-if map).
    pub after: FleetOverview,
    pub apply: Option<PlanApplyStatus>,
}

#[derive(serde::Deserialize)]
struct ApplyParams {
    next: u32,
}

/// The run lock an apply holds while it runs.
pub(crate) fn apply_lock_name(operation: i64) -> String {
    format!("apply-plan-{operation}")
}

impl Fleet {
    async fn status_of(&self, op: &catalogue::Operation, total: u32) -> OpsResult<PlanApplyStatus> {
        let done = serde_json::from_str::<ApplyParams>(&op.params)
            .map_err(|e| {
                OpsError::internal(format!(
                    "the journal's apply {} of plan {:?}: unreadable parameters ({e})",
                    op.id, op.subject
                ))
            })?
            .next;
        let state = match (op.state, op.step.as_str()) {
            (OperationState::Succeeded, _) => ApplyState::Applied,
            (OperationState::Failed, "paused") => ApplyState::Paused,
            (OperationState::Failed, _) => ApplyState::Failed,
            // Running in the journal: live only while some process holds its lock.
            (OperationState::Running, _) => match self.try_run_lock(&apply_lock_name(op.id)).await?
            {
                Some(_probe) => ApplyState::Interrupted,
                None => ApplyState::Running,
            },
        };
        let detail = match state {
            ApplyState::Paused | ApplyState::Failed => op.detail.clone(),
            _ => String::new(),
        };
        Ok(PlanApplyStatus {
            state,
            done: done.min(total),
            total,
            detail,
        })
    }

    /// The newest apply operation of the plan `name`, if it was ever applied.
    pub(crate) async fn latest_apply(&self, name: &str) -> OpsResult<Option<catalogue::Operation>> {
        let ops = self.catalogue.plan_applies().await?;
        Ok(ops.into_iter().find(|o| o.subject == name))
    }

    /// How far the newest apply of `plan` went, if it was ever applied.
    pub(crate) async fn apply_status(&self, plan: &Plan) -> OpsResult<Option<PlanApplyStatus>> {
        match self.latest_apply(&plan.name).await? {
            Some(op) => Ok(Some(self.status_of(&op, plan.actions.len() as u32).await?)),
            None => Ok(None),
        }
    }

    /// Every plan by name, with how far its last apply went.
    pub async fn plan_summaries(&self) -> OpsResult<Vec<PlanSummary>> {
        let ops = self.catalogue.plan_applies().await?;
        let mut summaries = Vec::new();
        for plan in self.plans().await? {
            let total = plan.actions.len() as u32;
            let apply = match ops.iter().find(|o| o.subject == plan.name) {
                Some(op) => Some(self.status_of(op, total).await?),
                None => None,
            };
            summaries.push(PlanSummary {
                apply,
                name: plan.name,
                base_version: plan.base_version,
                actions: total,
            });
        }
        Ok(summaries)
    }

    /// The plan in full: steps, projection, the fleet after it, its apply state.
    pub async fn plan_detail(&self, name: &str) -> OpsResult<PlanDetail> {
        let plan = self.plan(name).await?;
        let doc = self.export().await?;
        let regions = self.regions().await?;
        let (projection, after) =
            project_plan_with_after(&doc, &regions, &plan, &PlacementPolicy::default());
        Ok(PlanDetail {
            changes_since_base: self.catalogue.audit_rows_after(plan.base_version).await?,
            apply: self.apply_status(&plan).await?,
            name: plan.name,
            base_version: plan.base_version,
            steps: plan.actions.into_iter().map(PlanStep::from).collect(),
            projection,
            after,
        })
    }

    /// Refuses to edit a plan an apply has started on and not finished.
    pub(crate) async fn ensure_editable(&self, plan: &Plan) -> OpsResult<()> {
        match self.apply_status(plan).await? {
            Some(s) if s.state != ApplyState::Applied && s.done > 0 => {
                Err(OpsError::conflict(format!(
                    "plan {:?} is applied up to action {} of {}: finish applying it before editing it",
                    plan.name, s.done, s.total
                )))
            }
            Some(s) if s.state == ApplyState::Running => Err(OpsError::conflict(format!(
                "plan {:?} is being applied",
                plan.name
            ))),
            _ => Ok(()),
        }
    }

    /// Removes the action at `index` (0-based).
    pub async fn remove_plan_action(&self, name: &str, index: u32) -> OpsResult<Plan> {
        let mut plan = self.plan(name).await?;
        self.ensure_editable(&plan).await?;
        let i = index as usize;
        if i >= plan.actions.len() {
            return Err(OpsError::invalid(format!(
                "plan {name:?} has {} action(s): there is no action {}",
                plan.actions.len(),
                i + 1
            )));
        }
        plan.actions.remove(i);
        validate_plan(&plan).map_err(|e| OpsError::invalid(e.to_string()))?;
        self.catalogue.save_plan(&plan, true, "plan").await?;
        Ok(plan)
    }

    /// Deletes a plan (not while it is being applied); an interrupted apply of it ends
    /// as failed, so the next start does not try to resume it.
    pub async fn delete_plan(&self, name: &str) -> OpsResult<()> {
        let plan = self.plan(name).await?;
        let latest = self.latest_apply(name).await?;
        if let Some(op) = &latest {
            if self.status_of(op, plan.actions.len() as u32).await?.state == ApplyState::Running {
                return Err(OpsError::conflict(format!(
                    "plan {name:?} is being applied: pause it first"
                )));
            }
        }
        self.catalogue.delete_plan(name, "plan").await?;
        if let Some(op) = latest.filter(|op| op.state == catalogue::OperationState::Running) {
            self.catalogue
                .journal(
                    op.id,
                    catalogue::OperationState::Failed,
                    "deleted",
                    "the plan was deleted",
                )
                .await?;
        }
        Ok(())
    }
}

/// The capacity forecast as the window shows it: proposals as plan steps.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ForecastView {
    pub stamps: Vec<fleet_core::forecast::StampForecast>,
    pub regions: Vec<fleet_core::forecast::RegionForecast>,
    /// Stamps to add before regions run out, as plan actions.
    pub proposals: Vec<PlanStep>,
}

impl Fleet {
    pub async fn forecast_view(
        &self,
        window_days: u32,
        horizon_days: u32,
    ) -> OpsResult<ForecastView> {
        let f = self.forecast(window_days, horizon_days).await?;
        Ok(ForecastView {
            stamps: f.stamps,
            regions: f.regions,
            proposals: f.proposals.into_iter().map(PlanStep::from).collect(),
        })
    }
}
