//! The fleet's public keys (schema 9): a tenant token one of them signed
//! (`f.<kid>.<tenant>.<expires>.<signature>`, `stamp_protocol::fleet_token`) is that
//! tenant's on this stamp, as its stamp-local `t.` token is, so a client keeps its token
//! when the tenant moves. Only the stamp's own admin token gives or takes a key back: a
//! key lets its holder speak for every tenant.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use stamp_protocol::fleet_token::{decode_public_key, verify};
use stamp_protocol::{rules, FleetKey, FleetKeyList};

use crate::agent::{Agent, Shared};
use crate::callers::{AdminCaller, OwnerCaller};
use crate::error::Failure;
use crate::idempotency;
use crate::mutation::{mutate, MutationRequest};
use crate::request::{json_text, parse};

/// The fleet's public keys by id: 32 bytes each.
pub type FleetKeys = HashMap<String, Vec<u8>>;

/// The keys as the store has them (a row that does not decode is left out).
pub async fn load(pool: &sqlx::SqlitePool) -> Result<FleetKeys, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT kid, public_key FROM fleet_keys")
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kid, key)| Some((kid, decode_public_key(&key)?)))
        .collect())
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The tenant a fleet token names, when a kept key signed it and it has not expired.
pub fn identify(keys: &FleetKeys, token: &str) -> Option<String> {
    verify(token, |kid| keys.get(kid).cloned(), now_secs())
        .ok()
        .map(|claims| claims.tenant)
}

fn list(agent: &Agent) -> FleetKeyList {
    let mut keys: Vec<String> = agent.fleet_keys().keys().cloned().collect();
    keys.sort();
    FleetKeyList { keys }
}

async fn reload(agent: &Agent) -> Result<(), Failure> {
    let keys = load(&agent.pool).await?;
    *agent
        .fleet_keys
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = keys;
    Ok(())
}

pub(crate) async fn list_keys(_: AdminCaller, State(agent): Shared) -> Result<Response, Failure> {
    Ok(idempotency::respond(200, json_text(&list(&agent))?))
}

pub(crate) async fn put_key(
    _: OwnerCaller,
    State(agent): Shared,
    Path(kid): Path<String>,
    req: MutationRequest,
    body: Bytes,
) -> Result<Response, Failure> {
    rules::check_fleet_key_id(&kid).map_err(Failure::rule)?;
    let request: FleetKey = parse(&body)?;
    rules::check_fleet_public_key(&request.public_key).map_err(Failure::rule)?;
    let done = mutate(&agent, &req, &body, async move |conn| {
        sqlx::query(
            "INSERT INTO fleet_keys (kid, public_key) VALUES (?1, ?2) \
             ON CONFLICT (kid) DO UPDATE SET public_key = excluded.public_key",
        )
        .bind(&kid)
        .bind(&request.public_key)
        .execute(&mut *conn)
        .await?;
        Ok((200, String::new()))
    })
    .await;
    answer(&agent, done).await
}

pub(crate) async fn delete_key(
    _: OwnerCaller,
    State(agent): Shared,
    Path(kid): Path<String>,
    req: MutationRequest,
) -> Result<Response, Failure> {
    rules::check_fleet_key_id(&kid).map_err(Failure::rule)?;
    let done = mutate(&agent, &req, &[], async move |conn| {
        sqlx::query("DELETE FROM fleet_keys WHERE kid = ?1")
            .bind(&kid)
            .execute(&mut *conn)
            .await?;
        Ok((200, String::new()))
    })
    .await;
    answer(&agent, done).await
}

/// After a change (or its replay): the keys now, read from the store.
async fn answer(agent: &Agent, done: Result<(u16, String), Failure>) -> Result<Response, Failure> {
    let (status, _) = done?;
    reload(agent).await?;
    Ok(idempotency::respond(status, json_text(&list(agent))?))
}
