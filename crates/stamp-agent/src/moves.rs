//! The move protocol, both ends. On the source: transfer tokens, export pages, the
//! change log, freeze/unfreeze, fence. On the target: sync (pull from the source until
//! caught up), activate. On both: a checksum to compare.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use stamp_client::{ClientError, ClientOptions, StampClient};
use stamp_protocol::{
    ChangePage, ExportPage, Fence, ImportProgress, ImportSync, TenantChecksum, TenantState,
    TransferGrant,
};

use crate::auth::Caller;
use crate::error::Failure;
use crate::idempotency;
use crate::routes::{caller, json_text, mutate, parse, require_admin, tenant_id, Agent};
use crate::store::{self, MoveState};

type Shared = State<Arc<Agent>>;

/// Entries per export page, and about this many bytes at most.
const PAGE_ENTRIES: u32 = 2000;
const PAGE_BYTES: usize = 7 * 1024 * 1024;
/// One sync call pulls for about this long, then reports.
const SYNC_BUDGET: Duration = Duration::from_secs(2);

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/tenants/{id}/transfer", get(transfer))
        .route("/v1/tenants/{id}/export", get(export))
        .route("/v1/tenants/{id}/changes", get(changes))
        .route("/v1/tenants/{id}/checksum", get(checksum))
        .route("/v1/tenants/{id}/import/sync", post(sync))
        .route("/v1/tenants/{id}/freeze", post(freeze))
        .route("/v1/tenants/{id}/unfreeze", post(unfreeze))
        .route("/v1/tenants/{id}/activate", post(activate))
        .route("/v1/tenants/{id}/fence", post(fence))
}

/// The admin, or a stamp holding a transfer token for this tenant.
fn require_reader(agent: &Agent, headers: &HeaderMap, tenant: &str) -> Result<(), Failure> {
    match caller(agent, headers) {
        Caller::Admin => Ok(()),
        Caller::Transfer(t) if t == tenant => Ok(()),
        Caller::Transfer(_) | Caller::Tenant(_) => Err(Failure::forbidden(
            "this call needs the admin token or a transfer token for this tenant",
        )),
        Caller::Unknown => Err(Failure::unauthorized()),
    }
}

async fn state_of(agent: &Agent, id: &str) -> Result<MoveState, Failure> {
    let mut conn = agent.pool.acquire().await?;
    store::move_state(&mut conn, id)
        .await?
        .ok_or_else(|| Failure::not_found(format!("tenant {id} is not on this stamp")))
}

async fn transfer(
    State(agent): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<TransferGrant>, Failure> {
    require_admin(&agent, &headers)?;
    let id = tenant_id(&id)?;
    state_of(&agent, &id).await?;
    let (token, expires_at) = agent.tokens.transfer_token(&id);
    Ok(Json(TransferGrant { token, expires_at }))
}

#[derive(serde::Deserialize)]
struct ExportQuery {
    #[serde(default)]
    after: String,
}

async fn export(
    State(agent): Shared,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Json<ExportPage>, Failure> {
    let id = tenant_id(&id)?;
    require_reader(&agent, &headers, &id)?;
    // One read transaction: the page and the sequence it was read at agree.
    let mut tx = agent.pool.begin().await?;
    let m = store::move_state(&mut tx, &id)
        .await?
        .ok_or_else(|| Failure::not_found(format!("tenant {id} is not on this stamp")))?;
    let (entries, more) =
        store::export_page(&mut tx, &id, &q.after, PAGE_ENTRIES, PAGE_BYTES).await?;
    tx.commit().await?;
    let next_after = more
        .then(|| entries.last().map(|e| e.key.clone()))
        .flatten();
    Ok(Json(ExportPage {
        seq: u64::try_from(m.change_seq).unwrap_or(0),
        entries,
        next_after,
    }))
}

#[derive(serde::Deserialize)]
struct ChangesQuery {
    after: u64,
}

async fn changes(
    State(agent): Shared,
    Path(id): Path<String>,
    Query(q): Query<ChangesQuery>,
    headers: HeaderMap,
) -> Result<Json<ChangePage>, Failure> {
    let id = tenant_id(&id)?;
    require_reader(&agent, &headers, &id)?;
    let mut tx = agent.pool.begin().await?;
    let m = store::move_state(&mut tx, &id)
        .await?
        .ok_or_else(|| Failure::not_found(format!("tenant {id} is not on this stamp")))?;
    if q.after < u64::try_from(m.log_start).unwrap_or(0) {
        return Err(Failure::new(
            StatusCode::GONE,
            "gone",
            format!(
                "the change log of {id} starts after {}; take a snapshot",
                m.log_start
            ),
        ));
    }
    let changes = store::changes_after(&mut tx, &id, q.after, PAGE_ENTRIES).await?;
    tx.commit().await?;
    Ok(Json(ChangePage {
        changes,
        last_seq: u64::try_from(m.change_seq).unwrap_or(0),
        frozen: m.state != TenantState::Active.as_str(),
    }))
}

#[derive(serde::Deserialize)]
struct ChecksumQuery {
    /// Recompute from every row instead of answering the kept digest.
    #[serde(default)]
    full: bool,
}

async fn checksum(
    State(agent): Shared,
    Path(id): Path<String>,
    Query(q): Query<ChecksumQuery>,
    headers: HeaderMap,
) -> Result<Json<TenantChecksum>, Failure> {
    require_admin(&agent, &headers)?;
    let id = tenant_id(&id)?;
    let mut tx = agent.pool.begin().await?;
    let m = store::move_state(&mut tx, &id)
        .await?
        .ok_or_else(|| Failure::not_found(format!("tenant {id} is not on this stamp")))?;
    let (keys, digest) = if q.full {
        let (d, n) = crate::digest::compute(&mut tx, &id).await?;
        (u64::try_from(n).unwrap_or(0), crate::digest::to_hex(&d))
    } else {
        store::checksum(&mut tx, &id).await?
    };
    tx.commit().await?;
    Ok(Json(TenantChecksum {
        keys,
        seq: u64::try_from(m.change_seq).unwrap_or(0),
        digest,
        state: TenantState::parse(&m.state).unwrap_or(TenantState::Active),
    }))
}

/// A state change under the writer lock with its idempotency key: `allowed` maps the
/// current state to the new one (or refuses).
async fn transition(
    agent: &Agent,
    id: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    allowed: impl FnOnce(&MoveState) -> Result<(TenantState, Option<String>), Failure>,
) -> Result<Response, Failure> {
    require_admin(agent, headers)?;
    let id = tenant_id(id)?;
    mutate(agent, method, uri, headers, body, async move |conn| {
        let m = store::move_state(conn, &id)
            .await?
            .ok_or_else(|| Failure::not_found(format!("tenant {id} is not on this stamp")))?;
        let (state, moved_to) = allowed(&m)?;
        store::set_state(conn, &id, state, moved_to.as_deref()).await?;
        let tenant = store::tenant(conn, &id)
            .await?
            .ok_or_else(|| Failure::not_found(format!("tenant {id}")))?;
        Ok((200, json_text(&tenant)?))
    })
    .await
    .map(|(status, text)| idempotency::respond(status, text))
}

fn refuse(id: &str, m: &MoveState, what: &str) -> Failure {
    Failure::conflict(format!("cannot {what} tenant {id}: it is {} here", m.state))
}

async fn freeze(
    State(agent): Shared,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let who = id.clone();
    transition(&agent, &id, &method, &uri, &headers, &[], |m| {
        match m.state.as_str() {
            "active" | "frozen" => Ok((TenantState::Frozen, None)),
            _ => Err(refuse(&who, m, "freeze")),
        }
    })
    .await
}

async fn unfreeze(
    State(agent): Shared,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let who = id.clone();
    transition(&agent, &id, &method, &uri, &headers, &[], |m| {
        match m.state.as_str() {
            "active" | "frozen" => Ok((TenantState::Active, None)),
            _ => Err(refuse(&who, m, "unfreeze")),
        }
    })
    .await
}

async fn activate(
    State(agent): Shared,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let who = id.clone();
    transition(&agent, &id, &method, &uri, &headers, &[], |m| {
        match m.state.as_str() {
            "active" => Ok((TenantState::Active, None)),
            "importing" if m.snapshot_done == 1 => Ok((TenantState::Active, None)),
            _ => Err(refuse(&who, m, "activate")),
        }
    })
    .await
}

async fn fence(
    State(agent): Shared,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let request: Fence = parse(&body)?;
    if !(request.moved_to.starts_with("http://") || request.moved_to.starts_with("https://")) {
        return Err(Failure::invalid(
            "movedTo must be an http:// or https:// URL",
        ));
    }
    let who = id.clone();
    transition(
        &agent,
        &id,
        &method,
        &uri,
        &headers,
        &body,
        move |m| match m.state.as_str() {
            "frozen" => Ok((TenantState::Fenced, Some(request.moved_to))),
            "fenced" if m.moved_to.as_deref() == Some(request.moved_to.as_str()) => {
                Ok((TenantState::Fenced, Some(request.moved_to)))
            }
            _ => Err(refuse(&who, m, "fence (freeze it first)")),
        },
    )
    .await
}

/// Pulls the tenant from its source for about [`SYNC_BUDGET`]: the snapshot first (page
/// by page, resumable), then the change log, until caught up. Safe to repeat.
async fn sync(
    State(agent): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    require_admin(&agent, &headers)?;
    idempotency::key(&headers)?;
    let id = tenant_id(&id)?;
    let request: ImportSync = parse(&body)?;
    let source = StampClient::new(
        &request.source,
        request.transfer_token.clone(),
        ClientOptions {
            attempts: 2,
            ..ClientOptions::default()
        },
    )
    .map_err(|e| Failure::invalid(e.to_string()))?;
    begin_import(&agent, &id, &request).await?;
    let started = Instant::now();
    let mut progress = ImportProgress {
        snapshot_done: false,
        applied_seq: 0,
        source_seq: 0,
        copied_keys: 0,
        copied_bytes: 0,
        source_frozen: false,
        tenant_token: agent.tokens.tenant_token(&id),
    };
    // The next snapshot page is fetched while this one is written (source and target
    // work overlap); one left over when the budget runs out is dropped.
    let mut prefetch: Option<tokio::task::JoinHandle<Result<ExportPage, ClientError>>> = None;
    let fetch = |after: String| {
        let (source, id) = (source.clone(), id.clone());
        tokio::spawn(async move { source.export_page(&id, &after).await })
    };
    let result = loop {
        let m = state_of(&agent, &id).await?;
        progress.applied_seq = u64::try_from(m.change_seq).unwrap_or(0);
        progress.snapshot_done = m.snapshot_done == 1;
        if m.snapshot_done == 0 {
            let after = m.import_cursor.clone().unwrap_or_default();
            let page = match prefetch.take() {
                Some(handle) => handle.await.map_err(|e| {
                    Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
                })?,
                None => source.export_page(&id, &after).await,
            };
            let page = page.map_err(upstream)?;
            if let Some(next) = page.next_after.clone() {
                prefetch = Some(fetch(next));
            }
            if let Err(e) = copy_page(&agent, &id, &m, page, &mut progress).await {
                break Err(e);
            }
        } else {
            let page = match source.changes(&id, progress.applied_seq).await {
                Err(ClientError::Rejected { status: 410, .. }) => {
                    restart_snapshot(&agent, &id).await?;
                    continue;
                }
                other => other.map_err(upstream)?,
            };
            progress.source_seq = page.last_seq;
            progress.source_frozen = page.frozen;
            if !page.changes.is_empty() {
                let _writer = agent.writer.lock().await;
                let mut tx = agent.pool.begin().await?;
                progress.applied_seq =
                    store::apply_changes(&mut tx, &id, progress.applied_seq, &page.changes).await?;
                tx.commit().await?;
                progress.copied_keys += page.changes.len() as u64;
                progress.copied_bytes += page
                    .changes
                    .iter()
                    .map(|c| (c.key.len() + c.value.as_ref().map_or(0, String::len)) as u64)
                    .sum::<u64>();
            }
            if progress.applied_seq >= page.last_seq {
                break Ok(());
            }
        }
        if started.elapsed() > SYNC_BUDGET {
            break Ok(());
        }
    };
    if let Some(handle) = prefetch {
        handle.abort();
    }
    result.map(|()| Json(progress).into_response())
}

fn upstream(e: ClientError) -> Failure {
    Failure::new(
        StatusCode::BAD_GATEWAY,
        "source_failed",
        format!("pulling from the source: {e}"),
    )
}

/// Creates the tenant here as `importing`, or takes a fenced copy back into import (a
/// move back then only needs the changes since it left).
async fn begin_import(agent: &Agent, id: &str, request: &ImportSync) -> Result<(), Failure> {
    let _writer = agent.writer.lock().await;
    let mut tx = agent.pool.begin().await?;
    match store::move_state(&mut tx, id).await? {
        Some(m) if m.state == "importing" => return Ok(()),
        Some(m) if m.state == "fenced" => {
            store::set_state(&mut tx, id, TenantState::Importing, None).await?;
        }
        Some(m) => {
            return Err(Failure::conflict(format!(
                "tenant {id} is {} here: it cannot be imported",
                m.state
            )))
        }
        None => {
            if request.size_units == 0 {
                return Err(Failure::invalid("sizeUnits must be greater than 0"));
            }
            let used = store::used_units(&mut tx).await?;
            let total = agent.identity.capacity_units;
            if u64::from(used) + u64::from(request.size_units) > u64::from(total) {
                return Err(Failure::conflict(format!(
                    "stamp is full: {used} of {total} units used, {} more asked",
                    request.size_units
                )));
            }
            store::insert_tenant(&mut tx, id, &request.display_name, request.size_units).await?;
            sqlx::query(
                "UPDATE tenants SET state = 'importing', snapshot_done = 0, import_seq = NULL, \
                 import_cursor = NULL WHERE id = ?",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The source's log no longer reaches back to this copy: start over from a snapshot.
async fn restart_snapshot(agent: &Agent, id: &str) -> Result<(), Failure> {
    let _writer = agent.writer.lock().await;
    let mut tx = agent.pool.begin().await?;
    for sql in [
        "DELETE FROM kv WHERE tenant = ?",
        "DELETE FROM changes WHERE tenant = ?",
        "UPDATE tenants SET snapshot_done = 0, import_seq = NULL, import_cursor = NULL, change_seq = 0, \
         digest = '00000000000000000000000000000000', key_count = 0 WHERE id = ?",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Copies one snapshot page (the one after the cursor) and moves the cursor, in one
/// transaction.
async fn copy_page(
    agent: &Agent,
    id: &str,
    m: &MoveState,
    page: ExportPage,
    progress: &mut ImportProgress,
) -> Result<(), Failure> {
    // The log is replayed from the sequence the snapshot began at.
    let start = m
        .import_seq
        .unwrap_or_else(|| i64::try_from(page.seq).unwrap_or(i64::MAX));
    let _writer = agent.writer.lock().await;
    let mut tx = agent.pool.begin().await?;
    store::apply_entries(&mut tx, id, &page.entries).await?;
    let done = page.next_after.is_none();
    sqlx::query(
        "UPDATE tenants SET import_seq = ?, import_cursor = ?, snapshot_done = ?, \
         change_seq = CASE WHEN ? THEN ? ELSE change_seq END, \
         log_start = CASE WHEN ? THEN ? ELSE log_start END WHERE id = ?",
    )
    .bind(start)
    .bind(page.next_after.as_deref().unwrap_or(""))
    .bind(i64::from(done))
    .bind(done)
    .bind(start)
    .bind(done)
    .bind(start)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    progress.copied_keys += page.entries.len() as u64;
    progress.copied_bytes += page
        .entries
        .iter()
        .map(|e| (e.key.len() + e.value.len()) as u64)
        .sum::<u64>();
    progress.snapshot_done = done;
    Ok(())
}
