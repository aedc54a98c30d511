//! "No stamp fits" in one step: when placement proposes a new stamp for a tenant, the
//! stamp it proposes is provisioned (a local agent) and the tenant onboarded onto it,
//! as one journaled operation. A run killed between the two is finished at the next
//! start (the tenant onboarded onto the stamp once it is active) or ends failed with
//! the reason, never half-said.

use catalogue::{OperationKind, OperationState};
use fleet_core::placement::Outcome;
use fleet_core::{StampId, TenantView};
use serde::{Deserialize, Serialize};

use crate::test_hooks::crash_point;
use crate::{Fleet, NewStamp, OnboardProgress, OnboardTenant, OpsError, OpsResult, PlaceTenant};

/// The journal's kind for it.
pub const PROVISION_ONBOARD_KIND: OperationKind = OperationKind::ProvisionAndOnboard;

/// A tenant to place on a new stamp named `stamp`, where placement proposes one.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionAndOnboard {
    pub place: PlaceTenant,
    /// The new stamp's id.
    pub stamp: StampId,
}

/// What the journal keeps to finish a killed run.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    place: PlaceTenant,
    stamp: NewStamp,
}

impl Fleet {
    /// Provisions the stamp placement proposes for the tenant, named `request.stamp`,
    /// then onboards the tenant onto it, reporting both halves on one progress bar.
    /// Refused, with nothing done, when placement does not propose a new stamp.
    pub async fn provision_and_onboard(
        &self,
        request: &ProvisionAndOnboard,
        progress: &(dyn Fn(OnboardProgress) + Send + Sync),
    ) -> OpsResult<TenantView> {
        let tenant = &request.place.tenant;
        crate::onboard::check_tenant(tenant)?;
        let decision = self.place_tenant(&request.place).await?;
        let Outcome::NewStamp {
            template,
            version,
            region,
            ..
        } = decision.outcome
        else {
            return Err(OpsError::conflict(format!(
                "placement does not propose a new stamp for {} now; place it on an existing stamp",
                tenant.id
            )));
        };
        let stamp = NewStamp {
            id: request.stamp.clone(),
            region,
            template,
            template_version: version,
            capacity_units: None,
            provider: crate::ProviderConfig::default(),
            provider_name: None,
        };
        let params = serde_json::to_string(&Params {
            place: request.place.clone(),
            stamp: stamp.clone(),
        })
        .map_err(|e| OpsError::internal(e.to_string()))?;
        let op = self
            .catalogue
            .open_operation(
                PROVISION_ONBOARD_KIND,
                tenant.id.as_str(),
                "provisioning",
                &params,
            )
            .await?;
        crash_point("provision-onboard:provisioning");
        let provisioned = self
            .provision_stamp_from_window(&stamp, &|p| {
                progress(OnboardProgress {
                    step: format!("stamp-{}", p.step),
                    percent: p.percent / 2,
                    message: format!("{}: {}", p.stamp, p.message),
                });
            })
            .await;
        if let Err(e) = provisioned {
            self.end(op, OperationState::Failed, &e.message).await?;
            return Err(e);
        }
        self.catalogue
            .journal(op, OperationState::Running, "onboarding", "")
            .await?;
        crash_point("provision-onboard:onboarding");
        self.finish_onboarding_onto(op, &request.place, &stamp.id, progress)
            .await
    }

    /// The second half, also what a resumed run does: onboard onto the new stamp and
    /// close the operation either way.
    async fn finish_onboarding_onto(
        &self,
        op: i64,
        place: &PlaceTenant,
        stamp: &StampId,
        progress: &(dyn Fn(OnboardProgress) + Send + Sync),
    ) -> OpsResult<TenantView> {
        let request = OnboardTenant {
            place: place.clone(),
            stamp: Some(stamp.clone()),
        };
        let onboarded = self
            .onboard_tenant(&request, &|p| {
                progress(OnboardProgress {
                    percent: 50 + p.percent / 2,
                    ..p
                });
            })
            .await;
        match onboarded {
            Ok(view) => {
                self.end(op, OperationState::Succeeded, "").await?;
                Ok(view)
            }
            Err(e) => {
                self.end(op, OperationState::Failed, &e.message).await?;
                Err(e)
            }
        }
    }

    async fn end(&self, op: i64, state: OperationState, detail: &str) -> OpsResult<()> {
        let step = if state == OperationState::Succeeded {
            "done"
        } else {
            "failed"
        };
        Ok(self.catalogue.journal(op, state, step, detail).await?)
    }

    /// Finishes a run a kill interrupted (after the stamp's own provisioning run was
    /// resumed): the tenant is onboarded onto the stamp once it is active; a stamp that
    /// never became active ends the run failed, saying so.
    pub(crate) async fn resume_provision_onboard(
        &self,
        op: &catalogue::Operation,
    ) -> OpsResult<()> {
        let params: Params = serde_json::from_str(&op.params).map_err(|e| {
            OpsError::internal(format!(
                "the journal's operation {}: unreadable parameters ({e})",
                op.id
            ))
        })?;
        let stamp = self.catalogue.stamp(&params.stamp.id).await?;
        match stamp {
            Some(s) if s.status == fleet_core::StampStatus::Active => {
                let quiet = |_: OnboardProgress| {};
                if let Err(e) = self
                    .finish_onboarding_onto(op.id, &params.place, &s.id, &quiet)
                    .await
                {
                    tracing::warn!(operation = op.id, error = %e.message, "provision-and-onboard not finished");
                }
                Ok(())
            }
            other => {
                let why = match other {
                    None => format!(
                        "stamp {} was never created; onboard the tenant again",
                        params.stamp.id
                    ),
                    Some(s) => format!(
                        "stamp {} is {}, not active; onboard the tenant again once it is",
                        s.id,
                        s.status.as_str()
                    ),
                };
                self.end(op.id, OperationState::Failed, &why).await
            }
        }
    }
}
