//! Operators enrolled by name: a team's operators each call the stamp with a token of
//! their own, `o.<name>.<secret>`, which acts as the admin's and names who called. Only
//! the token's SHA-256 is kept (store and memory); only the stamp's own admin token
//! enrolls or revokes one, so an operator cannot let others in.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use sha2::{Digest, Sha256};
use stamp_protocol::{rules, EnrollOperator, OperatorList};

use crate::agent::{Agent, Shared};
use crate::callers::{AdminCaller, OwnerCaller};
use crate::error::Failure;
use crate::idempotency;
use crate::mutation::{mutate, MutationRequest};
use crate::request::{json_text, parse};

/// Enrolled operators by name: their tokens' SHA-256, as hex.
pub type Enrolled = HashMap<String, String>;

/// The enrolled operators as the store has them.
pub async fn load(pool: &sqlx::SqlitePool) -> Result<Enrolled, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT name, token_sha256 FROM operators")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The operator an `o.<name>.<secret>` token names, when it is enrolled with this token.
pub fn identify(enrolled: &Enrolled, token: &str) -> Option<String> {
    let name = token.strip_prefix("o.")?.split_once('.')?.0;
    let kept = enrolled.get(name)?;
    let given = hex::encode(Sha256::digest(token.as_bytes()));
    crate::auth::constant_time_eq(given.as_bytes(), kept.as_bytes()).then(|| name.to_owned())
}

fn list(agent: &Agent) -> OperatorList {
    let mut operators: Vec<String> = agent.operators().keys().cloned().collect();
    operators.sort();
    OperatorList { operators }
}

/// Reads the store's operators into memory after a change.
async fn reload(agent: &Agent) -> Result<(), Failure> {
    let enrolled = load(&agent.pool).await?;
    *agent
        .operators
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = enrolled;
    Ok(())
}

pub(crate) async fn list_operators(
    _: AdminCaller,
    State(agent): Shared,
) -> Result<Response, Failure> {
    Ok(idempotency::respond(200, json_text(&list(&agent))?))
}

pub(crate) async fn enroll(
    _: OwnerCaller,
    State(agent): Shared,
    Path(name): Path<String>,
    req: MutationRequest,
    body: Bytes,
) -> Result<Response, Failure> {
    rules::check_operator_name(&name).map_err(Failure::rule)?;
    let request: EnrollOperator = parse(&body)?;
    rules::check_token_sha256(&request.token_sha256).map_err(Failure::rule)?;
    let done = mutate(&agent, &req, &body, async move |conn| {
        sqlx::query(
            "INSERT INTO operators (name, token_sha256) VALUES (?1, ?2) \
             ON CONFLICT (name) DO UPDATE SET token_sha256 = excluded.token_sha256",
        )
        .bind(&name)
        .bind(&request.token_sha256)
        .execute(&mut *conn)
        .await?;
        Ok((200, String::new()))
    })
    .await;
    answer(&agent, done).await
}

pub(crate) async fn revoke(
    _: OwnerCaller,
    State(agent): Shared,
    Path(name): Path<String>,
    req: MutationRequest,
) -> Result<Response, Failure> {
    rules::check_operator_name(&name).map_err(Failure::rule)?;
    let done = mutate(&agent, &req, &[], async move |conn| {
        sqlx::query("DELETE FROM operators WHERE name = ?1")
            .bind(&name)
            .execute(&mut *conn)
            .await?;
        Ok((200, String::new()))
    })
    .await;
    answer(&agent, done).await
}

/// After an enrollment change (or its replay): the operators now, read from the store.
async fn answer(agent: &Agent, done: Result<(u16, String), Failure>) -> Result<Response, Failure> {
    let (status, _) = done?;
    reload(agent).await?;
    Ok(idempotency::respond(status, json_text(&list(agent))?))
}
