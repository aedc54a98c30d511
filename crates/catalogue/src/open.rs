//! Opening a catalogue file safely: look before writing. A file that is not SQLite, is
//! damaged, belongs to something else, or was written by a newer schema is refused
//! without a single byte of it changing.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, Connection, Executor, SqliteConnection};

use crate::error::{CatalogueError, Result};

/// Every migration exists for both backends, under the same number.
pub(crate) static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/postgres");

/// The newest schema this build knows.
pub fn known_schema_version() -> i64 {
    SQLITE_MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// sqlx's `Any` driver finds its backends in a process-wide list, filled once.
fn install_drivers() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(sqlx::any::install_default_drivers);
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
pub(crate) async fn open_sqlite_pool(path: &Path) -> Result<AnyPool> {
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
    install_drivers();
    // `Any` connects by URL: the path is percent-encoded so `?` and `#` stay in the name.
    let encoded: String = url_path(path)?;
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // WAL, synchronous=FULL, foreign keys on, and a writer from another
                // process waited for up to 10 s.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&format!("sqlite://{encoded}?mode=rwc"))
        .await?;
    SQLITE_MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// `path` as the path part of a `sqlite://` URL.
fn url_path(path: &Path) -> Result<String> {
    let text = path.to_str().ok_or_else(|| {
        CatalogueError::Refused(format!(
            "the catalogue path {} is not UTF-8",
            path.display()
        ))
    })?;
    Ok(text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect())
}

/// Opens a catalogue on a PostgreSQL server: `url` is `postgres://user@host:port/db`.
/// A database that holds other tables, or a newer schema, is refused untouched.
pub(crate) async fn open_postgres_pool(url: &str) -> Result<AnyPool> {
    install_drivers();
    let unreachable = |e: sqlx::Error| CatalogueError::Server {
        url: redact(url),
        detail: e.to_string(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(15))
        .connect(url)
        .await
        .map_err(unreachable)?;
    let tables: Vec<(String,)> = sqlx::query_as(
        // pg_tables lists every table, also those this login may not read.
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .map_err(unreachable)?;
    let has = |name: &str| tables.iter().any(|t| t.0 == name);
    if !tables.is_empty() && !has("_sqlx_migrations") {
        return Err(CatalogueError::NotACatalogue {
            path: redact(url).into(),
            reason: format!("the database holds other tables ({})", tables.len()),
        });
    }
    let mut applied = 0;
    if has("_sqlx_migrations") {
        let (found, done): (Option<i64>, i64) = sqlx::query_as(
            "SELECT MAX(version), COUNT(*) FILTER (WHERE success) FROM _sqlx_migrations",
        )
        .fetch_one(&pool)
        .await?;
        let (found, known) = (found.unwrap_or(0), known_schema_version());
        if found > known {
            return Err(CatalogueError::NewerSchema {
                path: redact(url).into(),
                found,
                known,
            });
        }
        applied = done;
    }
    // Up to date: nothing to run (a reader, who may not create tables, opens it too).
    if usize::try_from(applied).ok() != Some(POSTGRES_MIGRATOR.iter().count()) {
        POSTGRES_MIGRATOR.run(&pool).await?;
    }
    Ok(pool)
}

/// `url` without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Whether `location` names a PostgreSQL server rather than a file.
pub fn is_server_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}
