//! What crosses the wire. Field names are camelCase JSON.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a stamp sees itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum StampHealthStatus {
    /// Serving normally.
    Ok,
    /// Serving, but something needs attention (e.g. over capacity).
    Degraded,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Health {
    pub status: StampHealthStatus,
    pub stamp_id: String,
    pub region: String,
    pub template_version: String,
    /// The agent software's version.
    pub software_version: String,
    pub capacity_units_total: u32,
    pub capacity_units_used: u32,
    pub tenant_count: u32,
    /// The share of tenant requests answered with a server error (5xx) over the last
    /// minute, 0 to 1: the signal a rollout's health gate reads beyond a ping.
    #[serde(default)]
    pub error_rate: f64,
    /// Why the stamp is not `ok`, in words, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Body of `POST /v1/upgrade`: the template version to run (higher: an upgrade; lower:
/// a downgrade, e.g. a rollout rolling a stamp back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartUpgrade {
    /// `MAJOR.MINOR.PATCH`.
    pub target_version: String,
}

/// Where a stamp's upgrade stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum UpgradePhase {
    /// No upgrade was ever asked of this stamp.
    Idle,
    /// Running the migration step on the stamp's own data.
    Migrating,
    /// Migrated: the stamp restarts into the new version (requests wait, none fail).
    Restarting,
    /// The stamp runs the target version.
    Done,
    /// The upgrade failed; the stamp still runs `fromVersion`, its data untouched.
    Failed,
}

impl UpgradePhase {
    pub fn as_str(self) -> &'static str {
        match self {
            UpgradePhase::Idle => "idle",
            UpgradePhase::Migrating => "migrating",
            UpgradePhase::Restarting => "restarting",
            UpgradePhase::Done => "done",
            UpgradePhase::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            UpgradePhase::Idle,
            UpgradePhase::Migrating,
            UpgradePhase::Restarting,
            UpgradePhase::Done,
            UpgradePhase::Failed,
        ]
        .into_iter()
        .find(|p| p.as_str() == value)
    }

    /// Whether the operation has ended (done or failed).
    pub fn finished(self) -> bool {
        matches!(
            self,
            UpgradePhase::Done | UpgradePhase::Failed | UpgradePhase::Idle
        )
    }
}

/// The stamp's latest upgrade operation (`GET /v1/upgrade`, and the answer to a start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpgradeStatus {
    pub phase: UpgradePhase,
    /// The template version the stamp runs now.
    pub running_version: String,
    pub from_version: String,
    pub target_version: String,
    /// Why it failed, or what it does now.
    pub message: String,
    /// Seconds since the Unix epoch.
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

/// A tenant's state on this stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum TenantState {
    /// This stamp is the tenant's home and accepts its writes.
    Active,
    /// Being copied here by a move: no traffic until activated.
    Importing,
    /// A move is cutting over: writes are refused (503, retry) until fenced or unfrozen.
    Frozen,
    /// Moved away: every request is redirected (307) to the new home; kept for a cheap
    /// move back until cleaned up.
    Fenced,
    /// Suspended by the operator (e.g. an unpaid account): its data is kept, its own
    /// requests are refused (403, code `suspended`) until it is resumed.
    Suspended,
}

impl TenantState {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantState::Active => "active",
            TenantState::Importing => "importing",
            TenantState::Frozen => "frozen",
            TenantState::Fenced => "fenced",
            TenantState::Suspended => "suspended",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            TenantState::Active,
            TenantState::Importing,
            TenantState::Frozen,
            TenantState::Fenced,
            TenantState::Suspended,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantOnStamp {
    pub id: String,
    pub display_name: String,
    pub size_units: u32,
    pub state: TenantState,
    /// Keys in the tenant's store.
    pub keys: u64,
    /// The last change sequence number (0 before the first write).
    pub change_seq: u64,
}

/// Body of `PUT /v1/tenants/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProvisionTenant {
    pub display_name: String,
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    pub size_units: u32,
}

/// Answer to a provision: the tenant, and the token its own traffic must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantProvisioned {
    pub tenant: TenantOnStamp,
    pub tenant_token: String,
}

/// A value in a tenant's key/value store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KvEntry {
    pub key: String,
    pub value: String,
    /// The change sequence number of the write that produced this value.
    pub seq: u64,
}

/// Body of `PUT /v1/tenants/{id}/kv/{key}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KvPut {
    pub value: String,
}

/// Every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiError {
    /// Machine-readable: unauthorized, forbidden, not_found, conflict, invalid, too_large, internal.
    pub code: String,
    pub message: String,
}

/// Enrolls an operator's own token on the stamp: only its SHA-256 travels and is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrollOperator {
    /// The SHA-256 of the operator's bearer token, as 64 lower-case hex digits.
    pub token_sha256: String,
}

/// The operators whose own tokens the stamp accepts, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperatorList {
    pub operators: Vec<String>,
}

/// A public key of the fleet's: tenant tokens it signs (`f.<kid>...`) are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FleetKey {
    /// The Ed25519 public key, 32 bytes as base64url without padding.
    pub public_key: String,
}

/// The ids of the fleet keys whose tenant tokens the stamp accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FleetKeyList {
    pub keys: Vec<String>,
}
