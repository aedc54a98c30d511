//! Opening a catalogue file safely: look before writing. A file that is not SQLite, is
//! damaged, belongs to something else, or was written by a newer schema is refused
//! without a single byte of it changing.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};

use crate::error::{CatalogueError, Result};

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The newest schema this build knows.
pub fn known_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks an existing file without writing to it.
pub(crate) async fn inspect_existing(path: &Path) -> Result<()> {
    let io = |source| CatalogueError::Io {
        path: path.to_owned(),
        source,
    };
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len == 0 {
        return Ok(());
    }
    let read = file.read(&mut header).map_err(io)?;
    if read < header.len() || &header != SQLITE_MAGIC {
        return Err(CatalogueError::NotACatalogue {
            path: path.to_owned(),
            reason: "it is not an SQLite database".to_owned(),
        });
    }

    let corrupt = |e: sqlx::Error| CatalogueError::Corrupt {
        path: path.to_owned(),
        detail: e.to_string(),
    };
    let options = SqliteConnectOptions::from_str("sqlite:")
        .map_err(corrupt)?
        .filename(path)
        .read_only(true);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(corrupt)?;
    let check: Vec<(String,)> = sqlx::query_as("PRAGMA quick_check")
        .fetch_all(&mut conn)
        .await
        .map_err(corrupt)?;
    if check.first().map(|r| r.0.as_str()) != Some("ok") {
        let detail = check
            .into_iter()
            .map(|r| r.0)
            .take(3)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(CatalogueError::Corrupt {
            path: path.to_owned(),
            detail,
        });
    }
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .map_err(corrupt)?;
    let has = |name: &str| tables.iter().any(|t| t.0 == name);
    if !tables.is_empty() && !has("_sqlx_migrations") {
        return Err(CatalogueError::NotACatalogue {
            path: path.to_owned(),
            reason: format!(
                "it is an SQLite database with other tables ({})",
                tables.len()
            ),
        });
    }
    if has("_sqlx_migrations") {
        let (found,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .map_err(corrupt)?;
        let found = found.unwrap_or(0);
        let known = known_schema_version();
        if found > known {
            return Err(CatalogueError::NewerSchema {
                path: path.to_owned(),
                found,
                known,
            });
        }
    }
    conn.close().await.map_err(corrupt)?;
    Ok(())
}

/// Opens (creating if missing) the pool: WAL, synchronous=FULL, foreign keys on.
pub(crate) async fn open_pool(path: &Path) -> Result<SqlitePool> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Directories made here are 0700; an existing one is left as the operator set it.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| CatalogueError::Io {
                path: dir.to_owned(),
                source,
            })?;
    }
    // A new catalogue is created 0600 (SQLite gives its WAL the same mode), whatever
    // the umask; an existing file keeps the mode its owner gave it.
    if !path.exists() {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| CatalogueError::Io {
                path: path.to_owned(),
                source,
            })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}
