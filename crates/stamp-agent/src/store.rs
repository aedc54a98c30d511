//! The stamp's own SQLite file: tenants, their key/value stores, the change log.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use stamp_protocol::{KvEntry, TenantOnStamp, TenantState};

pub use crate::change_log::{now_secs, pin_log, LogLimits, TRIM_EVERY};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Makes `dir` a 0700 directory and its stamp file 0600 (created empty if missing), so
/// the tenants' data is the owner's alone whatever the umask; SQLite gives the WAL and
/// shared-memory files the database file's mode. Files an older agent left wider are
/// narrowed.
pub fn private_data_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io(dir, e))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| io(dir, e))?;
    let db = dir.join("stamp.sqlite");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&db)
        .map_err(|e| io(&db, e))?;
    for name in [
        "stamp.sqlite",
        "stamp.sqlite-wal",
        "stamp.sqlite-shm",
        "agent.pid",
    ] {
        let path = dir.join(name);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| io(&path, e))?;
        }
    }
    Ok(())
}

pub async fn open(dir: &Path) -> Result<SqlitePool, String> {
    private_data_dir(dir)?;
    let options = SqliteConnectOptions::new()
        .filename(dir.join("stamp.sqlite"))
        .create_if_missing(true)
        .page_size(65536)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| format!("stamp store migration: {e}"))?;
    Ok(pool)
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: String,
    display_name: String,
    size_units: i64,
    state: String,
    change_seq: i64,
    keys: i64,
}

impl TenantRow {
    /// The row as the API shows it; a state the store should never hold is an error
    /// (the file was damaged or edited), never read as "active".
    fn into_wire(self) -> Result<TenantOnStamp, sqlx::Error> {
        let state = TenantState::parse(&self.state).ok_or_else(|| {
            sqlx::Error::Decode(
                format!("tenant {} has an unknown state {:?}", self.id, self.state).into(),
            )
        })?;
        Ok(TenantOnStamp {
            id: self.id,
            display_name: self.display_name,
            size_units: u32::try_from(self.size_units).unwrap_or(u32::MAX),
            state,
            keys: u64::try_from(self.keys).unwrap_or(0),
            change_seq: u64::try_from(self.change_seq).unwrap_or(0),
        })
    }
}

const TENANT_SELECT: &str = "SELECT t.id, t.display_name, t.size_units, t.state, t.change_seq, \
     (SELECT COUNT(*) FROM kv WHERE kv.tenant = t.id) AS keys FROM tenants t";

pub async fn tenants(pool: &SqlitePool) -> Result<Vec<TenantOnStamp>, sqlx::Error> {
    let rows: Vec<TenantRow> = sqlx::query_as(&format!("{TENANT_SELECT} ORDER BY t.id"))
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(TenantRow::into_wire).collect()
}

pub async fn tenant(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<TenantOnStamp>, sqlx::Error> {
    let row: Option<TenantRow> = sqlx::query_as(&format!("{TENANT_SELECT} WHERE t.id = ?"))
        .bind(id)
        .fetch_all(conn)
        .await?
        .into_iter()
        .next();
    row.map(TenantRow::into_wire).transpose()
}

pub async fn used_units(conn: &mut SqliteConnection) -> Result<u32, sqlx::Error> {
    let (used,): (i64,) = sqlx::query_as("SELECT COALESCE(SUM(size_units), 0) FROM tenants")
        .fetch_all(conn)
        .await?
        .into_iter()
        .next()
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(u32::try_from(used).unwrap_or(u32::MAX))
}

pub async fn insert_tenant(
    conn: &mut SqliteConnection,
    id: &str,
    name: &str,
    size: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO tenants (id, display_name, size_units, digest, key_count) \
         VALUES (?, ?, ?, '00000000000000000000000000000000', 0)",
    )
    .bind(id)
    .bind(name)
    .bind(i64::from(size))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_tenant(conn: &mut SqliteConnection, id: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM tenants WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}

pub async fn kv_get(
    pool: &SqlitePool,
    tenant: &str,
    key: &str,
) -> Result<Option<KvEntry>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    kv_get_conn(&mut conn, tenant, key).await
}

pub async fn kv_get_conn(
    conn: &mut SqliteConnection,
    tenant: &str,
    key: &str,
) -> Result<Option<KvEntry>, sqlx::Error> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT value, seq FROM kv WHERE tenant = ? AND key = ?")
            .bind(tenant)
            .bind(key)
            .fetch_all(conn)
            .await?
            .into_iter()
            .next();
    Ok(row.map(|(value, seq)| KvEntry {
        key: key.to_owned(),
        value,
        seq: u64::try_from(seq).unwrap_or(0),
    }))
}

/// Writes (`Some`) or deletes (`None`) a key, logging the change under the next sequence
/// number; returns that number. The caller holds a transaction.
pub async fn kv_change(
    conn: &mut SqliteConnection,
    tenant: &str,
    key: &str,
    value: Option<&str>,
    limits: LogLimits,
) -> Result<u64, sqlx::Error> {
    let (seq,): (i64,) = sqlx::query_as(
        "UPDATE tenants SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .next()
    .ok_or(sqlx::Error::RowNotFound)?;
    let old = kv_get_conn(&mut *conn, tenant, key).await?.map(|e| e.value);
    crate::digest::update(&mut *conn, tenant, key, old.as_deref(), value).await?;
    match value {
        Some(v) => {
            sqlx::query(
                "INSERT INTO kv (tenant, key, value, seq) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
            )
            .bind(tenant)
            .bind(key)
            .bind(v)
            .bind(seq)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM kv WHERE tenant = ? AND key = ?")
                .bind(tenant)
                .bind(key)
                .execute(&mut *conn)
                .await?;
        }
    }
    let now = now_secs();
    sqlx::query("INSERT INTO changes (tenant, seq, key, value, at) VALUES (?, ?, ?, ?, ?)")
        .bind(tenant)
        .bind(seq)
        .bind(key)
        .bind(value)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    if seq % TRIM_EVERY == 0 {
        crate::change_log::trim(conn, tenant, limits, now).await?;
    }
    Ok(u64::try_from(seq).unwrap_or(0))
}

/// A tenant's move-related state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MoveState {
    pub state: String,
    pub moved_to: Option<String>,
    pub change_seq: i64,
    pub log_start: i64,
    pub import_seq: Option<i64>,
    pub import_cursor: Option<String>,
    pub snapshot_done: i64,
    /// When a freeze's lease ends (seconds since the epoch).
    pub frozen_until: i64,
}

impl MoveState {
    /// Frozen, with a lease that has not run out.
    pub fn frozen_now(&self) -> bool {
        self.state == "frozen" && self.frozen_until > now_secs()
    }

    /// The state as clients see it: a freeze whose lease ran out is over.
    pub fn effective_state(&self) -> &str {
        if self.state == "frozen" && !self.frozen_now() {
            "active"
        } else {
            &self.state
        }
    }
}

/// Sets the freeze lease's end, `secs` from now.
pub async fn lease_freeze(
    conn: &mut SqliteConnection,
    id: &str,
    secs: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tenants SET frozen_until = ? WHERE id = ?")
        .bind(now_secs().saturating_add(i64::from(secs)))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn move_state(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<MoveState>, sqlx::Error> {
    sqlx::query_as(
        "SELECT state, moved_to, change_seq, log_start, import_seq, import_cursor, snapshot_done, \
         frozen_until FROM tenants WHERE id = ?",
    )
    .bind(id)
    .fetch_all(conn)
    .await
    .map(|rows| rows.into_iter().next())
}

pub async fn set_state(
    conn: &mut SqliteConnection,
    id: &str,
    state: TenantState,
    moved_to: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tenants SET state = ?, moved_to = ? WHERE id = ?")
        .bind(state.as_str())
        .bind(moved_to)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Entries after `after` in key order, up to `limit` entries or about `max_bytes` (at
/// least one). Sizes are read first (`octet_length` reads no content), so a page never
/// loads more values than it returns; the caller holds one read transaction for both.
pub async fn export_page(
    conn: &mut SqliteConnection,
    tenant: &str,
    after: &str,
    limit: u32,
    max_bytes: usize,
) -> Result<(Vec<KvEntry>, bool), sqlx::Error> {
    let sizes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT key, octet_length(value) FROM kv WHERE tenant = ? AND key > ? ORDER BY key LIMIT ?",
    )
    .bind(tenant)
    .bind(after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *conn)
    .await?;
    let mut bytes = 0usize;
    let mut last = None;
    let mut taken = 0usize;
    for (key, size) in sizes.iter().take(limit as usize) {
        let size = key.len() + usize::try_from(*size).unwrap_or(0);
        if taken > 0 && bytes + size > max_bytes {
            break;
        }
        bytes += size;
        taken += 1;
        last = Some(key.as_str());
    }
    let Some(last) = last else {
        return Ok((Vec::new(), false));
    };
    let more = sizes.len() > taken;
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT key, value, seq FROM kv WHERE tenant = ? AND key > ? AND key <= ? ORDER BY key",
    )
    .bind(tenant)
    .bind(after)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    let entries = rows
        .into_iter()
        .map(|(key, value, seq)| KvEntry {
            key,
            value,
            seq: u64::try_from(seq).unwrap_or(0),
        })
        .collect();
    Ok((entries, more))
}

/// The changes after `after`, in order: at most `limit`, and at most `max_bytes` as
/// JSON (at least one, so a page always moves on; a value is at most the request
/// limit). Rows are read a few at a time, so a log of megabyte values never loads more
/// than the page it answers.
pub async fn changes_after(
    conn: &mut SqliteConnection,
    tenant: &str,
    after: u64,
    limit: u32,
    max_bytes: usize,
) -> Result<Vec<stamp_protocol::Change>, sqlx::Error> {
    const CHUNK: i64 = 16;
    let mut out = Vec::new();
    let mut bytes = 0usize;
    let mut last = i64::try_from(after).unwrap_or(i64::MAX);
    loop {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT seq, key, value FROM changes WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(tenant)
        .bind(last)
        .bind(CHUNK)
        .fetch_all(&mut *conn)
        .await?;
        let fetched = rows.len();
        for (seq, key, value) in rows {
            let change = stamp_protocol::Change {
                seq: u64::try_from(seq).unwrap_or(0),
                key,
                value,
            };
            let size = serde_json::to_vec(&change).map_or(0, |v| v.len() + 1);
            if !out.is_empty() && (bytes + size > max_bytes || out.len() >= limit as usize) {
                return Ok(out);
            }
            bytes += size;
            last = seq;
            out.push(change);
        }
        if fetched < CHUNK as usize {
            return Ok(out);
        }
    }
}

/// The tenant's digest and key count (computed once for tenants from before digests).
pub async fn checksum(
    conn: &mut SqliteConnection,
    tenant: &str,
) -> Result<(u64, String), sqlx::Error> {
    let (d, n) = match crate::digest::stored(&mut *conn, tenant).await? {
        Some(known) => known,
        None => crate::digest::compute(conn, tenant).await?,
    };
    Ok((u64::try_from(n).unwrap_or(0), crate::digest::to_hex(&d)))
}

/// Applies snapshot entries (as the source had them) in the caller's transaction.
/// `entries_digest`: the XOR of the entries' row digests, computed by the caller (off
/// the writer's path) or here when none.
pub async fn apply_entries(
    conn: &mut SqliteConnection,
    tenant: &str,
    entries: &[KvEntry],
    entries_digest: Option<crate::digest::Digest>,
) -> Result<(), sqlx::Error> {
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        return Ok(());
    };
    if let Some((mut d, mut n)) = crate::digest::stored(&mut *conn, tenant).await? {
        // Rows already here in the page's range (normally none) are replaced.
        let before: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM kv WHERE tenant = ? AND key >= ? AND key <= ?")
                .bind(tenant)
                .bind(&first.key)
                .bind(&last.key)
                .fetch_all(&mut *conn)
                .await?;
        for (k, v) in &before {
            crate::digest::xor(&mut d, &crate::digest::row(k, v));
        }
        let added = entries_digest.unwrap_or_else(|| crate::digest::of_entries(entries));
        crate::digest::xor(&mut d, &added);
        n += entries.len() as i64 - before.len() as i64;
        crate::digest::store(&mut *conn, tenant, &d, n).await?;
    }
    for chunk in entries.chunks(300) {
        let mut qb = sqlx::QueryBuilder::new("INSERT INTO kv (tenant, key, value, seq) ");
        qb.push_values(chunk, |mut b, e| {
            b.push_bind(tenant)
                .push_bind(&e.key)
                .push_bind(&e.value)
                .push_bind(i64::try_from(e.seq).unwrap_or(i64::MAX));
        });
        qb.push(
            " ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
        );
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Replays logged changes after the tenant's current sequence, keeping their numbers, in
/// the caller's transaction; returns the new sequence.
pub async fn apply_changes(
    conn: &mut SqliteConnection,
    tenant: &str,
    current: u64,
    changes: &[stamp_protocol::Change],
) -> Result<u64, sqlx::Error> {
    let mut seq = current;
    for c in changes.iter().filter(|c| c.seq > current) {
        let old = kv_get_conn(&mut *conn, tenant, &c.key)
            .await?
            .map(|e| e.value);
        crate::digest::update(
            &mut *conn,
            tenant,
            &c.key,
            old.as_deref(),
            c.value.as_deref(),
        )
        .await?;
        match &c.value {
            Some(v) => {
                sqlx::query(
                    "INSERT INTO kv (tenant, key, value, seq) VALUES (?, ?, ?, ?) \
                     ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
                )
                .bind(tenant)
                .bind(&c.key)
                .bind(v)
                .bind(i64::try_from(c.seq).unwrap_or(i64::MAX))
                .execute(&mut *conn)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM kv WHERE tenant = ? AND key = ?")
                    .bind(tenant)
                    .bind(&c.key)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        sqlx::query(
            "INSERT OR IGNORE INTO changes (tenant, seq, key, value, at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(tenant)
        .bind(i64::try_from(c.seq).unwrap_or(i64::MAX))
        .bind(&c.key)
        .bind(&c.value)
        .bind(now_secs())
        .execute(&mut *conn)
        .await?;
        seq = c.seq;
    }
    sqlx::query("UPDATE tenants SET change_seq = ? WHERE id = ?")
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .bind(tenant)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}
