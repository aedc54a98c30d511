//! The move protocol's steps on a stamp. On the source: transfer tokens, export pages,
//! the change log, freeze/unfreeze, fence. On the target: activate (the pull itself is
//! `import.rs`). On both: a checksum to compare.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use stamp_protocol::{
    ChangePage, ExportPage, Fence, TenantChecksum, TenantState, TransferGrant, EXPORT_PAGE_BINARY,
};

use crate::agent::{Agent, Shared};
use crate::callers::{AdminCaller, ReaderCaller};
use crate::error::Failure;
use crate::idempotency;
use crate::mutation::{mutate_first, MutationRequest};
use crate::request::{json_text, parse, parse_optional, tenant_id};
use crate::store::{self, MoveState};
use stamp_protocol::{rules, FreezeLease, DEFAULT_FREEZE_LEASE_SECS};

/// Entries per export page, and about this many bytes at most (unless the caller asks
/// with `pageBytes`).
const PAGE_ENTRIES: u32 = 2000;
const PAGE_BYTES: usize = 7 * 1024 * 1024;

pub(crate) async fn state_of(agent: &Agent, id: &str) -> Result<MoveState, Failure> {
    let mut conn = agent.pool.acquire().await?;
    state_on(&mut conn, id).await
}

/// The tenant's move state on `conn` (e.g. inside a transaction); 404 when not here.
async fn state_on(conn: &mut sqlx::SqliteConnection, id: &str) -> Result<MoveState, Failure> {
    store::move_state(conn, id)
        .await?
        .ok_or_else(|| Failure::not_found(format!("tenant {id} is not on this stamp")))
}

pub(crate) async fn transfer(
    _: AdminCaller,
    State(agent): Shared,
    Path(id): Path<String>,
) -> Result<Json<TransferGrant>, Failure> {
    let id = tenant_id(&id)?;
    state_of(&agent, &id).await?;
    let (token, expires_at) = agent.tokens.transfer_token(&id);
    // The log is kept from here while the grant lasts: the move's catch-up reads it.
    {
        // The fast lane: the cut-over asks for a grant to activate the target.
        let _writer = agent.writer.lock_first().await;
        let mut conn = agent.pool.acquire().await?;
        store::pin_log(
            &mut conn,
            &id,
            i64::try_from(expires_at).unwrap_or(i64::MAX),
        )
        .await?;
    }
    Ok(Json(TransferGrant { token, expires_at }))
}

#[derive(serde::Deserialize)]
pub(crate) struct ExportQuery {
    #[serde(default)]
    after: String,
    /// Pages to pass over first: a target asks for pages ahead of the one it writes.
    #[serde(default)]
    skip: u32,
    /// The page's budget of key and value bytes, when not [`PAGE_BYTES`].
    #[serde(default, rename = "pageBytes")]
    page_bytes: Option<u32>,
}

pub(crate) async fn export(
    _: ReaderCaller,
    State(agent): Shared,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let id = tenant_id(&id)?;
    rules::check_skip(q.skip).map_err(Failure::rule)?;
    if let Some(n) = q.page_bytes {
        rules::check_page_bytes(n).map_err(Failure::rule)?;
    }
    let page_bytes = q.page_bytes.map_or(PAGE_BYTES, |n| n as usize);
    // One read transaction: the page and the sequence it was read at agree; the files
    // it names are read before the sweep may run again.
    let reading = agent.values.reading().await;
    let mut tx = agent.pool.begin().await?;
    let m = state_on(&mut tx, &id).await?;
    let (rows, more, after) =
        store::export_page(&mut tx, &id, (&q.after, q.skip), (PAGE_ENTRIES, page_bytes)).await?;
    tx.commit().await?;
    let seq = u64::try_from(m.change_seq).unwrap_or(0);
    let next_after = more.then(|| rows.last().map(|r| r.key.clone())).flatten();
    let after = (q.skip > 0).then_some(after);
    // The binary form for a client that asks for it (a target stamp); JSON otherwise.
    let binary = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(EXPORT_PAGE_BINARY));
    if binary {
        let body = store::encode_page(&agent.values, (seq, next_after, after), rows).await?;
        drop(reading);
        return Ok((
            [(axum::http::header::CONTENT_TYPE, EXPORT_PAGE_BINARY)],
            body,
        )
            .into_response());
    }
    let entries = store::page_entries(&agent.values, rows).await?;
    drop(reading);
    Ok(Json(ExportPage {
        seq,
        entries,
        next_after,
        after,
    })
    .into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct ChangesQuery {
    after: u64,
}

pub(crate) async fn changes(
    _: ReaderCaller,
    State(agent): Shared,
    Path(id): Path<String>,
    Query(q): Query<ChangesQuery>,
) -> Result<Json<ChangePage>, Failure> {
    let id = tenant_id(&id)?;
    rules::check_seq(q.after).map_err(Failure::rule)?;
    let _reading = agent.values.reading().await;
    let mut tx = agent.pool.begin().await?;
    let m = state_on(&mut tx, &id).await?;
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
    let changes = store::changes_after(
        &mut tx,
        &agent.values,
        &id,
        q.after,
        PAGE_ENTRIES,
        PAGE_BYTES,
    )
    .await?;
    tx.commit().await?;
    let state = m.effective_state();
    Ok(Json(ChangePage {
        changes,
        last_seq: u64::try_from(m.change_seq).unwrap_or(0),
        frozen: state != TenantState::Active.as_str(),
        state: TenantState::parse(state),
    }))
}

#[derive(serde::Deserialize)]
pub(crate) struct ChecksumQuery {
    /// Recompute from every row instead of answering the kept digest.
    #[serde(default)]
    full: bool,
}

pub(crate) async fn checksum(
    _: AdminCaller,
    State(agent): Shared,
    Path(id): Path<String>,
    Query(q): Query<ChecksumQuery>,
) -> Result<Json<TenantChecksum>, Failure> {
    let id = tenant_id(&id)?;
    let _reading = agent.values.reading().await;
    let mut tx = agent.pool.begin().await?;
    let m = state_on(&mut tx, &id).await?;
    let (keys, digest) = if q.full {
        let (d, n) = crate::digest::compute(&mut tx, &agent.values, &id).await?;
        (u64::try_from(n).unwrap_or(0), crate::digest::to_hex(&d))
    } else {
        store::checksum(&mut tx, &agent.values, &id).await?
    };
    tx.commit().await?;
    Ok(Json(TenantChecksum {
        keys,
        seq: u64::try_from(m.change_seq).unwrap_or(0),
        digest,
        state: TenantState::parse(&m.state).ok_or_else(|| {
            Failure::internal(format!(
                "tenant {id} has an unknown state {:?} in the store",
                m.state
            ))
        })?,
    }))
}

/// A state change under the writer lock with its idempotency key (with a freeze's lease,
/// when `lease_secs` > 0, in the same transaction): `allowed` maps the
/// current state to the new one (or refuses).
async fn transition(
    agent: &Agent,
    id: &str,
    req: &MutationRequest,
    body: &[u8],
    lease_secs: u32,
    allowed: impl FnOnce(&MoveState) -> Result<(TenantState, Option<String>), Failure>,
) -> Result<Response, Failure> {
    let id = tenant_id(id)?;
    // The fast lane: a move's freeze, fence and activation pause the tenant's writes
    // until done, and its unfreeze ends a pause; an operator's suspend or resume is rare.
    mutate_first(agent, req, body, async move |conn| {
        let m = state_on(conn, &id).await?;
        let (state, moved_to) = allowed(&m)?;
        store::set_state(conn, &id, state, moved_to.as_deref()).await?;
        if lease_secs > 0 {
            store::lease_freeze(conn, &id, lease_secs).await?;
        }
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

/// `freeze` (a lease, renewed by freezing again under a new idempotency key: a replay
/// answers what the first one did, lease and all), `unfreeze` (source) and `activate`
/// (target, with proof that the source fenced the tenant): state changes, each
/// repeatable. A fenced tenant is never unfrozen. `suspend` and `resume`: the
/// operator's, of an active tenant (a suspended one refuses its own traffic).
pub(crate) async fn state_step(
    _: AdminCaller,
    State(agent): Shared,
    Path((id, step)): Path<(String, String)>,
    req: MutationRequest,
    body: Bytes,
) -> Result<Response, Failure> {
    let next = match step.as_str() {
        "freeze" => TenantState::Frozen,
        "suspend" => TenantState::Suspended,
        "unfreeze" | "activate" | "resume" => TenantState::Active,
        _ => return Err(Failure::not_found("no such endpoint")),
    };
    let lease = match step.as_str() {
        "freeze" => match parse_optional::<FreezeLease>(&body)? {
            None => DEFAULT_FREEZE_LEASE_SECS,
            Some(lease) if (1..=600).contains(&lease.lease_secs) => lease.lease_secs,
            Some(_) => return Err(Failure::invalid("leaseSecs must be 1 to 600")),
        },
        _ => 0,
    };
    if step == "activate" {
        crate::activation::check_proof(&agent, &id, &body).await?;
    }
    let who = id.clone();
    transition(&agent, &id, &req, &body, lease, move |m| {
        let allowed = match (step.as_str(), m.state.as_str()) {
            // A fence is never undone: once fenced, a move only goes forward.
            ("freeze" | "unfreeze", "active" | "frozen") | ("activate", "active") => true,
            // Suspension is the operator's: of a tenant at home and not moving.
            ("suspend", "active" | "suspended") | ("resume", "suspended" | "active") => true,
            ("activate", "importing") => m.snapshot_done == 1,
            _ => false,
        };
        if allowed {
            Ok((next, None))
        } else {
            Err(refuse(&who, m, &step))
        }
    })
    .await
}

pub(crate) async fn fence(
    _: AdminCaller,
    State(agent): Shared,
    Path(id): Path<String>,
    req: MutationRequest,
    body: Bytes,
) -> Result<Response, Failure> {
    // Who asks first: a caller without the admin token learns nothing about the body.
    let request: Fence = parse(&body)?;
    rules::check_stamp_url("movedTo", &request.moved_to).map_err(Failure::rule)?;
    let who = id.clone();
    transition(&agent, &id, &req, &body, 0, move |m| {
        match m.state.as_str() {
            "frozen" if m.frozen_now() => Ok((TenantState::Fenced, Some(request.moved_to))),
            "frozen" => Err(Failure::conflict(format!(
                "cannot fence tenant {who}: its freeze lease ran out (it may have taken writes since)"
            ))),
            "fenced" if m.moved_to.as_deref() == Some(request.moved_to.as_str()) => {
                Ok((TenantState::Fenced, Some(request.moved_to)))
            }
            _ => Err(refuse(&who, m, "fence (freeze it first)")),
        }
    })
    .await
}
