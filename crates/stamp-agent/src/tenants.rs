//! Tenants on this stamp, as the control plane sees them: health, the list, provision
//! and deprovision.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use stamp_protocol::{rules, Health, ProvisionTenant, StampHealthStatus, TenantProvisioned};

use crate::agent::{Agent, Shared};
use crate::callers::AdminCaller;
use crate::error::Failure;
use crate::idempotency;
use crate::mutation::{mutate, MutationRequest};
use crate::request::{json_text, parse, tenant_id};
use crate::store;

/// How often a health call that waits for a change looks again.
const HEALTH_WAIT_STEP: std::time::Duration = std::time::Duration::from_millis(250);

/// `GET /v1/health`, with its `ETag`. Given the tag the caller holds (`If-None-Match`)
/// and `Prefer: wait=N`, answered when the health differs from it, else after N seconds
/// with 304 (health pushed: see stamp_protocol's health_push).
pub(crate) async fn health(
    _: AdminCaller,
    State(agent): Shared,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let header_text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let stamp_protocol::HealthQuestion { held, wait } =
        stamp_protocol::HealthQuestion::from_headers(
            header_text(header::IF_NONE_MATCH.as_str()),
            header_text(stamp_protocol::PREFER),
        );
    let started = tokio::time::Instant::now();
    loop {
        let health = current_health(&agent).await?;
        let tag = health.tag();
        if held.as_deref() != Some(tag.as_str()) {
            return Ok(([(header::ETAG, tag)], Json(health)).into_response());
        }
        // A shutdown, or a restart into a new version (whose round answers the next
        // question with its health), ends the wait.
        let round_over = agent
            .launch
            .upgrade()
            .is_none_or(|l| !l.is_current(agent.round));
        if started.elapsed() >= wait || crate::stopping::is_stopping() || round_over {
            return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
        }
        tokio::time::sleep(HEALTH_WAIT_STEP).await;
    }
}

async fn current_health(agent: &Agent) -> Result<Health, Failure> {
    // One read transaction: the units and the count of the same moment (a provision
    // committing between two reads would give a health no moment had).
    let mut read = agent.pool.begin().await?;
    let used = store::used_units(&mut read).await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tenants")
        .fetch_all(&mut *read)
        .await?
        .into_iter()
        .next()
        .ok_or(sqlx::Error::RowNotFound)?;
    read.rollback().await?;
    let id = &agent.identity;
    let detail = if agent.faults.unhealthy_on(&id.template_version) {
        Some(format!(
            "injected test fault unhealthy-after-upgrade={}",
            id.template_version
        ))
    } else if used > id.capacity_units {
        Some(format!(
            "over capacity: {used} of {} units used",
            id.capacity_units
        ))
    } else {
        None
    };
    Ok(Health {
        status: if detail.is_some() {
            StampHealthStatus::Degraded
        } else {
            StampHealthStatus::Ok
        },
        error_rate: agent.traffic.error_rate(),
        detail,
        stamp_id: id.stamp_id.clone(),
        region: id.region.clone(),
        template_version: id.template_version.clone(),
        software_version: env!("CARGO_PKG_VERSION").to_owned(),
        capacity_units_total: id.capacity_units,
        capacity_units_used: used,
        tenant_count: u32::try_from(count).unwrap_or(u32::MAX),
    })
}

pub(crate) async fn openapi() -> Response {
    idempotency::respond(200, stamp_protocol::openapi_json())
}

pub(crate) async fn list_tenants(
    _: AdminCaller,
    State(agent): Shared,
) -> Result<Response, Failure> {
    Ok(Json(store::tenants(&agent.pool).await?).into_response())
}

pub(crate) async fn provision(
    _: AdminCaller,
    State(agent): Shared,
    Path(id): Path<String>,
    req: MutationRequest,
    body: Bytes,
) -> Result<Response, Failure> {
    let id = tenant_id(&id)?;
    let token_for = id.clone();
    let request: ProvisionTenant = parse(&body)?;
    rules::check_display_name(&request.display_name).map_err(Failure::rule)?;
    rules::check_size_units(request.size_units).map_err(Failure::rule)?;
    let agent_ref = &agent;
    mutate(&agent, &req, &body, async move |conn| {
        let status = match store::tenant(conn, &id).await? {
            Some(existing) if existing.size_units == request.size_units => 200,
            Some(existing) => {
                return Err(Failure::conflict(format!(
                    "tenant {id} exists here with size {}",
                    existing.size_units
                )))
            }
            None => {
                insert_if_room(
                    agent_ref,
                    conn,
                    &id,
                    &request.display_name,
                    request.size_units,
                )
                .await?;
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

pub(crate) async fn deprovision(
    _: AdminCaller,
    State(agent): Shared,
    Path(id): Path<String>,
    req: MutationRequest,
) -> Result<Response, Failure> {
    let id = tenant_id(&id)?;
    let files = agent.values.clone();
    let answer = mutate(&agent, &req, &[], async move |conn| {
        if !store::delete_tenant(conn, &id).await? {
            return Err(Failure::not_found(format!(
                "tenant {id} is not on this stamp"
            )));
        }
        files.note_dropped();
        Ok((204, String::new()))
    })
    .await?;
    // The tenant's value files go before the answer: a removed copy frees its disk.
    // They are set aside under the writer lock and removed after it.
    let writer = agent.writer.lock().await;
    let locked = std::time::Instant::now();
    let swept = agent.values.sweep(&agent.pool, false).await?;
    drop(writer);
    let held = locked.elapsed();
    let removed = swept.remove().await?;
    tracing::debug!(
        removed,
        lock_held_ms = held.as_secs_f64() * 1e3,
        removing_ms = (locked.elapsed() - held).as_secs_f64() * 1e3,
        "a removed tenant's value files"
    );
    Ok(idempotency::respond(answer.0, answer.1))
}

/// Records a new tenant of `size` units if the stamp has room for it (409 when full):
/// provisioning and the first pull of a move both take a tenant in this way.
pub(crate) async fn insert_if_room(
    agent: &Agent,
    conn: &mut sqlx::SqliteConnection,
    id: &str,
    name: &str,
    size: u32,
) -> Result<(), Failure> {
    let used = store::used_units(conn).await?;
    let total = agent.identity.capacity_units;
    if u64::from(used) + u64::from(size) > u64::from(total) {
        return Err(Failure::conflict(format!(
            "stamp is full: {used} of {total} units used, {size} more asked"
        )));
    }
    store::insert_tenant(conn, id, name, size).await?;
    Ok(())
}
