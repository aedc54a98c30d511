//! The stamp's own SQLite file: tenants, their key/value stores, the change log.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use stamp_protocol::{KvEntry, TenantOnStamp, TenantState};

pub use crate::change_log::{now_secs, pin_log, LogLimits, TRIM_EVERY};
pub use crate::move_store::{
    apply_changes, apply_entries, changes_after, checksum, encode_page, export_page, page_entries,
    restart_snapshot,
};
use crate::value_files::ValueFiles;

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
        // New stores: 4 KiB pages. Large values live in files (`value_files`), so a
        // small write commits a few small pages (64 KiB pages, kept by stores made
        // before, wrote 300-400 KB of WAL per small write).
        .page_size(4096)
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

/// The key's entry, read without the writer lock (so holding off the sweep while its
/// value's file, if any, is read).
pub async fn kv_get(
    pool: &SqlitePool,
    files: &ValueFiles,
    tenant: &str,
    key: &str,
) -> Result<Option<KvEntry>, sqlx::Error> {
    let _reading = files.reading().await;
    let mut conn = pool.acquire().await?;
    kv_get_conn(&mut conn, files, tenant, key).await
}

/// The key's entry on `conn`: under the writer lock, or with `files.reading()` held.
pub async fn kv_get_conn(
    conn: &mut SqliteConnection,
    files: &ValueFiles,
    tenant: &str,
    key: &str,
) -> Result<Option<KvEntry>, sqlx::Error> {
    let row: Option<(String, Option<String>, i64)> =
        sqlx::query_as("SELECT value, value_file, seq FROM kv WHERE tenant = ? AND key = ?")
            .bind(tenant)
            .bind(key)
            .fetch_all(conn)
            .await?
            .into_iter()
            .next();
    let Some((value, file, seq)) = row else {
        return Ok(None);
    };
    Ok(Some(KvEntry {
        key: key.to_owned(),
        value: files.value(value, file).await?,
        seq: u64::try_from(seq).unwrap_or(0),
    }))
}

/// Whether the key's row names a value file (its replacement may leave the file unnamed).
async fn names_file(
    conn: &mut SqliteConnection,
    tenant: &str,
    key: &str,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM kv WHERE tenant = ? AND key = ? AND value_file IS NOT NULL",
    )
    .bind(tenant)
    .bind(key)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// A key's row: the value's columns (`value`, `value_file`) as stored for `value` and
/// its file name (from the caller's [`crate::value_files::Hold`]).
pub(crate) async fn put_row(
    conn: &mut SqliteConnection,
    files: &ValueFiles,
    tenant: &str,
    key: &str,
    value: Option<&str>,
    file: Option<&str>,
    seq: i64,
) -> Result<(), sqlx::Error> {
    if names_file(&mut *conn, tenant, key).await? {
        files.note_dropped();
    }
    match value {
        Some(v) => {
            sqlx::query(
                "INSERT INTO kv (tenant, key, value, value_file, seq) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, \
                 value_file = excluded.value_file, seq = excluded.seq",
            )
            .bind(tenant)
            .bind(key)
            .bind(if file.is_some() { "" } else { v })
            .bind(file)
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
    Ok(())
}

/// A change-log entry for `value` (`None`: a delete), naming its file if it has one.
pub(crate) async fn log_change(
    conn: &mut SqliteConnection,
    tenant: &str,
    seq: i64,
    key: &str,
    value: Option<&str>,
    file: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT OR IGNORE INTO changes (tenant, seq, key, value, value_file, at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(tenant)
    .bind(seq)
    .bind(key)
    .bind(if file.is_some() { None } else { value })
    .bind(file)
    .bind(now_secs())
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes (`Some`) or deletes (`None`) a key, logging the change under the next sequence
/// number; returns that number. The caller holds a transaction, and `file` (the value's
/// file, when it has one) in a [`crate::value_files::Hold`].
#[allow(clippy::too_many_arguments)]
pub async fn kv_change(
    conn: &mut SqliteConnection,
    files: &ValueFiles,
    tenant: &str,
    key: &str,
    value: Option<&str>,
    file: Option<&str>,
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
    let old = kv_get_conn(&mut *conn, files, tenant, key)
        .await?
        .map(|e| e.value);
    crate::digest::update(&mut *conn, tenant, key, old.as_deref(), value).await?;
    put_row(&mut *conn, files, tenant, key, value, file, seq).await?;
    log_change(&mut *conn, tenant, seq, key, value, file).await?;
    // A trimmed entry may have been the last to name a file.
    if seq % TRIM_EVERY == 0 && crate::change_log::trim(conn, tenant, limits, now_secs()).await? {
        files.note_dropped();
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
