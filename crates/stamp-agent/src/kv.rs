//! A tenant's own traffic: its key/value data, served while it lives here (a move's
//! freeze pauses writes; a fenced tenant redirects to its new home).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sqlx::SqlitePool;
use stamp_protocol::KvPut;

use crate::agent::Shared;
use crate::callers::TenantCaller;
use crate::error::Failure;
use crate::idempotency::{self, Replies};
use crate::mutation::{mutate, mutate_with, MutationRequest};
use crate::request::{json_text, kv_key, parse};
use crate::store;
use crate::value_files::Sync;

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
        ("suspended", _) => Err(Failure::new(
            axum::http::StatusCode::FORBIDDEN,
            "suspended",
            format!("tenant {id} is suspended by its operator"),
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

pub(crate) async fn kv_get(
    _: TenantCaller,
    State(agent): Shared,
    Path((id, key)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, Failure> {
    serving(&agent.pool, &id, &uri, false).await?;
    match store::kv_get(&agent.pool, &agent.values, &id, kv_key(&key)?).await? {
        Some(entry) => Ok(Json(entry).into_response()),
        None => Err(Failure::not_found(format!(
            "no key {key:?} for tenant {id}"
        ))),
    }
}

pub(crate) async fn kv_put(
    _: TenantCaller,
    State(agent): Shared,
    Path((id, key)): Path<(String, String)>,
    req: MutationRequest,
    body: Bytes,
) -> Result<Response, Failure> {
    let key = kv_key(&key)?.to_owned();
    let put: KvPut = parse(&body)?;
    let path = req.uri.clone();
    let limits = agent.log_limits;
    // The reply repeats the value: it is stored without it and rebuilt on a replay
    // from the request (the same key and body, so the same value).
    let replies = Replies::KvEntry(put.value.clone());
    // A large value's file is written and synced first, outside the writer lock; it is
    // held until the row naming it has committed.
    let (mut rows, hold) = agent
        .values
        .put_all(
            vec![(key, put.value)],
            |(k, v)| Some((k.as_str(), v.as_str().into())),
            None,
            Sync::Now,
        )
        .await?;
    let (key, value) = rows.pop().unwrap_or_default();
    let file = hold.refs.first().cloned().flatten();
    let wrote_file = file.is_some();
    let files = agent.values.clone();
    let answer = mutate_with(&agent, &req, &body, replies, async move |conn| {
        serving_on(conn, &id, &path, true).await?;
        let seq = store::kv_change(
            conn,
            &files,
            &id,
            &key,
            Some(&value),
            file.as_deref(),
            limits,
        )
        .await?;
        Ok((
            200,
            json_text(&stamp_protocol::KvEntry { key, value, seq })?,
        ))
    })
    .await;
    // The row naming the file has committed (or never will): the sweep may judge it.
    drop(hold);
    if answer.is_err() && wrote_file {
        agent.values.note_dropped();
        crate::value_files::sweep_if_dropped(&agent);
    }
    answer.map(|(status, text)| idempotency::respond(status, text))
}

pub(crate) async fn kv_delete(
    _: TenantCaller,
    State(agent): Shared,
    Path((id, key)): Path<(String, String)>,
    req: MutationRequest,
) -> Result<Response, Failure> {
    let key = kv_key(&key)?.to_owned();
    let path = req.uri.clone();
    let limits = agent.log_limits;
    let files = agent.values.clone();
    mutate(&agent, &req, &[], async move |conn| {
        serving_on(conn, &id, &path, true).await?;
        if store::kv_get_conn(conn, &files, &id, &key).await?.is_none() {
            return Err(Failure::not_found(format!(
                "no key {key:?} for tenant {id}"
            )));
        }
        store::kv_change(conn, &files, &id, &key, None, None, limits).await?;
        Ok((204, String::new()))
    })
    .await
    .map(|(status, text)| idempotency::respond(status, text))
}
