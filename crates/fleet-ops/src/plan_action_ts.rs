//! The TypeScript shape of `fleet_core::plan::PlanAction`. ts-rs cannot read that enum's
//! `deny_unknown_fields` (which keeps plan files strict), so the UI's type is generated
//! from this twin; the test below fails when the two stop serializing alike.

use fleet_core::{RegionId, StampId, TemplateName, TemplateVersion, Tenant, TenantId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "action")]
#[ts(rename = "PlanAction")]
pub enum PlanActionShape {
    #[serde(rename_all = "camelCase")]
    AddStamp {
        stamp: StampId,
        region: RegionId,
        template: TemplateName,
        version: TemplateVersion,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        capacity_units: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        provider: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    OnboardTenant {
        tenant: Tenant,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        stamp: Option<StampId>,
    },
    #[serde(rename_all = "camelCase")]
    MoveTenant { tenant: TenantId, to: StampId },
    #[serde(rename_all = "camelCase")]
    DrainStamp { stamp: StampId },
    #[serde(rename_all = "camelCase")]
    RetireStamp { stamp: StampId },
    #[serde(rename_all = "camelCase")]
    ChangeCapacity { stamp: StampId, capacity_units: u32 },
    #[serde(rename_all = "camelCase")]
    RollOut {
        rollout: fleet_core::rollout::RolloutSpec,
    },
}

impl PlanActionShape {
    /// The real action, read as strictly as a plan file reads it (unknown fields and
    /// out-of-range values are refused, naming the field).
    pub fn into_action(self) -> crate::OpsResult<fleet_core::plan::PlanAction> {
        let value =
            serde_json::to_value(&self).map_err(|e| crate::OpsError::internal(e.to_string()))?;
        serde_json::from_value(value).map_err(|e| crate::OpsError::invalid(format!("action: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use fleet_core::plan::PlanAction;

    use super::*;

    #[test]
    fn the_shape_serializes_as_the_real_action() {
        let id = |s: &str| StampId::new(s).unwrap();
        let tenant: Tenant = serde_json::from_value(serde_json::json!({
            "id": "acme", "displayName": "Acme", "tier": "standard", "sizeUnits": 5,
            "residency": {}, "isolation": "shared", "pinned": false
        }))
        .unwrap();
        let actions = [
            PlanAction::AddStamp {
                stamp: id("a-01"),
                region: RegionId::new("aws-eu-central-1").unwrap(),
                template: TemplateName::new("standard").unwrap(),
                version: TemplateVersion::new("1.0.0").unwrap(),
                capacity_units: Some(100),
                provider: None,
            },
            PlanAction::OnboardTenant {
                tenant,
                stamp: Some(id("a-01")),
            },
            PlanAction::MoveTenant {
                tenant: TenantId::new("acme").unwrap(),
                to: id("a-01"),
            },
            PlanAction::DrainStamp { stamp: id("a-01") },
            PlanAction::RetireStamp { stamp: id("a-01") },
            PlanAction::ChangeCapacity {
                stamp: id("a-01"),
                capacity_units: 5,
            },
            PlanAction::RollOut {
                rollout: serde_json::from_value(serde_json::json!({
                    "template": "standard", "targetVersion": "1.5.0",
                    "waves": [{ "name": "canary", "stamps": ["a-01"], "parallelism": 1 }],
                    "bakeSecs": 30, "approval": true, "maxErrorRate": 0.05,
                    "windows": [{ "region": "aws-eu-central-1", "start": "22:00", "end": "04:00", "utcOffsetMinutes": 60 }]
                }))
                .unwrap(),
            },
        ];
        for action in actions {
            let real = serde_json::to_value(&action).unwrap();
            let shape: PlanActionShape = serde_json::from_value(real.clone()).unwrap();
            assert_eq!(serde_json::to_value(&shape).unwrap(), real);
            let back: PlanAction =
                serde_json::from_value(serde_json::to_value(&shape).unwrap()).unwrap();
            assert_eq!(back, action);
        }
    }
}
