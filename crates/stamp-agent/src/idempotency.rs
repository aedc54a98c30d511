//! Idempotency keys: the same key and body replays the first answer; the same key with
//! another body is 422. Successful answers are kept for IDEMPOTENCY_TTL_SECS.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;
use stamp_protocol::{IDEMPOTENCY_KEY, IDEMPOTENCY_TTL_SECS};

use crate::error::Failure;

pub fn key(headers: &HeaderMap) -> Result<String, Failure> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .ok_or_else(|| {
            Failure::invalid("the Idempotency-Key header is required on every mutating call")
        })?
        .to_str()
        .unwrap_or("\n");
    stamp_protocol::rules::check_idempotency_key(key).map_err(Failure::rule)?;
    Ok(key.to_owned())
}

pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The stored answer (status, body) for `key`, if any; 422 when the key was used for
/// another request.
pub async fn replay(
    conn: &mut SqliteConnection,
    key: &str,
    fingerprint: &str,
) -> Result<Option<(u16, String)>, Failure> {
    let row: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT fingerprint, status, body FROM idempotency WHERE key = ? AND created_at > ?",
    )
    .bind(key)
    .bind(now() - IDEMPOTENCY_TTL_SECS)
    .fetch_all(conn)
    .await?
    .into_iter()
    .next();
    let Some((stored, status, body)) = row else {
        return Ok(None);
    };
    if stored != fingerprint {
        return Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        ));
    }
    Ok(Some((u16::try_from(status).unwrap_or(500), body)))
}

/// Records an answer under `key` for `scope` (the caller). Expired keys go on every
/// record; a caller's keys beyond its newest `keep` every few hundred records (a client
/// retrying a request that many requests later gets it run again, not replayed).
pub async fn record(
    conn: &mut SqliteConnection,
    scope: &str,
    key: &str,
    fingerprint: &str,
    (status, body): (u16, &str),
    keep: i64,
) -> Result<(), Failure> {
    sqlx::query("DELETE FROM idempotency WHERE created_at <= ?")
        .bind(now() - IDEMPOTENCY_TTL_SECS)
        .execute(&mut *conn)
        .await?;
    let (row,): (i64,) = sqlx::query_as(
        "INSERT OR REPLACE INTO idempotency (key, fingerprint, status, body, created_at, scope) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING rowid",
    )
    .bind(key)
    .bind(fingerprint)
    .bind(i64::from(status))
    .bind(body)
    .bind(now())
    .bind(scope)
    .fetch_one(&mut *conn)
    .await?;
    if row % 256 == 0 {
        sqlx::query(
            "DELETE FROM idempotency WHERE scope = ?1 AND rowid <= \
             (SELECT rowid FROM idempotency WHERE scope = ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2)",
        )
        .bind(scope)
        .bind(keep)
        .execute(conn)
        .await?;
    }
    Ok(())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KvReply {
    key: String,
    seq: u64,
}

/// What is kept of an answer for replays.
pub fn compact(replies: &Replies, text: &str) -> Result<String, Failure> {
    match replies {
        Replies::Whole => Ok(text.to_owned()),
        Replies::KvEntry(_) => {
            let entry: stamp_protocol::KvEntry = serde_json::from_str(text)
                .map_err(|e| Failure::internal(format!("kept answer: {e}")))?;
            serde_json::to_string(&KvReply {
                key: entry.key,
                seq: entry.seq,
            })
            .map_err(|e| Failure::internal(format!("kept answer: {e}")))
        }
    }
}

/// The answer a replay sends, from what was kept.
pub fn expand(replies: &Replies, kept: String) -> Result<String, Failure> {
    match replies {
        Replies::Whole => Ok(kept),
        Replies::KvEntry(value) => {
            let reply: KvReply = serde_json::from_str(&kept)
                .map_err(|e| Failure::internal(format!("kept answer: {e}")))?;
            serde_json::to_string(&stamp_protocol::KvEntry {
                key: reply.key,
                value: value.clone(),
                seq: reply.seq,
            })
            .map_err(|e| Failure::internal(format!("kept answer: {e}")))
        }
    }
}

pub fn respond(status: u16, body: String) -> Response {
    let mut response = Response::new(Body::from(body.clone()));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if !body.is_empty() {
        response.headers_mut().insert(
            "content-type",
            axum::http::HeaderValue::from_static("application/json"),
        );
    }
    response
}

/// How a mutation's answer is kept for replays.
pub(crate) enum Replies {
    /// As it was sent.
    Whole,
    /// A key/value answer, kept without the value (this one, from the request).
    KvEntry(String),
}
