//! A mutation runs under the writer lock with the caller's idempotency key: a replay
//! answers the stored response; a success is stored with the change, in one transaction.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, Uri};

use crate::agent::Agent;
use crate::auth::Caller;
use crate::callers::identify;
use crate::error::Failure;
use crate::idempotency::{self, Replies};

/// What a mutation's idempotency rests on, besides the body: the method and path (the
/// request's fingerprint) and the headers (the caller and its idempotency key).
pub(crate) struct MutationRequest {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
}

impl<S: Send + Sync> FromRequestParts<S> for MutationRequest {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
        })
    }
}

/// Runs a mutation under the writer lock with its idempotency key: a replay answers
/// the stored response; a success is stored with the change, in one transaction.
pub(crate) async fn mutate<F>(
    agent: &Agent,
    request: &MutationRequest,
    body: &[u8],
    work: F,
) -> Result<(u16, String), Failure>
where
    F: for<'c> AsyncFnOnce(&'c mut sqlx::SqliteConnection) -> Result<(u16, String), Failure>,
{
    mutate_with(agent, request, body, Replies::Whole, work).await
}

/// `mutate`, in the writer lock's fast lane: a move's cut-over step, which pauses a
/// tenant's writes until it is done (see `writer_lock`).
pub(crate) async fn mutate_first<F>(
    agent: &Agent,
    request: &MutationRequest,
    body: &[u8],
    work: F,
) -> Result<(u16, String), Failure>
where
    F: for<'c> AsyncFnOnce(&'c mut sqlx::SqliteConnection) -> Result<(u16, String), Failure>,
{
    mutate_in(agent, request, body, Replies::Whole, true, work).await
}

/// `mutate`, with the answer kept as `replies` says.
pub(crate) async fn mutate_with<F>(
    agent: &Agent,
    request: &MutationRequest,
    body: &[u8],
    replies: Replies,
    work: F,
) -> Result<(u16, String), Failure>
where
    F: for<'c> AsyncFnOnce(&'c mut sqlx::SqliteConnection) -> Result<(u16, String), Failure>,
{
    mutate_in(agent, request, body, replies, false, work).await
}

async fn mutate_in<F>(
    agent: &Agent,
    request: &MutationRequest,
    body: &[u8],
    replies: Replies,
    first: bool,
    work: F,
) -> Result<(u16, String), Failure>
where
    F: for<'c> AsyncFnOnce(&'c mut sqlx::SqliteConnection) -> Result<(u16, String), Failure>,
{
    // Keys are the caller's own: a tenant (or a transfer grant) using the key the
    // control plane will send gets its own entry, never the admin's.
    let MutationRequest {
        method,
        uri,
        headers,
    } = request;
    let scope = match identify(agent, headers) {
        Caller::Admin => "admin".to_owned(),
        Caller::Operator(name) => format!("operator:{name}"),
        Caller::Tenant(t) => format!("tenant:{t}"),
        Caller::Transfer(t) => format!("transfer:{t}"),
        Caller::Unknown => return Err(Failure::unauthorized()),
    };
    let key = format!("{scope} {}", idempotency::key(headers)?);
    let fingerprint = idempotency::fingerprint(method.as_str(), uri.path(), body);
    let writer = if first {
        agent.writer.lock_first().await
    } else {
        agent.writer.lock().await
    };
    let mut tx = agent.pool.begin().await?;
    if let Some((status, kept)) = idempotency::replay(&mut tx, &key, &fingerprint).await? {
        return Ok((status, idempotency::expand(&replies, kept)?));
    }
    let (status, text) = work(&mut tx).await?;
    let kept = idempotency::compact(&replies, &text)?;
    let keep = agent.log_limits.keys_per_caller;
    idempotency::record(&mut tx, &scope, &key, &fingerprint, (status, &kept), keep).await?;
    tx.commit().await?;
    drop(writer);
    crate::value_files::sweep_if_dropped(agent);
    Ok((status, text))
}
