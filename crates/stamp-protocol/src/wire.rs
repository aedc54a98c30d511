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
}

impl TenantState {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantState::Active => "active",
            TenantState::Importing => "importing",
            TenantState::Frozen => "frozen",
            TenantState::Fenced => "fenced",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            TenantState::Active,
            TenantState::Importing,
            TenantState::Frozen,
            TenantState::Fenced,
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
