//! WAL checkpoints beside a bulk import. A commit normally checkpoints the WAL itself
//! once it holds more than 1,000 pages, so each imported page was copied into the
//! database file and synced before the next page could be written. During an import
//! the importing connection leaves that to a background task instead, one checkpoint
//! at a time, running while the next page is written; every so often the import
//! drains it (see `import::WAL_RESET_BYTES`) so the WAL starts over instead of growing.

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqlitePool};
use tokio::task::JoinHandle;

/// SQLite's default `wal_autocheckpoint`, restored when the import hands its connection
/// back to the pool.
const DEFAULT_AUTOCHECKPOINT: u32 = 1000;

pub struct Checkpointer {
    pool: SqlitePool,
    running: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            running: None,
        }
    }

    /// After a commit: starts a passive checkpoint (it never blocks the writer) unless
    /// the previous one is still running.
    pub fn nudge(&mut self) {
        if self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        let pool = self.pool.clone();
        self.running = Some(tokio::spawn(async move {
            if let Err(e) = passive(&pool).await {
                tracing::warn!(error = %e, "background checkpoint failed; the next commit checkpoints");
            }
        }));
    }

    /// Waits for the running checkpoint, then checkpoints what is left: the WAL is then
    /// wholly in the database file, and the next commit writes it from its start again.
    pub async fn drain(&mut self) {
        if let Some(handle) = self.running.take() {
            let _ = handle.await;
        }
        if let Err(e) = passive(&self.pool).await {
            tracing::warn!(error = %e, "checkpoint failed; the next commit checkpoints");
        }
    }

    /// Waits for the running checkpoint, if any.
    pub async fn finish(mut self) {
        if let Some(handle) = self.running.take() {
            let _ = handle.await;
        }
    }
}

/// Copies what it can of the WAL into the database file without waiting for readers
/// or writers (on a pool connection, so with `synchronous = FULL`: synced).
pub async fn passive(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(pool)
        .await
        .map(|_| ())
}

/// A connection whose commits do not checkpoint (the [`Checkpointer`] does).
pub struct ImportConnection(Option<PoolConnection<Sqlite>>);

impl ImportConnection {
    pub async fn acquire(pool: &SqlitePool) -> Result<Self, sqlx::Error> {
        let mut conn = pool.acquire().await?;
        sqlx::query("PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = NORMAL")
            .execute(&mut *conn)
            .await?;
        Ok(Self(Some(conn)))
    }

    /// The connection (always there until `release` consumes this).
    pub fn get(&mut self) -> Result<&mut PoolConnection<Sqlite>, sqlx::Error> {
        self.0.as_mut().ok_or(sqlx::Error::PoolClosed)
    }

    /// Restores checkpointing and hands the connection back; one that cannot be
    /// restored is closed instead, so no pooled connection is left without it.
    pub async fn release(mut self) {
        let Some(mut conn) = self.0.take() else {
            return;
        };
        let restore = format!(
            "PRAGMA wal_autocheckpoint = {DEFAULT_AUTOCHECKPOINT}; PRAGMA synchronous = FULL"
        );
        if sqlx::query(&restore).execute(&mut *conn).await.is_err() {
            drop(conn.detach());
        }
    }
}

impl Drop for ImportConnection {
    /// Dropped without `release` (a failed or cancelled sync): closed, not pooled.
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(conn.detach());
        }
    }
}
