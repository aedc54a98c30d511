//! The OpenAPI 3 document of the Stamp API, generated from the wire types. Agents serve
//! it at `/v1/openapi.json`; `docs/stamp-api.openapi.json` is the committed copy.
#![allow(dead_code)] // the functions below only carry the path declarations

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::moves::*;
use crate::openapi_rules::DeclareRules;
use crate::page_codec::ExportPageBinary;
use crate::wire::*;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "tenant",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "operator",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "transfer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Stamp API",
        version = "1",
        description = "What every Stampfleet stamp answers. Mutating calls take an Idempotency-Key: \
                       the same key and body replays the first answer, the same key with another body is 422."
    ),
    paths(health, list_tenants, provision_tenant, deprovision_tenant, kv_get, kv_put, kv_delete,
          transfer, export, changes, checksum, import_sync, freeze, unfreeze, activate, fence,
          suspend, resume,
          list_operators, enroll_operator, revoke_operator, list_fleet_keys, put_fleet_key, delete_fleet_key,
          start_upgrade, upgrade_status),
    components(schemas(Health, StampHealthStatus, TenantOnStamp, TenantState, ProvisionTenant, TenantProvisioned, KvEntry, KvPut, ApiError,
                       TransferGrant, ExportPage, ExportPageBinary, Change, ChangePage, ImportSync, ImportProgress, TenantChecksum, Fence, FreezeLease, ActivateProof,
                       EnrollOperator, OperatorList, FleetKey, FleetKeyList, StartUpgrade, UpgradePhase, UpgradeStatus)),
    modifiers(&BearerAuth, &DeclareRules)
)]
struct StampApi;

/// The document as a value.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    StampApi::openapi()
}

/// The document as pretty JSON, ending in a newline.
pub fn openapi_json() -> String {
    serde_json::to_string_pretty(&StampApi::openapi())
        .map_or_else(|e| format!("{{\"error\": \"{e}\"}}"), |s| s + "\n")
}

#[utoipa::path(get, path = "/v1/operators", security(("admin" = []), ("operator" = [])),
    responses((status = 200, description = "the operators whose own tokens this stamp accepts", body = OperatorList),
              (status = 401, body = ApiError),
              (status = 403, description = "a tenant token on an admin call", body = ApiError)))]
fn list_operators() {}

#[utoipa::path(put, path = "/v1/operators/{name}", security(("admin" = [])), request_body = EnrollOperator,
    params(("name" = String, Path, description = "the operator's name (a team catalogue's login)"),
           ("Idempotency-Key" = String, Header, description = "retry key")),
    responses((status = 200, description = "enrolled: a bearer token `o.<name>.<secret>` whose SHA-256 this is now acts as the admin's, named", body = OperatorList),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, description = "only the stamp's own admin token enrolls", body = ApiError),
              (status = 422, body = ApiError)))]
fn enroll_operator() {}

#[utoipa::path(delete, path = "/v1/operators/{name}", security(("admin" = [])),
    params(("name" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, description = "revoked (or was not enrolled): its token is refused from now on", body = OperatorList),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, description = "only the stamp's own admin token revokes", body = ApiError),
              (status = 422, body = ApiError)))]
fn revoke_operator() {}

#[utoipa::path(get, path = "/v1/fleet-keys", security(("admin" = []), ("operator" = [])),
    responses((status = 200, description = "the fleet keys whose tenant tokens (`f.<kid>.<tenant>.<expires>.<signature>`) this stamp accepts", body = FleetKeyList),
              (status = 401, body = ApiError),
              (status = 403, description = "a tenant token on an admin call", body = ApiError)))]
fn list_fleet_keys() {}

#[utoipa::path(put, path = "/v1/fleet-keys/{kid}", security(("admin" = [])), request_body = FleetKey,
    params(("kid" = String, Path, description = "the key's id, as fleet tokens name it"),
           ("Idempotency-Key" = String, Header, description = "retry key")),
    responses((status = 200, description = "given: tenant tokens this key signs are accepted for the tenants this stamp holds", body = FleetKeyList),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, description = "only the stamp's own admin token gives keys", body = ApiError),
              (status = 422, body = ApiError)))]
fn put_fleet_key() {}

#[utoipa::path(delete, path = "/v1/fleet-keys/{kid}", security(("admin" = [])),
    params(("kid" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, description = "taken back (or was not given): tokens it signed are refused from now on", body = FleetKeyList),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, description = "only the stamp's own admin token takes keys back", body = ApiError),
              (status = 422, body = ApiError)))]
fn delete_fleet_key() {}

#[utoipa::path(post, path = "/v1/upgrade", security(("admin" = []), ("operator" = [])), request_body = StartUpgrade,
    params(("Idempotency-Key" = String, Header, description = "retry key")),
    responses((status = 202, description = "started (or already running to this version): poll `GET /v1/upgrade`", body = UpgradeStatus),
              (status = 200, description = "the stamp runs this version already: nothing to do", body = UpgradeStatus),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, description = "a tenant token on an admin call", body = ApiError),
              (status = 409, description = "an upgrade to another version is running", body = ApiError),
              (status = 422, body = ApiError)))]
fn start_upgrade() {}

#[utoipa::path(get, path = "/v1/upgrade", security(("admin" = []), ("operator" = [])),
    params(("waitMs" = Option<u64>, Query, description = "wait up to this many milliseconds (at most 30000) for a running upgrade to end before answering")),
    responses((status = 200, description = "the latest upgrade and the version the stamp runs", body = UpgradeStatus),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, description = "a tenant token on an admin call", body = ApiError)))]
fn upgrade_status() {}

#[utoipa::path(get, path = "/v1/health", security(("admin" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "the ETag of the health the caller holds: with Prefer: wait=N, answered when the health differs from it"),
           ("Prefer" = Option<String>, Header, description = "wait=N: with If-None-Match, wait up to N seconds (at most 30) for a change before answering 304")),
    responses((status = 200, body = Health, headers(("ETag" = String, description = "names what this answer says; equal answers have equal tags"))),
              (status = 304, description = "the health is still the one If-None-Match named (after the wait Prefer asked for)",
               headers(("ETag" = String, description = "the tag the caller holds"))),
              (status = 401, body = ApiError),
              (status = 403, description = "a tenant token on an admin call", body = ApiError)))]
fn health() {}

#[utoipa::path(get, path = "/v1/tenants", security(("admin" = [])),
    responses((status = 200, body = Vec<TenantOnStamp>), (status = 401, body = ApiError),
              (status = 403, description = "a tenant token on an admin call", body = ApiError)))]
fn list_tenants() {}

#[utoipa::path(put, path = "/v1/tenants/{id}", security(("admin" = [])), request_body = ProvisionTenant,
    params(("id" = String, Path, description = "tenant id (lowercase slug)"),
           ("Idempotency-Key" = String, Header, description = "retry key")),
    responses((status = 201, description = "provisioned", body = TenantProvisioned),
              (status = 200, description = "already provisioned with this size", body = TenantProvisioned),
              (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 409, description = "exists with another size, or the stamp is full", body = ApiError),
              (status = 422, description = "idempotency key reused with another body", body = ApiError)))]
fn provision_tenant() {}

#[utoipa::path(delete, path = "/v1/tenants/{id}", security(("admin" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 204, description = "deprovisioned"), (status = 400, body = ApiError),
              (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
fn deprovision_tenant() {}

#[utoipa::path(get, path = "/v1/tenants/{id}/kv/{key}", security(("tenant" = [])),
    params(("id" = String, Path), ("key" = String, Path)),
    responses((status = 200, body = KvEntry), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError),
              (status = 307, description = "the tenant moved: the same request at the Location header", body = ApiError),
              (status = 503, description = "the tenant is not served here yet (importing)", body = ApiError)))]
fn kv_get() {}

#[utoipa::path(put, path = "/v1/tenants/{id}/kv/{key}", security(("tenant" = [])), request_body = KvPut,
    params(("id" = String, Path), ("key" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = KvEntry), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 413, body = ApiError),
              (status = 422, body = ApiError),
              (status = 307, description = "the tenant moved: the same request at the Location header", body = ApiError),
              (status = 503, description = "writes paused for a move's cut-over (retry), or not served here yet", body = ApiError)))]
fn kv_put() {}

#[utoipa::path(delete, path = "/v1/tenants/{id}/kv/{key}", security(("tenant" = [])),
    params(("id" = String, Path), ("key" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 204, description = "deleted"), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError),
              (status = 307, description = "the tenant moved: the same request at the Location header", body = ApiError),
              (status = 503, description = "writes paused for a move's cut-over (retry), or not served here yet", body = ApiError)))]
fn kv_delete() {}

#[utoipa::path(get, path = "/v1/tenants/{id}/transfer", security(("admin" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "a short-lived token another stamp reads this tenant with", body = TransferGrant),
              (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn transfer() {}

#[utoipa::path(get, path = "/v1/tenants/{id}/export", security(("admin" = []), ("transfer" = [])),
    params(("id" = String, Path), ("after" = Option<String>, Query, description = "the last key of the previous page"),
           ("skip" = Option<u32>, Query, description = "pages to pass over first: a target asks for pages ahead while it writes this one; such a page names the key it follows (`after`)"),
           ("pageBytes" = Option<u32>, Query, description = "the page's budget of key and value bytes (default 7 MiB): a target asks for larger pages, which a large tenant moves in fewer of")),
    responses((status = 200, description = "a page in key order; with `Accept: application/vnd.stampfleet.export-page`, the same page in its binary form (see `page_codec.rs`)",
               content((ExportPage = "application/json"), (ExportPageBinary = "application/vnd.stampfleet.export-page"))),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn export() {}

#[utoipa::path(get, path = "/v1/tenants/{id}/changes", security(("admin" = []), ("transfer" = [])),
    params(("id" = String, Path), ("after" = u64, Query, description = "changes after this sequence number")),
    responses((status = 200, body = ChangePage), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError),
              (status = 410, description = "the log does not reach back that far: take a snapshot", body = ApiError)))]
fn changes() {}

#[utoipa::path(get, path = "/v1/tenants/{id}/checksum", security(("admin" = [])),
    params(("id" = String, Path), ("full" = Option<bool>, Query, description = "recompute from every row")),
    responses((status = 200, body = TenantChecksum), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn checksum() {}

#[utoipa::path(post, path = "/v1/tenants/{id}/import/sync", security(("admin" = [])), request_body = ImportSync,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, description = "pulled for a bounded time; safe to repeat", body = ImportProgress),
              (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 409, description = "the tenant is live here, or the stamp is full", body = ApiError),
              (status = 502, description = "the source failed", body = ApiError)))]
fn import_sync() {}

#[utoipa::path(post, path = "/v1/tenants/{id}/freeze", security(("admin" = [])),
    request_body(content = Option<FreezeLease>, description = "the lease; no body: 60 s. Freezing again renews it"),
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = TenantOnStamp), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
              (status = 422, body = ApiError)))]
fn freeze() {}

#[utoipa::path(post, path = "/v1/tenants/{id}/unfreeze", security(("admin" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = TenantOnStamp), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
              (status = 422, body = ApiError)))]
fn unfreeze() {}

#[utoipa::path(post, path = "/v1/tenants/{id}/activate", security(("admin" = [])),
    request_body(content = Option<ActivateProof>, description = "required for an importing copy: where to ask for proof that the source fenced the tenant"),
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = TenantOnStamp), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
              (status = 422, body = ApiError)))]
fn activate() {}

#[utoipa::path(post, path = "/v1/tenants/{id}/suspend", security(("admin" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, description = "suspended (or was): the tenant's own requests are refused with 403 `suspended`, its data kept", body = TenantOnStamp),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError),
              (status = 409, description = "the tenant is moving, fenced or importing here", body = ApiError),
              (status = 422, body = ApiError)))]
fn suspend() {}

#[utoipa::path(post, path = "/v1/tenants/{id}/resume", security(("admin" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, description = "active again (or was)", body = TenantOnStamp),
              (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
              (status = 422, body = ApiError)))]
fn resume() {}

#[utoipa::path(post, path = "/v1/tenants/{id}/fence", security(("admin" = [])), request_body = Fence,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = TenantOnStamp), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
              (status = 422, body = ApiError)))]
fn fence() {}
