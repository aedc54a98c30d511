//! Rollouts as the app and stampctl use them: propose a rollout's waves, start one, and
//! pause, resume, approve or abort it. Running one is `rollout_run.rs`; the versions it
//! rolls out are `template_versions.rs`.

use std::collections::HashMap;

use catalogue::{OperationKind, OperationState, RolloutRequest};
use fleet_core::rollout::{
    propose_waves, MaintenanceWindow, RingBy, RolloutPhase, RolloutSpec, RolloutState,
    WaveCandidate, WaveOptions,
};
use fleet_core::{StampStatus, TemplateName, TemplateVersion};
use serde::{Deserialize, Serialize};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::rollout_run::{lock_name, RolloutClock};

pub(crate) const VIA: &str = "rollout";

/// What to propose a rollout from.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProposeRollout {
    pub template: TemplateName,
    pub target_version: TemplateVersion,
    pub waves: WaveOptions,
    pub bake_secs: u32,
    pub approval: bool,
    pub max_error_rate: f64,
    #[serde(default)]
    pub windows: Vec<MaintenanceWindow>,
}

/// A rollout as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RolloutView {
    #[ts(type = "number")]
    pub id: i64,
    pub journal: OperationState,
    pub started_at: String,
    pub updated_at: String,
    pub state: RolloutState,
}

impl Fleet {
    /// Proposes a rollout: the template's active stamps not on the target version, in
    /// waves (a canary, then rings). Writes nothing.
    pub async fn propose_rollout(&self, request: &ProposeRollout) -> OpsResult<RolloutSpec> {
        let overview = self.overview().await?;
        let regions: HashMap<_, _> = overview
            .regions
            .iter()
            .map(|r| (&r.region.id, &r.region))
            .collect();
        let enterprise = self.catalogue.enterprise_tenants_by_stamp().await?;
        let candidates: Vec<WaveCandidate> = overview
            .stamps
            .iter()
            .filter(|s| {
                s.stamp.template == request.template
                    && s.stamp.status == StampStatus::Active
                    && s.stamp.template_version != request.target_version
            })
            .map(|s| WaveCandidate {
                stamp: s.stamp.id.clone(),
                group: match (request.waves.ring_by, regions.get(&s.stamp.region)) {
                    (RingBy::Provider, Some(r)) => r.provider.to_string(),
                    (RingBy::Geography, Some(r)) => r.geography.clone(),
                    _ => s.stamp.region.to_string(),
                },
                enterprise_tenants: enterprise.get(&s.stamp.id).copied().unwrap_or(0),
                tenants: s.tenant_count,
            })
            .collect();
        let waves = propose_waves(&candidates, &request.waves).map_err(OpsError::invalid)?;
        let spec = RolloutSpec {
            template: request.template.clone(),
            target_version: request.target_version.clone(),
            waves,
            bake_secs: request.bake_secs,
            approval: request.approval,
            max_error_rate: request.max_error_rate,
            windows: request.windows.clone(),
        };
        self.check_rollout(&spec).await?;
        Ok(spec)
    }

    /// A spec's own rules and the fleet's: the target version exists, every stamp is an
    /// active stamp of the template with an endpoint.
    pub async fn check_rollout(&self, spec: &RolloutSpec) -> OpsResult<()> {
        spec.check().map_err(OpsError::invalid)?;
        let versions = self
            .catalogue
            .template_versions(Some(&spec.template))
            .await?;
        if !versions.iter().any(|t| t.version == spec.target_version) {
            return Err(OpsError::invalid(format!(
                "the catalogue has no template {}@{}: add that version first",
                spec.template, spec.target_version
            )));
        }
        for (_, id) in spec.stamps() {
            let stamp = self
                .catalogue
                .stamp(id)
                .await?
                .ok_or_else(|| OpsError::invalid(format!("no stamp {id}")))?;
            if stamp.template != spec.template {
                return Err(OpsError::invalid(format!(
                    "stamp {id} runs template {}, not {}",
                    stamp.template, spec.template
                )));
            }
            if stamp.status != StampStatus::Active || stamp.endpoint.is_none() {
                return Err(OpsError::conflict(format!(
                    "stamp {id} is {}: only active stamps are upgraded",
                    stamp.status.as_str()
                )));
            }
        }
        Ok(())
    }

    /// Starts a rollout and runs it until it ends, halts, pauses or waits for approval.
    pub async fn start_rollout(
        &self,
        spec: &RolloutSpec,
        clock: &RolloutClock,
        progress: &(dyn Fn(RolloutView) + Send + Sync),
    ) -> OpsResult<RolloutView> {
        self.refuse_in_snapshot("start a rollout").await?;
        self.check_rollout(spec).await?;
        let mut from = HashMap::new();
        for (_, id) in spec.stamps() {
            if let Some(s) = self.catalogue.stamp(id).await? {
                from.insert(id.clone(), (s.region, s.template_version));
            }
        }
        let state = RolloutState::new(spec.clone(), |id| from[id].clone());
        let id = self
            .catalogue
            .begin_rollout(&spec.template, &to_json(&state)?, VIA)
            .await?;
        let lock = self
            .try_run_lock(&lock_name(id))
            .await?
            .ok_or_else(|| OpsError::conflict(format!("rollout {id} is being run already")))?;
        self.run_rollout(id, state, lock, clock, progress).await
    }

    /// Every rollout, newest first.
    pub async fn rollouts(&self, limit: u32) -> OpsResult<Vec<RolloutView>> {
        let ops = self
            .catalogue
            .operations_of_kind(OperationKind::Rollout, limit)
            .await?;
        ops.into_iter().map(view).collect()
    }

    pub async fn rollout(&self, id: i64) -> OpsResult<RolloutView> {
        let op = self
            .catalogue
            .operation(id)
            .await?
            .filter(|o| o.kind == OperationKind::Rollout)
            .ok_or_else(|| OpsError::invalid(format!("no rollout {id}")))?;
        view(op)
    }

    /// Pauses a rollout: its runner stops before its next step (a rollout waiting for
    /// approval or left by a killed run is paused at once).
    pub async fn pause_rollout(&self, id: i64) -> OpsResult<RolloutView> {
        self.stop_rollout(id, RolloutRequest::Pause).await
    }

    /// Aborts a rollout for good; stamps upgraded so far keep their version.
    pub async fn abort_rollout(&self, id: i64) -> OpsResult<RolloutView> {
        self.stop_rollout(id, RolloutRequest::Abort).await
    }

    async fn stop_rollout(&self, id: i64, request: RolloutRequest) -> OpsResult<RolloutView> {
        let current = self.rollout(id).await?;
        if current.state.phase.ended() {
            return Err(OpsError::conflict(format!(
                "rollout {id} has ended ({:?}): nothing to stop",
                current.state.phase
            )));
        }
        // Paused, it would later resume past its gate: a rollout waiting for approval
        // is approved or aborted.
        if request == RolloutRequest::Pause && current.state.phase == RolloutPhase::AwaitingApproval
        {
            return Err(OpsError::conflict(format!(
                "rollout {id} waits for approval: nothing runs to pause; approve or abort it"
            )));
        }
        let action = if request == RolloutRequest::Abort {
            "abort"
        } else {
            "pause"
        };
        self.catalogue.audit_rollout(id, action, VIA).await?;
        match self.try_run_lock(&lock_name(id)).await? {
            // No runner: change the state here.
            Some(_lock) => {
                let mut state = current.state;
                let (phase, journal, reason) = match request {
                    RolloutRequest::Abort => (
                        RolloutPhase::Aborted,
                        OperationState::Failed,
                        "aborted by an operator",
                    ),
                    RolloutRequest::Pause => (
                        RolloutPhase::Paused,
                        OperationState::Running,
                        "paused by an operator",
                    ),
                };
                state.phase = phase;
                state.reason = reason.to_owned();
                self.catalogue
                    .save_rollout(id, &to_json(&state)?, journal, action)
                    .await?;
            }
            None => self.catalogue.request_rollout(id, request).await?,
        }
        self.rollout(id).await
    }

    /// Goes on with a paused rollout, or one a killed run left (not one waiting for
    /// approval: `approve_rollout`).
    pub async fn resume_rollout(
        &self,
        id: i64,
        clock: &RolloutClock,
        progress: &(dyn Fn(RolloutView) + Send + Sync),
    ) -> OpsResult<RolloutView> {
        self.continue_rollout(id, false, clock, progress).await
    }

    /// Approves the next wave of a rollout waiting for it, and runs on.
    pub async fn approve_rollout(
        &self,
        id: i64,
        clock: &RolloutClock,
        progress: &(dyn Fn(RolloutView) + Send + Sync),
    ) -> OpsResult<RolloutView> {
        self.continue_rollout(id, true, clock, progress).await
    }

    async fn continue_rollout(
        &self,
        id: i64,
        approve: bool,
        clock: &RolloutClock,
        progress: &(dyn Fn(RolloutView) + Send + Sync),
    ) -> OpsResult<RolloutView> {
        self.refuse_in_snapshot("run a rollout").await?;
        let lock = self
            .try_run_lock(&lock_name(id))
            .await?
            .ok_or_else(|| OpsError::conflict(format!("rollout {id} is running already")))?;
        let mut state = self.rollout(id).await?.state;
        match (state.phase, approve) {
            (RolloutPhase::AwaitingApproval, true) => {
                self.catalogue.audit_rollout(id, "approve", VIA).await?;
            }
            (RolloutPhase::AwaitingApproval, false) => {
                return Err(OpsError::conflict(format!(
                    "rollout {id} waits for approval: {}",
                    state.reason
                )))
            }
            (_, true) => {
                return Err(OpsError::conflict(format!(
                    "rollout {id} waits for no approval (it is {:?})",
                    state.phase
                )))
            }
            (p, false) if p.ended() => {
                return Err(OpsError::conflict(format!(
                    "rollout {id} has ended ({p:?})"
                )))
            }
            (RolloutPhase::Paused, false) => {
                self.catalogue.audit_rollout(id, "resume", VIA).await?
            }
            _ => {}
        }
        // A pause asked before this resume is not for it.
        self.catalogue.take_rollout_requests(id).await?;
        state.phase = RolloutPhase::Running;
        state.reason.clear();
        self.run_rollout(id, state, lock, clock, progress).await
    }

    /// The rollouts a killed run left running (not paused, not waiting for approval):
    /// each goes on (at the app's start, on its own task). Their ids.
    pub async fn interrupted_rollouts(&self) -> OpsResult<Vec<i64>> {
        let mut ids = Vec::new();
        for r in self.rollouts(200).await? {
            if r.journal == OperationState::Running && r.state.phase.runs() {
                ids.push(r.id);
            }
        }
        Ok(ids)
    }
}

pub(crate) fn to_json(state: &RolloutState) -> OpsResult<String> {
    serde_json::to_string(state).map_err(|e| OpsError::internal(format!("rollout state: {e}")))
}

fn view(op: catalogue::Operation) -> OpsResult<RolloutView> {
    let state: RolloutState = serde_json::from_str(&op.params).map_err(|e| {
        OpsError::internal(format!(
            "the journal's rollout {}: unreadable state ({e})",
            op.id
        ))
    })?;
    Ok(RolloutView {
        id: op.id,
        journal: op.state,
        started_at: op.started_at,
        updated_at: op.updated_at,
        state,
    })
}
