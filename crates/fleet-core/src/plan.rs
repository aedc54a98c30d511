//! Plans are data: a named draft holding an ordered list of actions and the catalogue
//! version it was made against. A plan file is JSON with a schema version and a SHA-256
//! digest of its content, so a file edited after export (or damaged) is refused with
//! the field and the reason; nothing is written then.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::document::{read_versioned, DocumentError};
use crate::ids::{RegionId, StampId, TemplateName, TenantId};
use crate::template::TemplateVersion;
use crate::tenant::Tenant;

/// The plan file format this build reads and writes.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action", deny_unknown_fields)]
pub enum PlanAction {
    #[serde(rename_all = "camelCase")]
    AddStamp {
        stamp: StampId,
        region: RegionId,
        template: TemplateName,
        version: TemplateVersion,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity_units: Option<u32>,
        /// The operator provider that creates it (by name, configured on the machine
        /// that applies the plan); none: a local stamp.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provider: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    OnboardTenant {
        tenant: Tenant,
        /// A stamp chosen in advance; else placement chooses when the plan is applied.
        #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// Rolls a template version over stamps in waves: applying it starts the rollout.
    #[serde(rename_all = "camelCase")]
    RollOut {
        rollout: crate::rollout::RolloutSpec,
    },
}

impl PlanAction {
    /// The action in words, as lists show it.
    pub fn describe(&self) -> String {
        match self {
            PlanAction::AddStamp {
                stamp,
                region,
                template,
                version,
                ..
            } => format!("add stamp {stamp} in {region} ({template}@{version})"),
            PlanAction::OnboardTenant { tenant, stamp } => format!(
                "onboard {} ({} units){}",
                tenant.id,
                tenant.size_units,
                stamp.as_ref().map_or(String::new(), |s| format!(" on {s}"))
            ),
            PlanAction::MoveTenant { tenant, to } => format!("move {tenant} to {to}"),
            PlanAction::DrainStamp { stamp } => format!("drain {stamp}"),
            PlanAction::RetireStamp { stamp } => format!("retire {stamp}"),
            PlanAction::ChangeCapacity {
                stamp,
                capacity_units,
            } => format!("set the capacity of {stamp} to {capacity_units} units"),
            PlanAction::RollOut { rollout } => {
                let waves: Vec<String> = rollout
                    .waves
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let ids: Vec<&str> = w.stamps.iter().map(|s| s.as_str()).collect();
                        format!("wave {} {}: {}", i + 1, w.name, ids.join(", "))
                    })
                    .collect();
                format!("{} ({})", rollout.describe(), waves.join("; "))
            }
        }
    }
}

/// A plan: its name, the catalogue version it was made against, its actions in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Plan {
    pub name: String,
    /// The catalogue's version (its newest audit row) when the plan was made.
    pub base_version: i64,
    pub actions: Vec<PlanAction>,
}

/// A plan as a file carries it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlanFile {
    schema_version: u32,
    plan: Plan,
    /// SHA-256 of the plan's canonical JSON, hex.
    digest: String,
}

fn digest_of(plan: &Plan) -> String {
    let canonical = serde_json::to_string(plan).unwrap_or_default();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Checks a plan's own rules (names, sizes), with the path of the first bad field.
pub fn validate_plan(plan: &Plan) -> Result<(), DocumentError> {
    let name = plan.name.trim();
    if name.is_empty() || plan.name.chars().count() > 100 || plan.name.chars().any(char::is_control)
    {
        return Err(DocumentError::at(
            "plan.name",
            "must be 1 to 100 characters without control characters",
        ));
    }
    for (i, action) in plan.actions.iter().enumerate() {
        let at = |field: &str| format!("plan.actions[{i}].{field}");
        match action {
            PlanAction::ChangeCapacity { capacity_units, .. }
            | PlanAction::AddStamp {
                capacity_units: Some(capacity_units),
                ..
            } => {
                if let Err(e) = crate::capacity::check_capacity_units(*capacity_units) {
                    return Err(DocumentError::at(at("capacityUnits"), e));
                }
            }
            PlanAction::RollOut { rollout } => {
                if let Err(e) = rollout.check() {
                    return Err(DocumentError::at(at("rollout"), e));
                }
            }
            PlanAction::OnboardTenant { tenant, .. } if tenant.size_units == 0 => {
                return Err(DocumentError::at(
                    at("tenant.sizeUnits"),
                    "must be greater than 0",
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// The plan as a file: pretty JSON with the schema version and the digest.
pub fn plan_to_file(plan: &Plan) -> String {
    let file = PlanFile {
        schema_version: PLAN_SCHEMA_VERSION,
        digest: digest_of(plan),
        plan: plan.clone(),
    };
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}

/// Reads a plan file strictly: schema version, every field (unknown ones refused), the
/// plan's rules, and the digest.
pub fn parse_plan_file(text: &str) -> Result<Plan, DocumentError> {
    let file: PlanFile = read_versioned(
        text,
        PLAN_SCHEMA_VERSION,
        "a Stampfleet plan file",
        "plan files of version",
        |file: &PlanFile| file.schema_version,
    )?;
    validate_plan(&file.plan)?;
    let expected = digest_of(&file.plan);
    if file.digest != expected {
        return Err(DocumentError::at(
            "digest",
            "does not match the plan: the file was changed after it was exported (export it again from the plan's owner)",
        ));
    }
    Ok(file.plan)
}
