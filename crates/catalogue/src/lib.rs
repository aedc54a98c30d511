//! Stampfleet's local catalogue: regions, templates, stamps, tenants, bindings and the
//! audit log in one SQLite file (WAL, synchronous=FULL, foreign keys on).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod adopt;
mod audit;
mod changes;
mod document;
mod drift_ignores;
mod error;
mod fleet_view;
mod health_cache;
mod journal;
mod lease;
mod moves;
mod open;
mod operator;
mod pg_copy;
mod plans;
mod repairs;
mod rollouts;
mod routing;
mod rows;
mod short_search;
mod snapshot;
mod sql;
mod stamps;
mod team;
mod tenant_lifecycle;
mod tenants;
mod write;

use std::path::{Path, PathBuf};

use fleet_core::{builtin_regions, CatalogueDocument, Region};
use serde::Serialize;
use sqlx::AnyPool;

pub use audit::{AuditEntry, AuditQuery};
pub use changes::ChangeWatch;
pub use drift_ignores::DriftIgnore;
pub use error::{CatalogueError, Result};
pub use health_cache::CachedHealth;
pub use journal::{MovePhase, OperationKind, OperationState};
pub use lease::RunLease;
pub use moves::{Route, RoutingTable, MOVE_KIND};
pub use open::{is_server_url, known_schema_version, redact};
pub use operator::{check_operator, operator_from_environment, OPERATOR_VARIABLE};
pub use plans::APPLY_PLAN_KIND;
pub use rollouts::RolloutRequest;
pub use routing::{FleetKeyRecord, RouterRecord, RouterSync};
pub use snapshot::{SnapshotOrigin, SnapshotSummary};
pub use sql::Backend;
pub use stamps::{LocalAgent, Operation};
pub use team::{OperatorToken, TeamMember, TeamRole};
pub use tenant_lifecycle::TenantSuspension;
pub use tenants::ONBOARD_KIND;
pub use write::AuditRecord;

use rows::RegionRow;

/// Test hook, named as such: once set, every catalogue write of this process fails as
/// on a full disk (reads go on). Set by `fail_writes_from_now`.
static FAIL_WRITES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Test hook: makes every later catalogue write of this process fail (a full disk, a
/// read-only file), to prove that what runs remotely does not depend on it.
pub fn fail_writes_from_now() {
    FAIL_WRITES.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// An open catalogue file. Cheap to clone: the pool is shared and synchronized.
#[derive(Clone)]
pub struct Catalogue {
    pool: AnyPool,
    backend: Backend,
    /// The file, or the server URL without its password.
    path: PathBuf,
    /// A team catalogue's URL as given (it may hold a password: never shown or logged).
    server_url: Option<std::sync::Arc<str>>,
    /// The catalogue's UUID (schema 9): what secrets are named by, whatever the path.
    id: String,
    /// This process's writers take turns here before SQLite's write lock: waiting on
    /// SQLite's own busy handler sleeps in steps of up to 100 ms, which many concurrent
    /// moves' cut-overs would spend doing nothing.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Who every audit row this handle writes names (see `operator`).
    operator: std::sync::Arc<str>,
    /// The tenants' ids and names in memory for searches of 1 or 2 characters (SQLite).
    short_search: short_search::ShortSearch,
}

/// A write transaction (`BEGIN IMMEDIATE`) holding this process's writer turn.
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) backend: Backend,
    _turn: tokio::sync::OwnedMutexGuard<()>,
    /// The operator the audit rows of this transaction name.
    pub(crate) operator: std::sync::Arc<str>,
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx {
    pub(crate) async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

/// How many of each thing the catalogue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub regions: u32,
    pub templates: u32,
    pub stamps: u32,
    pub tenants: u32,
    pub bindings: u32,
    pub audit_rows: u32,
}

impl Catalogue {
    /// Opens `path`, creating it if missing. An existing file is inspected read-only
    /// first: a non-SQLite, damaged, foreign or newer-schema file is refused untouched.
    pub async fn open(path: &Path) -> Result<Self> {
        if open::is_server_url(&path.to_string_lossy()) {
            return Err(CatalogueError::Refused(format!(
                "{}: a server URL, not a file; open it as a team catalogue",
                open::redact(&path.to_string_lossy())
            )));
        }
        if path.exists() {
            open::inspect_existing(path).await?;
        }
        let pool = open::open_sqlite_pool(path).await?;
        Self::from_pool(pool, Backend::Sqlite, path.to_owned()).await
    }

    /// Opens the team catalogue in the PostgreSQL database at `url`
    /// (`postgres://user@host:port/db`), creating its tables in an empty database. A
    /// database holding other tables, or a newer schema, is refused untouched.
    pub async fn open_server(url: &str) -> Result<Self> {
        let pool = open::open_postgres_pool(url).await?;
        let mut catalogue =
            Self::from_pool(pool, Backend::Postgres, open::redact(url).into()).await?;
        catalogue.server_url = Some(url.into());
        Ok(catalogue)
    }

    /// Opens `location`: a `postgres://` URL names a server, anything else a file.
    pub async fn open_location(location: &str) -> Result<Self> {
        if open::is_server_url(location) {
            Self::open_server(location).await
        } else {
            Self::open(Path::new(location)).await
        }
    }

    async fn from_pool(pool: AnyPool, backend: Backend, path: PathBuf) -> Result<Self> {
        let (id,): (String,) = sqlx::query_as("SELECT uuid FROM catalogue_identity WHERE id = 1")
            .fetch_one(&pool)
            .await?;
        // Who the audit rows name: on a team catalogue the server's login, which the
        // server authenticated; on a file the operator (environment, else user@host).
        let operator = match backend {
            Backend::Sqlite => operator_from_environment()?,
            Backend::Postgres => {
                let (login,): (String,) = sqlx::query_as("SELECT current_user::text")
                    .fetch_one(&pool)
                    .await?;
                login
            }
        };
        let catalogue = Self {
            pool,
            backend,
            path,
            server_url: None,
            id,
            writer: std::sync::Arc::default(),
            short_search: std::sync::Arc::default(),
            operator: operator.into(),
        };
        match catalogue.seed_builtin_regions().await {
            // A reader cannot bring the regions up to date; the next operator will.
            Err(CatalogueError::NotAllowed(why)) => {
                tracing::warn!(%why, "built-in regions not updated")
            }
            other => other?,
        }
        tracing::info!(
            location = %catalogue.path.display(),
            backend = backend.name(),
            schema = known_schema_version(),
            "catalogue open"
        );
        Ok(catalogue)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who the audit rows written through this handle name.
    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// This handle, writing audit rows in the name of `operator` (checked: 1 to 100
    /// characters, no control characters).
    pub fn with_operator(mut self, operator: &str) -> Result<Self> {
        let name = check_operator(operator)
            .map_err(|why| CatalogueError::Refused(format!("operator {operator:?}: {why}")))?;
        if self.backend == Backend::Postgres && name != *self.operator {
            return Err(CatalogueError::Refused(format!(
                "operator {name:?}: on a team catalogue the audit log names your server login ({}); \
                 connect as {name} instead",
                self.operator
            )));
        }
        self.operator = name.into();
        Ok(self)
    }

    /// The catalogue's identity: a UUID written when it was created. The same whatever
    /// path the file is opened by, and after it is renamed or moved.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the stamp tokens of a catalogue made before schema 9 (named after the
    /// path it was opened by) have been renamed after its identity.
    pub async fn token_names_migrated(&self) -> Result<bool> {
        let (done,): (i64,) =
            sqlx::query_as("SELECT token_names_migrated FROM catalogue_identity WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(done == 1)
    }

    pub async fn set_token_names_migrated(&self) -> Result<()> {
        let _turn = self.write_turn().await?;
        sqlx::query("UPDATE catalogue_identity SET token_names_migrated = 1 WHERE id = 1")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this catalogue lives in.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A team catalogue's URL as given, password included: for connections only.
    pub(crate) fn server_url(&self) -> Option<&str> {
        self.server_url.as_deref()
    }

    /// A transaction that writes: `BEGIN IMMEDIATE` takes the write lock up front, so a
    /// read-then-write cannot fail with "database is locked" when another connection
    /// (another move, another process) wrote in between; it waits its turn instead.
    pub(crate) async fn write_tx(&self) -> Result<WriteTx> {
        let turn = self.write_turn().await?;
        let mut tx = self.pool.begin_with(self.backend.begin_write()).await?;
        if let Some(lock) = self.backend.take_write_lock() {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        Ok(WriteTx {
            tx,
            backend: self.backend,
            _turn: turn,
            operator: self.operator.clone(),
        })
    }

    /// This process's writer turn, for a single statement that writes outside `write_tx`.
    pub(crate) async fn write_turn(&self) -> Result<tokio::sync::OwnedMutexGuard<()>> {
        if FAIL_WRITES.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(CatalogueError::Io {
                path: self.path.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "no space left on device (injected by the test hook STAMPFLEET_FAIL_WRITES_AT)",
                ),
            });
        }
        Ok(self.writer.clone().lock_owned().await)
    }

    /// Brings the built-in regions up to the facts shipped in this build. Writes only
    /// when they differ, so opening an up-to-date catalogue changes no byte of it.
    async fn seed_builtin_regions(&self) -> Result<()> {
        let mut regions = builtin_regions()
            .map_err(|e| CatalogueError::Refused(format!("built-in regions: {e}")))?;
        regions.sort_by(|a, b| a.id.cmp(&b.id));
        let stored: Vec<Region> = self
            .regions()
            .await?
            .into_iter()
            .filter(|r| r.builtin)
            .collect();
        if stored == regions {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        write::insert_regions(&mut tx, &regions, true).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The connection settings in force: (journal_mode, synchronous, foreign_keys).
    pub async fn pragmas(&self) -> Result<(String, i64, i64)> {
        if self.backend != Backend::Sqlite {
            return Err(CatalogueError::Refused(
                "pragmas are SQLite's; this catalogue is on PostgreSQL".to_owned(),
            ));
        }
        let mut conn = self.pool.acquire().await?;
        let journal = pragma(&mut conn, "journal_mode").await?;
        let sync = pragma(&mut conn, "synchronous").await?;
        let fk = pragma(&mut conn, "foreign_keys").await?;
        Ok((journal, sync, fk))
    }

    /// Every region, built-in and custom, by id.
    pub async fn regions(&self) -> Result<Vec<Region>> {
        let rows: Vec<RegionRow> = sqlx::query_as("SELECT * FROM regions ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(RegionRow::into_domain).collect()
    }

    /// The whole catalogue as one document (custom regions only), in id order.
    pub async fn document(&self) -> Result<CatalogueDocument> {
        let mut conn = self.pool.acquire().await?;
        document::read_document(&mut conn).await
    }

    pub async fn counts(&self) -> Result<Counts> {
        let (regions, templates, stamps, tenants, bindings, audit_rows): (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM regions), (SELECT COUNT(*) FROM templates), (SELECT COUNT(*) FROM stamps), \
             (SELECT COUNT(*) FROM tenants), (SELECT COUNT(*) FROM bindings), (SELECT COUNT(*) FROM audit)",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .next()
        .ok_or(sqlx::Error::RowNotFound)?;
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(Counts {
            regions: n(regions),
            templates: n(templates),
            stamps: n(stamps),
            tenants: n(tenants),
            bindings: n(bindings),
            audit_rows: n(audit_rows),
        })
    }

    /// The newest `limit` audit rows, newest first.
    pub async fn audit(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        self.audit_page(&AuditQuery {
            limit,
            ..AuditQuery::default()
        })
        .await
    }

    /// Replaces everything but the built-in regions with `doc`, in one transaction,
    /// writing an audit row (create/update/delete, before/after) for every change.
    /// The caller has validated `doc`; the database's constraints check it again.
    pub async fn replace_all(&self, doc: &CatalogueDocument, via: &str) -> Result<u32> {
        if self.backend == Backend::Postgres {
            let (audit_rows, _) = pg_copy::replace_all(self, doc, via, None).await?;
            self.refresh_statistics().await;
            return Ok(audit_rows);
        }
        let mut tx = self.write_tx().await?;
        let audit_rows = document::replace_all_in(&mut tx, doc, via).await?;
        tx.commit().await?;
        Ok(audit_rows)
    }

    /// After a whole catalogue was written: PostgreSQL's planner statistics brought up
    /// to date at once (autovacuum would, minutes later; until then a stamp's tenants
    /// were read by a scan). A failure only costs speed, and is logged.
    async fn refresh_statistics(&self) {
        if self.backend != Backend::Postgres {
            return;
        }
        for table in ["tenants", "bindings", "stamps", "stamp_loads"] {
            if let Err(e) = sqlx::query(&format!("ANALYZE {table}"))
                .execute(&self.pool)
                .await
            {
                tracing::warn!(table, error = %e, "statistics not refreshed");
            }
        }
    }

    /// `replace_all`, and in the same transaction an operation of `kind` opened
    /// (running, step `created`), so a run that is killed after the write is found at
    /// the next start. Returns the operation's id.
    pub async fn replace_all_journaled(
        &self,
        doc: &CatalogueDocument,
        via: &str,
        kind: OperationKind,
    ) -> Result<i64> {
        if self.backend == Backend::Postgres {
            let (_, id) = pg_copy::replace_all(self, doc, via, Some(kind)).await?;
            self.refresh_statistics().await;
            return id.ok_or_else(|| CatalogueError::Refused("no operation opened".to_owned()));
        }
        let mut tx = self.write_tx().await?;
        document::replace_all_in(&mut tx, doc, via).await?;
        let id = stamps::insert_operation(&mut tx, kind, via, "created", "{}").await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checkpoints the WAL into the main file and closes the pool, so the file on disk
    /// is the whole catalogue (a copy of it alone is a complete backup).
    pub async fn close(self) {
        if self.backend != Backend::Sqlite {
            self.pool.close().await;
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint at close failed; the WAL file keeps the changes");
        }
        self.pool.close().await;
    }
}

/// The value of SQLite's pragma `name` on `conn`.
async fn pragma<T>(conn: &mut sqlx::AnyConnection, name: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + Unpin,
{
    let sql = format!("PRAGMA {name}");
    let (value,): (T,) = sqlx::query_as(&sql)
        .fetch_all(conn)
        .await?
        .into_iter()
        .next()
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(value)
}
