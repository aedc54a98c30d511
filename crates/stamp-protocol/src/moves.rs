//! The move protocol's wire types: a target stamp pulls a tenant straight from its
//! source (snapshot pages, then the change log), authorized by a short-lived transfer
//! token the source issued; the control plane only steers (sync, freeze, verify,
//! activate, fence) and never sees the data.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::KvEntry;

/// Answer to `POST /v1/tenants/{id}/transfer`: a token that lets another stamp read
/// this tenant's data (export and changes) until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferGrant {
    pub token: String,
    /// Unix seconds.
    pub expires_at: u64,
}

/// One page of a tenant's snapshot, by key order (`GET .../export?after=KEY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportPage {
    /// The tenant's change sequence when the page was read.
    pub seq: u64,
    pub entries: Vec<KvEntry>,
    /// The key to ask after for the next page; none on the last page.
    pub next_after: Option<String>,
    /// The key this page's entries follow, on a page asked with `skip` (a target that
    /// asks for pages ahead checks that each follows on from the one before); absent
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// One logged change: a write (`value`) or a delete (no value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Change {
    pub seq: u64,
    pub key: String,
    pub value: Option<String>,
}

/// Changes after a sequence number (`GET .../changes?after=N`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// The source's latest sequence number when the page was read.
    pub last_seq: u64,
    /// The source accepts no writes for the tenant (frozen or fenced).
    pub frozen: bool,
    /// The tenant's state on the source (a freeze whose lease expired reads `active`).
    /// A target activates only on a page saying `fenced` and nothing it has not applied.
    #[serde(default)]
    pub state: Option<crate::TenantState>,
}

/// Body of `POST /v1/tenants/{id}/import/sync`: pull from this source until caught up
/// (or for a bounded time); the tenant is created here in state `importing` on the
/// first call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportSync {
    /// The source stamp's base URL.
    pub source: String,
    pub transfer_token: String,
    pub display_name: String,
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    pub size_units: u32,
}

/// Where an import stands after a sync call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportProgress {
    pub snapshot_done: bool,
    /// The last change applied here.
    pub applied_seq: u64,
    /// The source's latest change when last asked.
    pub source_seq: u64,
    /// Keys and value bytes copied by this call.
    pub copied_keys: u64,
    pub copied_bytes: u64,
    /// The source was frozen when last asked (so a lag of 0 is final).
    pub source_frozen: bool,
    /// The tenant's token on this stamp (for its own traffic after the move).
    pub tenant_token: String,
}

/// A tenant's data in one figure (`GET .../checksum`): key count, last sequence, and a
/// digest kept current on every write (the XOR of an XXH3-128 hash per key and value),
/// so comparing two copies costs nothing while writes are frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantChecksum {
    pub keys: u64,
    pub seq: u64,
    pub digest: String,
    pub state: crate::TenantState,
}

/// Body of `POST /v1/tenants/{id}/fence`: every later request for the tenant is
/// redirected (307) to the same path on `moved_to`, and no write is accepted here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fence {
    pub moved_to: String,
}

/// Body of `POST /v1/tenants/{id}/freeze`: the freeze is a lease. Unless renewed (a
/// freeze again, before it ends) it ends by itself after `lease_secs`, and the tenant
/// takes writes again: a move whose orchestrator went away never leaves a tenant frozen.
/// A frozen tenant can only be fenced while its lease runs. No body: 60 s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FreezeLease {
    /// 1 to 600 seconds.
    #[schema(minimum = 1, maximum = 600)]
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    pub lease_secs: u32,
}

/// The default freeze lease when `freeze` has no body.
pub const DEFAULT_FREEZE_LEASE_SECS: u32 = 60;

/// Body of `POST /v1/tenants/{id}/activate` for an importing copy: the target asks the
/// source (with the transfer token) and takes writes only when the source says the
/// tenant is fenced there and holds no change the target has not applied. So a freeze
/// whose lease ran out can never give the tenant two writable homes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivateProof {
    /// The source stamp's base URL.
    pub source: String,
    pub transfer_token: String,
}
