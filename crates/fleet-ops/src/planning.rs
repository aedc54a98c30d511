//! Offline planning over the catalogue alone (no stamp is asked): plans as drafts (new,
//! add, export, import) and the rebalance planner.

use fleet_core::placement::PlacementPolicy;
use fleet_core::plan::{parse_plan_file, plan_to_file, validate_plan, Plan, PlanAction};
use fleet_core::plan_projection::{
    document_after_plan, project_plan, project_plan_with_after, PlanProjection,
};
use fleet_core::rebalance::{plan_rebalance, RebalancePlan};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

impl Fleet {
    /// The moves that bring every active stamp to at most `limit_percent` utilization.
    pub async fn plan_rebalance(&self, limit_percent: u8) -> OpsResult<RebalancePlan> {
        check_limit(limit_percent)?;
        let doc = self.export().await?;
        let regions = self.regions().await?;
        Ok(plan_rebalance(&doc, &regions, limit_percent))
    }
}

fn check_limit(limit_percent: u8) -> OpsResult<()> {
    if (1..=100).contains(&limit_percent) {
        Ok(())
    } else {
        Err(OpsError::invalid(format!(
            "limit {limit_percent}%: must be between 1 and 100"
        )))
    }
}

impl Fleet {
    /// Starts an empty plan against the catalogue as it is now.
    pub async fn new_plan(&self, name: &str) -> OpsResult<Plan> {
        let plan = Plan {
            name: name.to_owned(),
            base_version: self.catalogue.plan_base_version().await?,
            actions: Vec::new(),
        };
        validate_plan(&plan).map_err(|e| OpsError::invalid(e.to_string()))?;
        self.catalogue.save_plan(&plan, false, "plan").await?;
        Ok(plan)
    }

    pub async fn plan(&self, name: &str) -> OpsResult<Plan> {
        self.catalogue
            .plan(name)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no plan named {name:?}")))
    }

    pub async fn plans(&self) -> OpsResult<Vec<Plan>> {
        Ok(self.catalogue.plans().await?)
    }

    /// Appends an action (no stamp is asked: plans are made offline).
    pub async fn add_plan_action(&self, name: &str, action: PlanAction) -> OpsResult<Plan> {
        let mut plan = self.plan(name).await?;
        self.ensure_editable(&plan).await?;
        plan.actions.push(action);
        validate_plan(&plan).map_err(|e| OpsError::invalid(e.to_string()))?;
        self.catalogue.save_plan(&plan, true, "plan").await?;
        Ok(plan)
    }

    /// The plan as a file (schema version, digest) to share or review.
    pub async fn export_plan(&self, name: &str) -> OpsResult<String> {
        Ok(plan_to_file(&self.plan(name).await?))
    }

    /// Reads a plan file strictly and saves it; nothing is written when it is refused.
    pub async fn import_plan(
        &self,
        source_name: &str,
        text: &str,
        replace: bool,
    ) -> OpsResult<Plan> {
        let plan = parse_plan_file(text).map_err(|e| OpsError::document(source_name, e))?;
        // Replacing a plan an apply has started on would resume that apply on other actions.
        if let Some(existing) = self.catalogue.plan(&plan.name).await?.filter(|_| replace) {
            self.ensure_editable(&existing).await?;
        }
        self.catalogue.save_plan(&plan, replace, "plan").await?;
        Ok(plan)
    }
}

/// A plan and what it does to the fleet (offline).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub plan: Plan,
    pub projection: PlanProjection,
    /// Changes in the catalogue since the plan was made (audit rows after its base).
    pub changes_since_base: i64,
}

impl Fleet {
    /// The plan, its projection over the catalogue as it is now, and the drift since its base.
    pub async fn plan_view(&self, name: &str) -> OpsResult<PlanView> {
        let plan = self.plan(name).await?;
        let doc = self.export().await?;
        let regions = self.regions().await?;
        let projection = project_plan(&doc, &regions, &plan, &PlacementPolicy::default());
        Ok(PlanView {
            changes_since_base: self.catalogue.audit_rows_after(plan.base_version).await?,
            plan,
            projection,
        })
    }

    /// Appends the rebalance planner's moves to a plan, as move actions. The planner
    /// starts from the fleet as the plan leaves it, so it uses the stamps the plan adds.
    pub async fn plan_rebalance_into(
        &self,
        name: &str,
        limit_percent: u8,
    ) -> OpsResult<(Plan, RebalancePlan)> {
        check_limit(limit_percent)?;
        let mut plan = self.plan(name).await?;
        self.ensure_editable(&plan).await?;
        let regions = self.regions().await?;
        let after = document_after_plan(
            &self.export().await?,
            &regions,
            &plan,
            &PlacementPolicy::default(),
        );
        let proposal = plan_rebalance(&after, &regions, limit_percent);
        plan.actions
            .extend(proposal.moves.iter().map(|m| PlanAction::MoveTenant {
                tenant: m.tenant.clone(),
                to: m.to.clone(),
            }));
        validate_plan(&plan).map_err(|e| OpsError::invalid(e.to_string()))?;
        self.catalogue.save_plan(&plan, true, "plan").await?;
        Ok((plan, proposal))
    }
}

impl Fleet {
    /// Records usage samples (stamp, Unix seconds, units), e.g. imported history.
    pub async fn record_usage(&self, samples: &[(fleet_core::StampId, i64, u32)]) -> OpsResult<()> {
        Ok(self.catalogue.record_usage(samples).await?)
    }

    /// When stamps and regions fill up, from the last `window_days` of usage, and the
    /// stamps to add for regions that run out within `horizon_days`.
    pub async fn forecast(
        &self,
        window_days: u32,
        horizon_days: u32,
    ) -> OpsResult<fleet_core::forecast::Forecast> {
        let overview = self.overview().await?;
        self.forecast_over(&overview, window_days, horizon_days)
            .await
    }

    /// The forecast over a given fleet (the live one, or the one a plan leaves).
    async fn forecast_over(
        &self,
        overview: &fleet_core::FleetOverview,
        window_days: u32,
        horizon_days: u32,
    ) -> OpsResult<fleet_core::forecast::Forecast> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let samples = self
            .catalogue
            .usage_since(now - i64::from(window_days) * 86_400)
            .await?;
        Ok(fleet_core::forecast::forecast(
            overview,
            &samples,
            &PlacementPolicy::default(),
            f64::from(horizon_days),
        ))
    }

    /// Appends the forecast's proposed stamps to a plan. The forecast is of the fleet
    /// as the plan leaves it: the stamps the plan adds count, so asking twice adds
    /// nothing more.
    pub async fn plan_forecast_into(
        &self,
        name: &str,
        window_days: u32,
        horizon_days: u32,
    ) -> OpsResult<Plan> {
        let mut plan = self.plan(name).await?;
        self.ensure_editable(&plan).await?;
        let regions = self.regions().await?;
        let (_, after) = project_plan_with_after(
            &self.export().await?,
            &regions,
            &plan,
            &PlacementPolicy::default(),
        );
        let f = self
            .forecast_over(&after, window_days, horizon_days)
            .await?;
        plan.actions.extend(f.proposals);
        validate_plan(&plan).map_err(|e| OpsError::invalid(e.to_string()))?;
        self.catalogue.save_plan(&plan, true, "plan").await?;
        Ok(plan)
    }
}
