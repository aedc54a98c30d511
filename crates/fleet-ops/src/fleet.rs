//! The operations over one catalogue, as the desktop commands and stampctl call them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use catalogue::{AuditEntry, AuditQuery, Catalogue, Counts};
use fleet_core::{
    builtin_regions, demo::demo_fleet, parse_document, CatalogueDocument, FleetOverview, Region,
    TenantPage, TenantQuery,
};
use serde::Serialize;

use crate::error::{OpsError, OpsResult};
use crate::secrets::SecretStore;

/// What the window's header and `stampctl info` show about the open catalogue.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueInfo {
    /// The file, or the team catalogue's URL without its password.
    pub path: String,
    /// Where it lives: `sqlite` (a file on this machine) or `postgres` (a team's server).
    pub backend: String,
    /// On a team catalogue, what this login may do: `reader`, `operator` or `admin`.
    pub role: Option<String>,
    /// When this catalogue is a snapshot: the catalogue it copies (file or URL).
    pub snapshot_of: Option<String>,
    /// The catalogue's UUID: the same by any path, renamed or moved.
    pub id: String,
    pub schema_version: u32,
    pub counts: Counts,
    /// Who this window or stampctl writes the audit log as.
    pub operator: String,
    /// Whether tenant search reads an index (a team server without pg_trgm: it reads
    /// every tenant, correct but slow at a million).
    pub tenant_search_indexed: bool,
}

/// What an import changed.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub stamps: u32,
    pub tenants: u32,
    pub bindings: u32,
    pub audit_rows: u32,
}

/// An open catalogue and the operations on it.
#[derive(Clone)]
pub struct Fleet {
    pub(crate) catalogue: Catalogue,
    builtin: Vec<Region>,
    /// Where stamp tokens are kept; chosen on first use (probing the keychain costs).
    secrets: Arc<OnceLock<Box<dyn SecretStore>>>,
    /// The catalogue's directory: local stamps live under `stamps/`.
    pub(crate) home: PathBuf,
    /// Per stamp, the hour of the last usage sample recorded (the health watcher polls
    /// every few seconds; the forecast keeps one sample an hour).
    pub(crate) usage_hours:
        Arc<std::sync::Mutex<std::collections::HashMap<fleet_core::StampId, i64>>>,
    /// Per page (its session), which of its health subscriptions is the current one.
    pub(crate) health_sessions: crate::health_watch::HealthSessions,
    /// Per source stamp, the moves of this process in their cut-over (writes paused).
    pub(crate) cut_over_turns: crate::move_cut_over::CutOverTurns,
}

impl Fleet {
    /// Opens the catalogue at `path`: a file, or a team catalogue's `postgres://` URL
    /// (this machine's files for it in the OS data directory).
    pub async fn open(path: &Path) -> OpsResult<Self> {
        Self::open_with_data_dir(path, None).await
    }

    /// `open`, with a team catalogue's files on this machine kept under `data_dir`
    /// instead of the OS data directory (tests give each their own).
    pub async fn open_with_data_dir(path: &Path, data_dir: Option<&Path>) -> OpsResult<Self> {
        let builtin =
            builtin_regions().map_err(|e| OpsError::internal(format!("built-in regions: {e}")))?;
        let location = path.to_string_lossy();
        let (catalogue, home) = if catalogue::is_server_url(&location) {
            // A team catalogue: this machine's files for it (local stamps, file secrets)
            // live in the OS data directory, under the catalogue's identity.
            let catalogue = Catalogue::open_server(&location).await?;
            let home = crate::paths::team_catalogue_home(catalogue.id(), data_dir)?;
            (catalogue, home)
        } else {
            // Beside the file: local stamps under `stamps/`, file secrets under `secrets/`.
            let home = path.parent().filter(|p| !p.as_os_str().is_empty());
            (
                Catalogue::open(path).await?,
                home.unwrap_or(Path::new(".")).to_owned(),
            )
        };
        // Absolute, so the stamps' directories recorded for local agents name the same
        // place whatever directory the app or stampctl runs in.
        let home = std::path::absolute(&home).map_err(|e| {
            OpsError::new(
                crate::ErrorCode::CatalogueUnavailable,
                format!("{}: {e}", path.display()),
            )
        })?;
        let fleet = Self {
            catalogue,
            builtin,
            secrets: Arc::default(),
            home,
            usage_hours: Arc::default(),
            health_sessions: Default::default(),
            cut_over_turns: Default::default(),
        };
        if let Err(e) = fleet.ensure_operator_token().await {
            // Stamps then answer only with their admin tokens; health says which is missing.
            tracing::warn!(error = %e.message, "no operator token of this login's own");
        }
        if let Err(e) = fleet.migrate_token_names().await {
            // Tried again at the next open; meanwhile health says which token is missing.
            tracing::warn!(error = %e.message, "stamp tokens not renamed yet");
        }
        Ok(fleet)
    }

    /// The catalogue's identity (a UUID written when it was created).
    pub fn catalogue_id(&self) -> &str {
        self.catalogue.id()
    }

    pub(crate) fn secrets(&self) -> &dyn SecretStore {
        self.secrets
            .get_or_init(|| crate::secrets::detect(self.home.join("secrets")))
            .as_ref()
    }

    /// This machine's directory for the catalogue: its local stamps (`stamps/`), file
    /// secrets and run locks. Beside a catalogue file; for a team catalogue, in the data
    /// directory under its identity.
    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn path(&self) -> PathBuf {
        self.catalogue.path().to_owned()
    }

    pub async fn info(&self) -> OpsResult<CatalogueInfo> {
        Ok(CatalogueInfo {
            path: self.catalogue.path().display().to_string(),
            backend: match self.catalogue.backend() {
                catalogue::Backend::Sqlite => "sqlite",
                catalogue::Backend::Postgres => "postgres",
            }
            .to_owned(),
            role: self
                .catalogue
                .my_role()
                .await?
                .map(|r| r.as_str().to_owned()),
            snapshot_of: self.catalogue.snapshot_origin().await?.map(|o| o.source),
            id: self.catalogue.id().to_owned(),
            schema_version: u32::try_from(catalogue::known_schema_version()).unwrap_or(0),
            counts: self.catalogue.counts().await?,
            operator: self.catalogue.operator().to_owned(),
            tenant_search_indexed: self.catalogue.tenant_search_indexed().await?,
        })
    }

    /// Refuses `what` (a change made on the stamps) in a snapshot: it is a copy for
    /// planning, and the catalogue it copies would not know.
    pub(crate) async fn refuse_in_snapshot(&self, what: &str) -> OpsResult<()> {
        match self.catalogue.snapshot_origin().await? {
            None => Ok(()),
            Some(origin) => Err(OpsError::conflict(format!(
                "cannot {what} here: this catalogue is a snapshot of {} (taken {}) for planning \
                 offline. Export the plan (stampctl plan export NAME FILE) and import it there to apply it",
                origin.source, origin.taken_at
            ))),
        }
    }

    /// Copies this catalogue (fleet and plans) into the new catalogue file `file`, for
    /// planning offline.
    pub async fn take_snapshot(&self, file: &Path) -> OpsResult<catalogue::SnapshotSummary> {
        Ok(self.catalogue.take_snapshot(file).await?)
    }

    /// Where this catalogue was copied from, when it is a snapshot.
    pub async fn snapshot_origin(&self) -> OpsResult<Option<catalogue::SnapshotOrigin>> {
        Ok(self.catalogue.snapshot_origin().await?)
    }

    /// Every login that may open this team catalogue, with its role.
    pub async fn team_members(&self) -> OpsResult<Vec<catalogue::TeamMember>> {
        Ok(self.catalogue.team_members().await?)
    }

    /// Gives server login `login` the role `role` (`reader`, `operator`, `admin`).
    pub async fn grant_team_role(&self, login: &str, role: &str) -> OpsResult<()> {
        let role = catalogue::TeamRole::parse(role).ok_or_else(|| {
            OpsError::invalid(format!("role {role:?}: give reader, operator or admin"))
        })?;
        Ok(self.catalogue.grant_role(login, role, "team").await?)
    }

    pub async fn regions(&self) -> OpsResult<Vec<Region>> {
        Ok(self.catalogue.regions().await?)
    }

    /// The map and lists' data: stamps with their load, per region, and totals.
    pub async fn overview(&self) -> OpsResult<FleetOverview> {
        let regions = self.catalogue.regions().await?;
        Ok(self.catalogue.overview(&regions).await?)
    }

    /// One page of tenants by stamp, region or text (`limit` is capped at 1,000).
    pub async fn tenants(&self, query: &TenantQuery) -> OpsResult<TenantPage> {
        Ok(self.catalogue.tenants(query).await?)
    }

    pub async fn audit(&self, limit: u32) -> OpsResult<Vec<AuditEntry>> {
        Ok(self.catalogue.audit(limit).await?)
    }

    /// The audit rows `query` selects (by entity, entity id, operator; paged), newest first.
    pub async fn audit_page(&self, query: &AuditQuery) -> OpsResult<Vec<AuditEntry>> {
        Ok(self.catalogue.audit_page(query).await?)
    }

    /// This fleet, writing the audit log in the name of `operator` instead of the one
    /// the environment names (`STAMPFLEET_OPERATOR`, else user@host).
    pub fn with_operator(mut self, operator: &str) -> OpsResult<Self> {
        self.catalogue = self.catalogue.with_operator(operator)?;
        Ok(self)
    }

    /// The demo fleet document (the same for `stampctl demo` and the app's button).
    pub fn demo_document(&self) -> OpsResult<CatalogueDocument> {
        demo_fleet(&self.builtin).map_err(OpsError::internal)
    }

    pub async fn export(&self) -> OpsResult<CatalogueDocument> {
        Ok(self.catalogue.document().await?)
    }

    pub async fn export_json(&self) -> OpsResult<String> {
        let doc = self.export().await?;
        serde_json::to_string_pretty(&doc)
            .map_err(|e| OpsError::internal(format!("cannot write the document: {e}")))
    }

    /// Imports a whole catalogue document. Everything is validated before anything is
    /// written, and the write is one transaction: all or nothing. A catalogue that is
    /// not empty is only replaced when `replace` is set.
    pub async fn import_json(
        &self,
        source_name: &str,
        text: &str,
        replace: bool,
    ) -> OpsResult<ImportSummary> {
        let regions = self.catalogue.regions().await?;
        let builtin: Vec<Region> = regions.into_iter().filter(|r| r.builtin).collect();
        let doc = parse_document(text, &builtin).map_err(|e| OpsError::document(source_name, e))?;
        if !replace {
            self.refuse_if_not_empty("import into it without --replace")
                .await?;
        }
        let audit_rows = self.catalogue.replace_all(&doc, "import").await?;
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(ImportSummary {
            stamps: n(doc.stamps.len()),
            tenants: n(doc.tenants.len()),
            bindings: n(doc.bindings.len()),
            audit_rows,
        })
    }

    pub(crate) async fn refuse_if_not_empty(&self, what: &str) -> OpsResult<()> {
        let counts = self.catalogue.counts().await?;
        if counts.stamps > 0 || counts.tenants > 0 || counts.templates > 0 {
            return Err(OpsError::conflict(format!(
                "{}: the catalogue is not empty ({} stamps, {} tenants); cannot {what}",
                self.catalogue.path().display(),
                counts.stamps,
                counts.tenants
            )));
        }
        Ok(())
    }

    pub async fn close(self) {
        self.catalogue.close().await;
    }
}
