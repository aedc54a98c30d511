//! The Stamp API over HTTP.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use fleet_core::TenantId;
use serde::de::DeserializeOwned;
use sqlx::SqlitePool;
use stamp_protocol::{
    paths, rules, Health, KvPut, ProvisionTenant, StampHealthStatus, TenantProvisioned,
    MAX_REQUEST_BYTES,
};

use crate::auth::{Caller, Tokens};
use crate::error::Failure;
use crate::idempotency;
use crate::store;

/// What this stamp is, from its flags.
#[derive(Debug, Clone)]
pub struct Identity {
    pub stamp_id: String,
    pub region: String,
    pub template_version: String,
    pub capacity_units: u32,
}

pub struct Agent {
    pub pool: SqlitePool,
    pub tokens: Tokens,
    pub identity: Identity,
    /// How long and how far back the change log is kept.
    pub log_limits: store::LogLimits,
    /// Mutations run one at a time: idempotency checks and writes stay consistent.
    pub writer: tokio::sync::Mutex<()>,
}

type Shared = State<Arc<Agent>>;

pub fn router(agent: Arc<Agent>) -> Router {
    Router::new()
        .route(paths::HEALTH, get(health))
        .route(paths::TENANTS, get(list_tenants))
        .route(
            "/v1/tenants/{id}",
            axum::routing::put(provision).delete(deprovision),
        )
        .route(
            "/v1/tenants/{id}/kv/{key}",
            get(kv_get).put(kv_put).delete(kv_delete),
        )
        .merge(crate::moves::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            agent.clone(),
            authenticate,
        ))
        .route(paths::OPENAPI, get(openapi))
        .fallback(|| async { Failure::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::map_response(json_errors))
        .with_state(agent)
}

/// Who asks comes first: a request without a token this stamp knows is 401 before its
/// path, query or body is read, so an unauthenticated caller learns nothing from the
/// validation. Each handler then checks the caller's role.
async fn authenticate(
    State(agent): Shared,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if matches!(caller(&agent, request.headers()), Caller::Unknown) {
        return Failure::unauthorized().into_response();
    }
    next.run(request).await
}

/// Every error answer is `{code, message}`, also the ones axum writes itself (bad
/// path encoding, body too large, method not allowed).
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "internal",
        _ => "invalid",
    };
    let message = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        message
    };
    Failure::new(status, code, message).into_response()
}

pub(crate) fn caller(agent: &Agent, headers: &HeaderMap) -> Caller {
    agent
        .tokens
        .identify(headers.get("authorization").and_then(|v| v.to_str().ok()))
}

pub(crate) fn require_admin(agent: &Agent, headers: &HeaderMap) -> Result<(), Failure> {
    match caller(agent, headers) {
        Caller::Admin => Ok(()),
        Caller::Tenant(_) | Caller::Transfer(_) => Err(Failure::forbidden(
            "this call needs the stamp's admin token",
        )),
        Caller::Unknown => Err(Failure::unauthorized()),
    }
}

fn require_tenant(agent: &Agent, headers: &HeaderMap, tenant: &str) -> Result<(), Failure> {
    match caller(agent, headers) {
        Caller::Tenant(t) if t == tenant => Ok(()),
        Caller::Tenant(_) => Err(Failure::forbidden(format!(
            "this token belongs to another tenant, not {tenant}"
        ))),
        Caller::Admin | Caller::Transfer(_) => Err(Failure::forbidden(
            "tenant traffic needs the tenant's own token",
        )),
        Caller::Unknown => Err(Failure::unauthorized()),
    }
}

pub(crate) fn tenant_id(raw: &str) -> Result<String, Failure> {
    TenantId::new(raw)
        .map(|id| id.to_string())
        .map_err(|e| Failure::invalid(e.to_string()))
}

fn kv_key(raw: &str) -> Result<&str, Failure> {
    rules::check_kv_key(raw).map_err(Failure::rule)?;
    Ok(raw)
}

pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::invalid(format!("request body: {e}")))
}

/// An optional body: none, or JSON `null`, is `None`.
pub(crate) fn parse_optional<T: DeserializeOwned>(body: &[u8]) -> Result<Option<T>, Failure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    parse(body)
}

pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("cannot encode the answer: {e}"),
        )
    })
}

async fn health(State(agent): Shared, headers: HeaderMap) -> Result<Json<Health>, Failure> {
    require_admin(&agent, &headers)?;
    let mut conn = agent.pool.acquire().await?;
    let used = store::used_units(&mut conn).await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tenants")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .next()
        .ok_or(sqlx::Error::RowNotFound)?;
    let id = &agent.identity;
    Ok(Json(Health {
        status: if used > id.capacity_units {
            StampHealthStatus::Degraded
        } else {
            StampHealthStatus::Ok
        },
        stamp_id: id.stamp_id.clone(),
        region: id.region.clone(),
        template_version: id.template_version.clone(),
        software_version: env!("CARGO_PKG_VERSION").to_owned(),
        capacity_units_total: id.capacity_units,
        capacity_units_used: used,
        tenant_count: u32::try_from(count).unwrap_or(u32::MAX),
    }))
}

async fn openapi() -> Response {
    idempotency::respond(200, stamp_protocol::openapi_json())
}

async fn list_tenants(State(agent): Shared, headers: HeaderMap) -> Result<Response, Failure> {
    require_admin(&agent, &headers)?;
    Ok(Json(store::tenants(&agent.pool).await?).into_response())
}

/// How a mutation's answer is kept for replays.
pub(crate) enum Replies {
    /// As it was sent.
    Whole,
    /// A key/value answer, kept without the value (this one, from the request).
    KvEntry(String),
}

/// Runs a mutation under the writer lock with its idempotency key: a replay answers
/// the stored response; a success is stored with the change, in one transaction.
pub(crate) async fn mutate<F>(
    agent: &Agent,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    work: F,
) -> Result<(u16, String), Failure>
where
    F: for<'c> AsyncFnOnce(&'c mut sqlx::SqliteConnection) -> Result<(u16, String), Failure>,
{
    mutate_with(agent, method, uri, headers, body, Replies::Whole, work).await
}

/// `mutate`, with the answer kept as `replies` says.
pub(crate) async fn mutate_with<F>(
    agent: &Agent,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    replies: Replies,
    work: F,
) -> Result<(u16, String), Failure>
where
    F: for<'c> AsyncFnOnce(&'c mut sqlx::SqliteConnection) -> Result<(u16, String), Failure>,
{
    // Keys are the caller's own: a tenant (or a transfer grant) using the key the
    // control plane will send gets its own entry, never the admin's.
    let scope = match caller(agent, headers) {
        Caller::Admin => "admin".to_owned(),
        Caller::Tenant(t) => format!("tenant:{t}"),
        Caller::Transfer(t) => format!("transfer:{t}"),
        Caller::Unknown => return Err(Failure::unauthorized()),
    };
    let key = format!("{scope} {}", idempotency::key(headers)?);
    let fingerprint = idempotency::fingerprint(method.as_str(), uri.path(), body);
    let _writer = agent.writer.lock().await;
    let mut tx = agent.pool.begin().await?;
    if let Some((status, kept)) = idempotency::replay(&mut tx, &key, &fingerprint).await? {
        return Ok((status, idempotency::expand(&replies, kept)?));
    }
    let (status, text) = work(&mut tx).await?;
    let kept = idempotency::compact(&replies, &text)?;
    let keep = agent.log_limits.keys_per_caller;
    idempotency::record(&mut tx, &scope, &key, &fingerprint, (status, &kept), keep).await?;
    tx.commit().await?;
    Ok((status, text))
}

async fn provision(
    State(agent): Shared,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    require_admin(&agent, &headers)?;
    let id = tenant_id(&id)?;
    let token_for = id.clone();
    let request: ProvisionTenant = parse(&body)?;
    rules::check_display_name(&request.display_name).map_err(Failure::rule)?;
    rules::check_size_units(request.size_units).map_err(Failure::rule)?;
    let agent_ref = &agent;
    mutate(&agent, &method, &uri, &headers, &body, async move |conn| {
        let status = match store::tenant(conn, &id).await? {
            Some(existing) if existing.size_units == request.size_units => 200,
            Some(existing) => {
                return Err(Failure::conflict(format!(
                    "tenant {id} exists here with size {}",
                    existing.size_units
                )))
            }
            None => {
                let used = store::used_units(conn).await?;
                let total = agent_ref.identity.capacity_units;
                if u64::from(used) + u64::from(request.size_units) > u64::from(total) {
                    return Err(Failure::conflict(format!(
                        "stamp is full: {used} of {total} units used, {} more asked",
                        request.size_units
                    )));
                }
                store::insert_tenant(conn, &id, &request.display_name, request.size_units).await?;
                201
            }
        };
        let tenant = store::tenant(conn, &id)
            .await?
            .ok_or_else(|| Failure::not_found(format!("tenant {id}")))?;
        // Stored for replays without the token: no token sits in the stamp's file.
        let answer = TenantProvisioned {
            tenant,
            tenant_token: String::new(),
        };
        Ok((status, json_text(&answer)?))
    })
    .await
    .and_then(|response| with_tenant_token(&agent, &token_for, response))
}

/// Puts the tenant's token (derived, never stored) into a provision answer.
fn with_tenant_token(
    agent: &Agent,
    tenant: &str,
    (status, text): (u16, String),
) -> Result<Response, Failure> {
    if !(200..300).contains(&status) {
        return Ok(idempotency::respond(status, text));
    }
    let mut answer: TenantProvisioned = serde_json::from_str(&text).map_err(|e| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("stored answer: {e}"),
        )
    })?;
    answer.tenant_token = agent.tokens.tenant_token(tenant);
    Ok(idempotency::respond(status, json_text(&answer)?))
}

async fn deprovision(
    State(agent): Shared,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    require_admin(&agent, &headers)?;
    let id = tenant_id(&id)?;
    mutate(&agent, &method, &uri, &headers, &[], async move |conn| {
        if !store::delete_tenant(conn, &id).await? {
            return Err(Failure::not_found(format!(
                "tenant {id} is not on this stamp"
            )));
        }
        Ok((204, String::new()))
    })
    .await
    .map(|(status, text)| idempotency::respond(status, text))
}

/// The tenant is here and serves this request: reads while active or frozen, writes
/// only while active; a fenced tenant redirects to its new home.
async fn serving(pool: &SqlitePool, id: &str, uri: &Uri, write: bool) -> Result<(), Failure> {
    let mut conn = pool.acquire().await?;
    serving_on(&mut conn, id, uri, write).await
}

/// [`serving`] on a connection. Writes check inside their transaction, under the
/// writer lock (after an idempotent replay is answered), so no write lands after a freeze.
async fn serving_on(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
    uri: &Uri,
    write: bool,
) -> Result<(), Failure> {
    let Some(m) = store::move_state(conn, id).await? else {
        return Err(Failure::not_found(format!(
            "tenant {id} is not on this stamp"
        )));
    };
    // A freeze whose lease ran out is over: the tenant takes writes again (its move, if
    // one still runs, can no longer fence it, so the target can never activate).
    if write && m.state == "frozen" && !m.frozen_now() {
        store::set_state(conn, id, stamp_protocol::TenantState::Active, None).await?;
        tracing::info!(tenant = %id, "freeze lease ran out; writes resume");
        return Ok(());
    }
    match (m.state.as_str(), m.moved_to) {
        ("active", _) => Ok(()),
        ("frozen", _) if !write => Ok(()),
        ("frozen", _) => Err(Failure::unavailable(
            "frozen",
            format!("tenant {id} is moving: writes resume in a moment"),
        )),
        ("fenced", Some(to)) => Err(Failure::moved(
            format!("{}{}", to.trim_end_matches('/'), uri.path()),
            format!("tenant {id} moved to {to}"),
        )),
        (state, _) => Err(Failure::unavailable(
            "not_serving",
            format!("tenant {id} is {state} here and takes no traffic yet"),
        )),
    }
}

async fn kv_get(
    State(agent): Shared,
    Path((id, key)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    require_tenant(&agent, &headers, &id)?;
    serving(&agent.pool, &id, &uri, false).await?;
    match store::kv_get(&agent.pool, &id, kv_key(&key)?).await? {
        Some(entry) => Ok(Json(entry).into_response()),
        None => Err(Failure::not_found(format!(
            "no key {key:?} for tenant {id}"
        ))),
    }
}

async fn kv_put(
    State(agent): Shared,
    Path((id, key)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    require_tenant(&agent, &headers, &id)?;
    let key = kv_key(&key)?.to_owned();
    let put: KvPut = parse(&body)?;
    let path = uri.clone();
    let limits = agent.log_limits;
    // The reply repeats the value: it is stored without it and rebuilt on a replay
    // from the request (the same key and body, so the same value).
    let replies = Replies::KvEntry(put.value.clone());
    mutate_with(
        &agent,
        &method,
        &uri,
        &headers,
        &body,
        replies,
        async move |conn| {
            serving_on(conn, &id, &path, true).await?;
            let seq = store::kv_change(conn, &id, &key, Some(&put.value), limits).await?;
            Ok((
                200,
                json_text(&stamp_protocol::KvEntry {
                    key,
                    value: put.value,
                    seq,
                })?,
            ))
        },
    )
    .await
    .map(|(status, text)| idempotency::respond(status, text))
}

async fn kv_delete(
    State(agent): Shared,
    Path((id, key)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    require_tenant(&agent, &headers, &id)?;
    let key = kv_key(&key)?.to_owned();
    let path = uri.clone();
    let limits = agent.log_limits;
    mutate(&agent, &method, &uri, &headers, &[], async move |conn| {
        serving_on(conn, &id, &path, true).await?;
        if store::kv_get_conn(conn, &id, &key).await?.is_none() {
            return Err(Failure::not_found(format!(
                "no key {key:?} for tenant {id}"
            )));
        }
        store::kv_change(conn, &id, &key, None, limits).await?;
        Ok((204, String::new()))
    })
    .await
    .map(|(status, text)| idempotency::respond(status, text))
}
