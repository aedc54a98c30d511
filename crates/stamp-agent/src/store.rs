//! The stamp's own SQLite file: tenants, their key/value stores, the change log.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use stamp_protocol::{KvEntry, TenantOnStamp, TenantState};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub async fn open(dir: &Path) -> Result<SqlitePool, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let options = SqliteConnectOptions::new()
        .filename(dir.join("stamp.sqlite"))
        .create_if_missing(true)
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
    change_seq: i64,
    keys: i64,
}

impl TenantRow {
    fn into_wire(self) -> TenantOnStamp {
        TenantOnStamp {
            id: self.id,
            display_name: self.display_name,
            size_units: u32::try_from(self.size_units).unwrap_or(u32::MAX),
            state: TenantState::Active,
            keys: u64::try_from(self.keys).unwrap_or(0),
            change_seq: u64::try_from(self.change_seq).unwrap_or(0),
        }
    }
}

const TENANT_SELECT: &str = "SELECT t.id, t.display_name, t.size_units, t.change_seq, \
     (SELECT COUNT(*) FROM kv WHERE kv.tenant = t.id) AS keys FROM tenants t";

pub async fn tenants(pool: &SqlitePool) -> Result<Vec<TenantOnStamp>, sqlx::Error> {
    let rows: Vec<TenantRow> = sqlx::query_as(&format!("{TENANT_SELECT} ORDER BY t.id"))
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(TenantRow::into_wire).collect())
}

pub async fn tenant(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<TenantOnStamp>, sqlx::Error> {
    let row: Option<TenantRow> = sqlx::query_as(&format!("{TENANT_SELECT} WHERE t.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(TenantRow::into_wire))
}

pub async fn used_units(conn: &mut SqliteConnection) -> Result<u32, sqlx::Error> {
    let (used,): (i64,) = sqlx::query_as("SELECT COALESCE(SUM(size_units), 0) FROM tenants")
        .fetch_one(conn)
        .await?;
    Ok(u32::try_from(used).unwrap_or(u32::MAX))
}

pub async fn insert_tenant(
    conn: &mut SqliteConnection,
    id: &str,
    name: &str,
    size: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO tenants (id, display_name, size_units) VALUES (?, ?, ?)")
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
            .fetch_optional(conn)
            .await?;
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
) -> Result<u64, sqlx::Error> {
    let (seq,): (i64,) = sqlx::query_as(
        "UPDATE tenants SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq",
    )
    .bind(tenant)
    .fetch_one(&mut *conn)
    .await?;
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
    sqlx::query("INSERT INTO changes (tenant, seq, key, value) VALUES (?, ?, ?, ?)")
        .bind(tenant)
        .bind(seq)
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(u64::try_from(seq).unwrap_or(0))
}
