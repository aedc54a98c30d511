//! Applying a plan: first revalidated against the fleet as it is now (its projection's
//! warnings, stamps the plan touches that do not answer healthy, changes since its
//! base), then run action by action through the same operations as the rest of the app.
//! Each action is journaled before it runs and, once done, recorded with an audit row
//! naming the plan in the same transaction that moves the resume point past it: killed,
//! failed or paused, applying again goes on from the next action. Every action is safe
//! to run twice (a stamp that exists, a tenant already where the plan puts it: skipped).

use fleet_core::plan::PlanAction;
use fleet_core::plan_projection::PlanWarning;
use fleet_core::{StampId, StampStatus};
use serde::{Deserialize, Serialize};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::health::HealthState;
use crate::plan_views::{apply_lock_name, APPLY_KIND};
use crate::test_hooks::crash_point;
use crate::{DrainStamp, MoveTenant, NewStamp, OnboardTenant, PlaceTenant, ProviderConfig};

/// What stands in the way of applying a plan now.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanCheck {
    pub conflicts: Vec<PlanWarning>,
    /// Catalogue changes since the plan was made (not conflicts by themselves).
    #[ts(type = "number")]
    pub changes_since_base: i64,
}

/// Where an apply stands, for the progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanApplyProgress {
    pub plan: String,
    pub done: u32,
    pub total: u32,
    pub message: String,
}

#[derive(Serialize, Deserialize)]
struct ApplyParams {
    next: usize,
}

fn stamps_of(a: &PlanAction) -> Vec<&StampId> {
    match a {
        PlanAction::AddStamp { .. } => Vec::new(),
        PlanAction::OnboardTenant { stamp, .. } => stamp.iter().collect(),
        PlanAction::MoveTenant { to, .. } => vec![to],
        PlanAction::DrainStamp { stamp }
        | PlanAction::RetireStamp { stamp }
        | PlanAction::ChangeCapacity { stamp, .. } => vec![stamp],
        PlanAction::RollOut { rollout } => rollout.waves.iter().flat_map(|w| &w.stamps).collect(),
    }
}

impl Fleet {
    /// Revalidates a plan against the fleet now; conflicts are listed, nothing runs.
    pub async fn check_plan(&self, name: &str) -> OpsResult<PlanCheck> {
        let view = self.plan_view(name).await?;
        let mut conflicts = view.projection.warnings.clone();
        let health = self
            .fleet_health(crate::health_cache::DECISION_MAX_AGE)
            .await?;
        for (i, action) in view.plan.actions.iter().enumerate() {
            for stamp in stamps_of(action) {
                if let Some(h) = health.iter().find(|h| &h.stamp == stamp) {
                    if h.state != HealthState::Healthy
                        && !matches!(action, PlanAction::RetireStamp { .. })
                    {
                        conflicts.push(PlanWarning {
                            action: Some(i as u32),
                            message: format!("{stamp} is not healthy now: {}", h.detail),
                        });
                    }
                }
            }
        }
        Ok(PlanCheck {
            conflicts,
            changes_since_base: view.changes_since_base,
        })
    }

    /// Checks, then runs the plan from where a previous apply stopped.
    pub async fn apply_plan(
        &self,
        name: &str,
        progress: &(dyn Fn(PlanApplyProgress) + Send + Sync),
    ) -> OpsResult<PlanApplyProgress> {
        self.refuse_in_snapshot("apply a plan").await?;
        let plan = self.plan(name).await?;
        let op = self
            .catalogue
            .begin_plan_apply(name, &serde_json::json!({ "next": 0 }).to_string())
            .await?;
        // One apply of a plan at a time, across windows and processes. A status probe
        // (`plan_views`) holds the lock for an instant: a busy lock is tried twice more.
        let mut lock = None;
        for attempt in 0..3 {
            if attempt > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            lock = self.try_run_lock(&apply_lock_name(op.id)).await?;
            if lock.is_some() {
                break;
            }
        }
        let Some(_lock) = lock else {
            return Err(OpsError::conflict(format!(
                "plan {name:?} is being applied already"
            )));
        };
        let start = serde_json::from_str::<ApplyParams>(&op.params)
            .map_err(|e| {
                OpsError::internal(format!(
                    "the journal's apply {} of plan {name:?}: unreadable parameters ({e})",
                    op.id
                ))
            })?
            .next;
        if start == 0 {
            let check = self.check_plan(name).await?;
            if !check.conflicts.is_empty() {
                let list: Vec<String> = check
                    .conflicts
                    .iter()
                    .map(|c| match c.action {
                        Some(i) => format!("action {}: {}", i + 1, c.message),
                        None => c.message.clone(),
                    })
                    .collect();
                self.catalogue
                    .journal(
                        op.id,
                        catalogue::OperationState::Failed,
                        "conflicts",
                        &list.join("\n"),
                    )
                    .await?;
                return Err(OpsError::conflict(format!(
                    "plan {name:?} cannot be applied as it is:\n  {}",
                    list.join("\n  ")
                )));
            }
        }
        let total = plan.actions.len() as u32;
        for (i, action) in plan.actions.iter().enumerate().skip(start) {
            if self.catalogue.cancel_requested(op.id).await? {
                self.catalogue
                    .journal(
                        op.id,
                        catalogue::OperationState::Failed,
                        "paused",
                        &format!("paused before action {}", i + 1),
                    )
                    .await?;
                return Err(OpsError::conflict(format!(
                    "plan {name:?} paused before action {} of {total}; apply it again to go on",
                    i + 1
                )));
            }
            let step = format!("action-{}", i + 1);
            self.catalogue
                .journal(op.id, catalogue::OperationState::Running, &step, "")
                .await?;
            crash_point(&step);
            progress(PlanApplyProgress {
                plan: name.to_owned(),
                done: i as u32,
                total,
                message: format!("action {} of {total}", i + 1),
            });
            if let Err(e) = self.run_plan_action(action).await {
                self.catalogue
                    .journal(
                        op.id,
                        catalogue::OperationState::Failed,
                        &step,
                        &format!("action {}: {}", i + 1, e.message),
                    )
                    .await?;
                return Err(OpsError::conflict(format!(
                    "plan {name:?} stopped at action {} of {total}: {}; apply it again to go on",
                    i + 1,
                    e.message
                )));
            }
            if i == 0 {
                self.held_until_paused(op.id).await?;
            }
            let params = serde_json::json!({ "next": i + 1 }).to_string();
            self.catalogue
                .plan_action_done(op.id, name, i, action, &params)
                .await?;
        }
        self.catalogue
            .journal(
                op.id,
                catalogue::OperationState::Succeeded,
                "done",
                &format!("{total} action(s) applied"),
            )
            .await?;
        let done = PlanApplyProgress {
            plan: name.to_owned(),
            done: total,
            total,
            message: "applied".to_owned(),
        };
        progress(done.clone());
        Ok(done)
    }

    /// Test hook, named as such: with `STAMPFLEET_HOLD_APPLY=1`, an apply waits after
    /// the plan's first action (before recording it done) until a pause is asked for, or two
    /// minutes pass: the browser tests' way to pause an apply mid-way without racing it.
    async fn held_until_paused(&self, op: i64) -> OpsResult<()> {
        if !std::env::var("STAMPFLEET_HOLD_APPLY").is_ok_and(|s| s == "1") {
            return Ok(());
        }
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(120)
            && !self.catalogue.cancel_requested(op).await?
        {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Goes on with every apply a killed process left running (at app start); returns
    /// what became of each, in words.
    pub async fn resume_plan_applies(&self) -> OpsResult<Vec<String>> {
        let mut outcomes = Vec::new();
        let running: Vec<String> = self
            .catalogue
            .operations_of_kind(APPLY_KIND, 1000)
            .await?
            .into_iter()
            .filter(|o| o.state == catalogue::OperationState::Running)
            .map(|o| o.subject)
            .collect();
        for name in running {
            let outcome = match self.apply_plan(&name, &|_| {}).await {
                Ok(done) => format!("plan {name:?}: {} action(s) applied", done.total),
                Err(e) => e.message,
            };
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// Asks a running apply to stop before its next action.
    pub async fn pause_plan(&self, name: &str) -> OpsResult<()> {
        let op = self
            .catalogue
            .operations_of_kind(APPLY_KIND, 50)
            .await?
            .into_iter()
            .find(|o| o.subject == name && o.state == catalogue::OperationState::Running)
            .ok_or_else(|| OpsError::conflict(format!("plan {name:?} is not being applied")))?;
        Ok(self.catalogue.request_cancel(op.id).await?)
    }

    async fn run_plan_action(&self, action: &PlanAction) -> OpsResult<()> {
        match action {
            PlanAction::AddStamp {
                stamp,
                region,
                template,
                version,
                capacity_units,
                provider,
            } => {
                if let Some(existing) = self.catalogue.stamp(stamp).await? {
                    // Done only if the stamp this step adds is there and running; a
                    // failed or other stamp of that id is not "added".
                    let running =
                        matches!(existing.status, StampStatus::Active | StampStatus::Draining);
                    if running && existing.region == *region {
                        return Ok(());
                    }
                    let why = match existing.status {
                        StampStatus::Failed => format!(
                            "its provisioning failed ({}); retire it or remove this step, then apply again",
                            self.catalogue
                                .stamp_failure(stamp)
                                .await?
                                .unwrap_or_else(|| "no reason recorded".to_owned())
                        ),
                        StampStatus::Provisioning => {
                            "it is still provisioning; apply again once it has finished".to_owned()
                        }
                        status => format!(
                            "it is {} in {}, not the stamp this step adds in {region}",
                            status.as_str(),
                            existing.region
                        ),
                    };
                    return Err(OpsError::conflict(format!("stamp {stamp} exists: {why}")));
                }
                let request = NewStamp {
                    id: stamp.clone(),
                    region: region.clone(),
                    template: template.clone(),
                    template_version: version.clone(),
                    capacity_units: *capacity_units,
                    provider: ProviderConfig::Local,
                    provider_name: provider.clone(),
                };
                self.provision_stamp(&request, &|_| {}).await.map(|_| ())
            }
            PlanAction::OnboardTenant { tenant, stamp } => {
                if self.catalogue.binding(&tenant.id).await?.is_some() {
                    return Ok(());
                }
                let request = OnboardTenant {
                    place: PlaceTenant {
                        tenant: tenant.clone(),
                        preferred_regions: Vec::new(),
                        home: None,
                        policy: None,
                    },
                    stamp: stamp.clone(),
                };
                self.onboard_tenant(&request, &|_| {}).await.map(|_| ())
            }
            PlanAction::MoveTenant { tenant, to } => {
                if self.catalogue.binding(tenant).await?.map(|b| b.0).as_ref() == Some(to) {
                    return Ok(());
                }
                let request = MoveTenant {
                    tenant: tenant.clone(),
                    to: to.clone(),
                };
                self.move_tenant(&request, &|_| {}).await.map(|_| ())
            }
            PlanAction::DrainStamp { stamp } => {
                let request = DrainStamp {
                    stamp: stamp.clone(),
                    concurrency: None,
                    keep: Vec::new(),
                };
                let done = self.drain_stamp(&request, &|_| {}).await?;
                if done.failed > 0 {
                    return Err(OpsError::conflict(format!(
                        "{} of {} move(s) off {stamp} failed",
                        done.failed,
                        done.items.len()
                    )));
                }
                Ok(())
            }
            PlanAction::RetireStamp { stamp } => {
                let now = self.catalogue.stamp(stamp).await?;
                if now.is_some_and(|s| s.status == StampStatus::Retired) {
                    return Ok(());
                }
                self.set_stamp_status(stamp, StampStatus::Retired)
                    .await
                    .map(|_| ())
            }
            PlanAction::ChangeCapacity {
                stamp,
                capacity_units,
            } => Ok(self
                .catalogue
                .set_stamp_capacity(stamp, *capacity_units, "plan")
                .await?),
            PlanAction::RollOut { rollout } => self.apply_rollout_action(rollout).await,
        }
    }

    /// Starts the plan's rollout over the stamps not on its version yet, and runs it
    /// until it stops (done, waiting for approval: it goes on in the Rollouts panel).
    /// Applied twice: stamps on the version are left out, and a rollout of the version
    /// already under way is the one this action started.
    async fn apply_rollout_action(&self, spec: &fleet_core::rollout::RolloutSpec) -> OpsResult<()> {
        if let Some(open) = self
            .rollouts(20)
            .await?
            .into_iter()
            .find(|r| r.state.spec.template == spec.template && !r.state.phase.ended())
        {
            if open.state.spec.target_version == spec.target_version {
                return Ok(());
            }
            return Err(OpsError::conflict(format!(
                "rollout {} of {} to {} has not ended",
                open.id, spec.template, open.state.spec.target_version
            )));
        }
        let mut left = spec.clone();
        for wave in &mut left.waves {
            let mut keep = Vec::new();
            for id in &wave.stamps {
                let on_target = self
                    .catalogue
                    .stamp(id)
                    .await?
                    .is_some_and(|s| s.template_version == spec.target_version);
                if !on_target {
                    keep.push(id.clone());
                }
            }
            wave.stamps = keep;
        }
        left.waves.retain(|w| !w.stamps.is_empty());
        if left.waves.is_empty() {
            return Ok(());
        }
        let clock = crate::RolloutClock::default();
        let view = self.start_rollout(&left, &clock, &|_| {}).await?;
        match view.state.phase {
            fleet_core::rollout::RolloutPhase::Halted
            | fleet_core::rollout::RolloutPhase::Aborted => Err(OpsError::conflict(format!(
                "rollout {}: {}",
                view.id, view.state.reason
            ))),
            _ => Ok(()),
        }
    }
}
