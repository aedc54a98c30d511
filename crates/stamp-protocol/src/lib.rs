//! The Stamp API (data-plane contract), shared by `stamp-client` and `stamp-agent`, so a
//! mismatch between the two fails to compile. HTTP + JSON under `/v1`, bearer tokens.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod fleet_token;
mod health_push;
mod moves;
mod openapi;
mod openapi_rules;
mod page_codec;
mod page_reader;
pub mod rules;
mod shared_page;
mod whole_number;
mod wire;

pub use health_push::{prefer_wait_secs, HealthQuestion, MAX_HEALTH_WAIT_SECS, PREFER};
pub use moves::*;
pub use openapi::{openapi_document, openapi_json};
pub use page_codec::{
    decode_export_page, encode_export_page, is_binary_export_page, is_binary_export_page_in,
    ExportPageBinary, PageEncoder, EXPORT_PAGE_BINARY,
};
pub use shared_page::{decode_export_page_shared, SharedEntry, SharedPage, SharedValue};
pub use wire::*;

/// The software version an agent reports in its health.
pub const PROTOCOL_VERSION: &str = "1";

/// Header carrying the key that makes a mutating call safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The largest request body an agent accepts.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// The largest response body a client reads.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// The largest binary export page a client reads: at most `rules::PAGE_BYTES` of keys
/// and values (the page stops before the entry that would pass it), 16 bytes an entry
/// (2,000 at most) and the page's own few keys.
pub const MAX_EXPORT_PAGE_BYTES: usize = 32 * 1024 * 1024;

/// How long an agent remembers an idempotency key, at least.
pub const IDEMPOTENCY_TTL_SECS: i64 = 48 * 3600;

/// Paths, relative to the stamp's base URL.
pub mod paths {
    pub const HEALTH: &str = "/v1/health";
    pub const OPENAPI: &str = "/v1/openapi.json";
    pub const TENANTS: &str = "/v1/tenants";
    pub const OPERATORS: &str = "/v1/operators";
    pub const UPGRADE: &str = "/v1/upgrade";
    pub const FLEET_KEYS: &str = "/v1/fleet-keys";

    /// One public key of the fleet's, by its id.
    pub fn fleet_key(kid: &str) -> String {
        format!("/v1/fleet-keys/{kid}")
    }

    /// One operator's enrollment (its own token's SHA-256).
    pub fn operator(name: &str) -> String {
        format!("/v1/operators/{name}")
    }

    pub fn tenant(id: &str) -> String {
        format!("/v1/tenants/{id}")
    }

    pub fn kv(tenant: &str, key: &str) -> String {
        format!("/v1/tenants/{tenant}/kv/{key}")
    }

    /// A move step on a tenant: transfer, export, changes, import/sync, freeze,
    /// unfreeze, checksum, activate, fence.
    pub fn tenant_step(tenant: &str, step: &str) -> String {
        format!("/v1/tenants/{tenant}/{step}")
    }
}
