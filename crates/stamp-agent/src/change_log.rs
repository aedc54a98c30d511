//! The change log's bounds: how long entries are kept and how many, trimmed in a
//! tenant's write transaction every few hundred writes, and the pin a move's transfer
//! grant puts on it (a move's catch-up reads the log; it is kept while the grant lasts).

use sqlx::SqliteConnection;

/// How long the change log is kept, and its length cap.
#[derive(Debug, Clone, Copy)]
pub struct LogLimits {
    /// Entries older than this go (a cheap move back within it needs them).
    pub retention_secs: i64,
    /// Entries beyond the newest `max(min_entries, 4 × keys)` go too: past that a
    /// snapshot is cheaper to copy than the log.
    pub min_entries: i64,
    /// Idempotency keys kept per caller (the newest, within their 48 h).
    pub keys_per_caller: i64,
}

impl Default for LogLimits {
    fn default() -> Self {
        Self {
            retention_secs: 24 * 3600,
            min_entries: 10_000,
            keys_per_caller: 10_000,
        }
    }
}

/// Every this many writes of a tenant, its log is trimmed (in the write's transaction).
pub const TRIM_EVERY: i64 = 256;

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Drops the log entries no one can need any more (see `LogLimits`), keeping what a
/// move in progress pinned, and moves `log_start` up to match. Returns whether an entry
/// dropped named a value file (the file may be named by no row now).
pub async fn trim(
    conn: &mut SqliteConnection,
    tenant: &str,
    limits: LogLimits,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let (seq, start, pinned_from, pinned_until): (i64, i64, Option<i64>, i64) = sqlx::query_as(
        "SELECT change_seq, log_start, log_pinned_from, log_pinned_until FROM tenants WHERE id = ?",
    )
    .bind(tenant)
    .fetch_one(&mut *conn)
    .await?;
    let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM kv WHERE tenant = ?")
        .bind(tenant)
        .fetch_one(&mut *conn)
        .await?;
    let (first_recent,): (Option<i64>,) =
        sqlx::query_as("SELECT MIN(seq) FROM changes WHERE tenant = ? AND at > ?")
            .bind(tenant)
            .bind(now - limits.retention_secs)
            .fetch_one(&mut *conn)
            .await?;
    let by_age = first_recent.map_or(seq, |s| s - 1);
    let by_length = seq - limits.min_entries.max(4 * keys);
    let mut cut = by_age.max(by_length);
    if let (Some(from), true) = (pinned_from, pinned_until > now) {
        cut = cut.min(from);
    }
    if cut <= start {
        return Ok(false);
    }
    let (files,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM changes WHERE tenant = ? AND seq <= ? AND value_file IS NOT NULL",
    )
    .bind(tenant)
    .bind(cut)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM changes WHERE tenant = ? AND seq <= ?")
        .bind(tenant)
        .bind(cut)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE tenants SET log_start = ? WHERE id = ?")
        .bind(cut)
        .bind(tenant)
        .execute(&mut *conn)
        .await?;
    Ok(files > 0)
}

/// A move is about to read the tenant: keep its log from now until `until`.
pub async fn pin_log(
    conn: &mut SqliteConnection,
    tenant: &str,
    until: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tenants SET log_pinned_from = change_seq, log_pinned_until = ? WHERE id = ?",
    )
    .bind(until)
    .bind(tenant)
    .execute(conn)
    .await?;
    Ok(())
}
