//! Placing and onboarding one tenant: placement over the live fleet (health checked
//! now), then a journaled run: record the tenant, provision it on the stamp through the
//! Stamp API (idempotent), bind it. A run killed midway is finished at the next start.

use fleet_core::placement::{
    place, CandidateHealth, Decision, GeoPoint, Outcome, PlacementFleet, PlacementPolicy,
    PlacementRequest,
};
use fleet_core::{RegionId, StampId, Tenant, TenantView};
use serde::{Deserialize, Serialize};
use stamp_protocol::ProvisionTenant;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::health::HealthState;

/// A tenant to place, with the operator's preferences.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaceTenant {
    pub tenant: Tenant,
    #[serde(default)]
    pub preferred_regions: Vec<RegionId>,
    #[serde(default)]
    pub home: Option<GeoPoint>,
    /// Placement settings (default: 20% headroom reserve, best fit).
    #[serde(default)]
    pub policy: Option<PlacementPolicy>,
}

/// Onboard a tenant: on `stamp` when given (it must still pass placement), else where
/// placement puts it.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OnboardTenant {
    pub place: PlaceTenant,
    #[serde(default)]
    pub stamp: Option<StampId>,
}

/// One step of an onboarding run, for the progress bar.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OnboardProgress {
    pub step: String,
    pub percent: u8,
    pub message: String,
}

#[derive(Serialize, Deserialize)]
struct OnboardParams {
    stamp: StampId,
}

pub(crate) fn check_tenant(t: &Tenant) -> OpsResult<()> {
    if t.display_name.trim().is_empty() {
        return Err(OpsError::invalid("tenant.displayName: must not be empty"));
    }
    if t.size_units == 0 {
        return Err(OpsError::invalid(
            "tenant.sizeUnits: must be greater than 0",
        ));
    }
    if t.group
        .as_ref()
        .is_some_and(|g| g.trim().is_empty() || g.len() > 100)
    {
        return Err(OpsError::invalid(
            "tenant.group: must be 1 to 100 characters",
        ));
    }
    Ok(())
}

impl Fleet {
    /// A tenant and the stamp it lives on, if the catalogue has it.
    pub async fn tenant(&self, id: &fleet_core::TenantId) -> OpsResult<Option<TenantView>> {
        Ok(self.catalogue.tenant(id).await?)
    }

    /// The fleet as placement sees it, with every stamp's health from the health cache
    /// (answers under a minute old; older ones asked now).
    pub async fn placement_fleet(&self) -> OpsResult<PlacementFleet> {
        let overview = self.overview().await?;
        let health = self
            .fleet_health_of(overview.clone(), crate::health_cache::DECISION_MAX_AGE)
            .await?;
        let regions = self.catalogue.regions().await?;
        // By stamp: a search of the list per stamp was 10,000 x 10,000 comparisons.
        let states: std::collections::HashMap<&StampId, HealthState> =
            health.iter().map(|h| (&h.stamp, h.state)).collect();
        let state_of = |id: &StampId| match states.get(id).copied() {
            Some(HealthState::Healthy) => CandidateHealth::Healthy,
            Some(HealthState::Degraded | HealthState::Unreachable) => CandidateHealth::Unhealthy,
            Some(HealthState::Unknown) | None => CandidateHealth::Unknown,
        };
        let stamps: Vec<_> = overview
            .stamps
            .into_iter()
            .map(|s| {
                let h = state_of(&s.stamp.id);
                (s, h)
            })
            .collect();
        let notes = health
            .into_iter()
            .filter(|h| h.state != HealthState::Healthy)
            .map(|h| (h.stamp.clone(), h.describe()));
        Ok(PlacementFleet::new(regions, overview.templates, stamps).with_health_notes(notes))
    }

    /// Where `req.tenant` would go, and why (a dry run: nothing is written). Health
    /// comes from the cache; the chosen stamp is asked now, and when it does not answer
    /// healthy the decision is made again without it (then once more: the runner-up).
    pub async fn place_tenant(&self, req: &PlaceTenant) -> OpsResult<Decision> {
        check_tenant(&req.tenant)?;
        let mut fleet = self.placement_fleet().await?;
        for _ in 0..2 {
            let decision = self.decide_on(&fleet, req).await?;
            let Some(chosen) = decision.chosen_stamp().cloned() else {
                return Ok(decision);
            };
            let now = self.live_health(&chosen).await?;
            if now.state == crate::HealthState::Healthy {
                return Ok(decision);
            }
            fleet = fleet.with_unhealthy(&chosen, now.describe());
        }
        self.decide_on(&fleet, req).await
    }

    async fn decide_on(&self, fleet: &PlacementFleet, req: &PlaceTenant) -> OpsResult<Decision> {
        for (i, r) in req.preferred_regions.iter().enumerate() {
            if fleet.region(r).is_none() {
                return Err(OpsError::invalid(format!(
                    "preferredRegions[{i}]: unknown region {r}"
                )));
            }
        }
        let current = self
            .catalogue
            .tenant(&req.tenant.id)
            .await?
            .and_then(|v| v.stamp);
        let group_load = match &req.tenant.group {
            Some(group) => self.catalogue.group_load(group).await?,
            None => Default::default(),
        };
        let request = PlacementRequest {
            current,
            preferred_regions: req.preferred_regions.clone(),
            home: req.home,
            group_load,
            ..PlacementRequest::new(req.tenant.clone())
        };
        Ok(place(fleet, &request, &req.policy.unwrap_or_default()))
    }

    /// Onboards a tenant: records it, provisions it on the chosen stamp, binds it. A
    /// tenant that already lives on a stamp is returned as it is (a safe retry).
    pub async fn onboard_tenant(
        &self,
        req: &OnboardTenant,
        progress: &(dyn Fn(OnboardProgress) + Send + Sync),
    ) -> OpsResult<TenantView> {
        self.refuse_in_snapshot("onboard a tenant").await?;
        let tenant = &req.place.tenant;
        check_tenant(tenant)?;
        if let Some(view) = self.catalogue.tenant(&tenant.id).await? {
            if view.stamp.is_some() {
                return Ok(view);
            }
        }
        progress(OnboardProgress {
            step: "place".to_owned(),
            percent: 10,
            message: "Checking the stamps' health and placing the tenant".to_owned(),
        });
        let fleet = self.placement_fleet().await?;
        let decision = self.decide_on(&fleet, &req.place).await?;
        let stamp = match (&req.stamp, &decision.outcome) {
            (Some(chosen), _) => {
                if let Some(r) = decision.rejected.iter().find(|r| &r.stamp == chosen) {
                    return Err(OpsError::conflict(format!(
                        "{chosen} no longer fits: {}",
                        r.reason
                    )));
                }
                if fleet.candidate_index(chosen).is_none() {
                    return Err(OpsError::invalid(format!(
                        "no stamp {chosen} in the catalogue"
                    )));
                }
                chosen.clone()
            }
            (None, Outcome::Place { stamp, .. } | Outcome::Stay { stamp, .. }) => stamp.clone(),
            (None, Outcome::NewStamp { reason, .. } | Outcome::Refuse { reason }) => {
                return Err(OpsError::conflict(reason.clone()));
            }
        };
        let params = serde_json::to_string(&OnboardParams {
            stamp: stamp.clone(),
        })
        .map_err(|e| OpsError::internal(e.to_string()))?;
        let op = self
            .catalogue
            .begin_onboarding(tenant, &params, "onboard")
            .await?;
        tracing::info!(tenant = %tenant.id, %stamp, "onboarding");
        self.run_onboarding(op, tenant, &stamp, progress).await
    }

    /// The journaled steps after the tenant is recorded; each is safe to repeat.
    pub(crate) async fn run_onboarding(
        &self,
        op: i64,
        tenant: &Tenant,
        stamp: &StampId,
        progress: &(dyn Fn(OnboardProgress) + Send + Sync),
    ) -> OpsResult<TenantView> {
        self.catalogue
            .journal(op, catalogue::OperationState::Running, "provision", "")
            .await?;
        progress(OnboardProgress {
            step: "provision".to_owned(),
            percent: 40,
            message: format!(
                "Provisioning {} on {stamp} through its Stamp API",
                tenant.id
            ),
        });
        let provisioned = async {
            let client = self.stamp_client(stamp).await?;
            let request = ProvisionTenant {
                display_name: tenant.display_name.clone(),
                size_units: tenant.size_units,
            };
            client
                .provision_tenant(
                    tenant.id.as_str(),
                    &request,
                    &format!("onboard-{}", tenant.id),
                )
                .await
                .map_err(|e| {
                    OpsError::conflict(format!("{stamp} did not provision {}: {e}", tenant.id))
                })
        }
        .await;
        if let Err(e) = provisioned {
            self.catalogue
                .journal(op, catalogue::OperationState::Failed, "failed", &e.message)
                .await?;
            return Err(e);
        }
        self.catalogue
            .journal(op, catalogue::OperationState::Running, "bind", "")
            .await?;
        progress(OnboardProgress {
            step: "bind".to_owned(),
            percent: 80,
            message: format!("Binding {} to {stamp} in the catalogue", tenant.id),
        });
        self.catalogue
            .finish_onboarding(op, &tenant.id, stamp, "onboard")
            .await?;
        progress(OnboardProgress {
            step: "done".to_owned(),
            percent: 100,
            message: format!("{} lives on {stamp}", tenant.id),
        });
        self.catalogue
            .tenant(&tenant.id)
            .await?
            .ok_or_else(|| OpsError::internal(format!("{} vanished after onboarding", tenant.id)))
    }

    /// Finishes an onboarding a killed run left running (called by `resume_operations`).
    pub(crate) async fn resume_onboarding(&self, op: &catalogue::Operation) -> OpsResult<()> {
        let fail = |reason: String| async move {
            self.catalogue
                .journal(op.id, catalogue::OperationState::Failed, "failed", &reason)
                .await?;
            OpsResult::Ok(())
        };
        let params: OnboardParams = match serde_json::from_str(&op.params) {
            Ok(p) => p,
            Err(e) => return fail(format!("cannot resume: unreadable parameters ({e})")).await,
        };
        let id = fleet_core::TenantId::new(op.subject.as_str())
            .map_err(|e| OpsError::internal(e.to_string()))?;
        let Some(view) = self.catalogue.tenant(&id).await? else {
            return fail(format!("tenant {id} is gone from the catalogue")).await;
        };
        tracing::info!(tenant = %id, stamp = %params.stamp, step = %op.step, "resuming an interrupted onboarding");
        match self
            .run_onboarding(op.id, &view.tenant, &params.stamp, &|_| {})
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(tenant = %id, error = %e.message, "onboarding could not be finished; the tenant stays unplaced");
                Ok(())
            }
        }
    }
}
