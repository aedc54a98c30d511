//! A mutation runs under the writer lock with the caller's idempotency key: a replay
//! answers the stored response; a success is stored with the change, in one transaction.

use axum::http::{HeaderMap, Method, Uri};

use crate::agent::Agent;
use crate::auth::Caller;
use crate::callers::identify;
use crate::error::Failure;
use crate::idempotency::{self, Replies};

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
    let scope = match identify(agent, headers) {
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
