//! The agent's life in rounds, one per template version: a round opens the store, settles
//! an upgrade a restart or kill left open, and builds the agent and its router. The
//! listening socket and its connections outlive rounds: every request goes to the
//! current round's router, so restarting into a new version (`restart`) closes no
//! connection and fails no request. The writer lock is shared by all rounds, so a
//! write still running in the old round and one in the new never overlap.

use std::sync::{Arc, RwLock, Weak};

use axum::extract::Request;
use axum::Router;
use sqlx::SqlitePool;
use tower::ServiceExt;

use crate::{agent, auth, fleet_keys, operators, router, store, traffic, upgrade, value_files};

/// What every round is built from: the agent's flags and what outlives rounds.
pub struct Launch {
    pub data_dir: std::path::PathBuf,
    pub token: String,
    pub stamp_id: String,
    pub region: String,
    /// The version the stamp was provisioned from (its flag).
    pub provisioned_version: String,
    pub capacity_units: u32,
    pub log_limits: store::LogLimits,
    pub faults: upgrade::Faults,
    pub upgrade_delay: std::time::Duration,
    pub writer: Arc<crate::writer_lock::WriterLock>,
    /// Opened by the first round, which also checks and sweeps them.
    values: std::sync::OnceLock<Arc<value_files::ValueFiles>>,
    current: RwLock<Option<(Router, SqlitePool)>>,
    /// The current round's number (each `start_round` counts one more).
    round: std::sync::atomic::AtomicU64,
}

impl Launch {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        data_dir: std::path::PathBuf,
        token: String,
        stamp_id: String,
        region: String,
        provisioned_version: String,
        capacity_units: u32,
        log_limits: store::LogLimits,
        faults: upgrade::Faults,
        upgrade_delay: std::time::Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            data_dir,
            token,
            stamp_id,
            region,
            provisioned_version,
            capacity_units,
            log_limits,
            faults,
            upgrade_delay,
            writer: Arc::default(),
            values: std::sync::OnceLock::new(),
            current: RwLock::new(None),
            round: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Opens the next round and makes it current; the previous round's pool closes once
    /// its last request has ended (dropped). Returns the version the stamp now runs.
    pub async fn start_round(self: &Arc<Self>) -> Result<String, String> {
        let pool = store::open(&self.data_dir).await?;
        let running = upgrade::running_version(&pool, &self.provisioned_version).await?;
        upgrade::settle(&pool, &running).await?;
        let enrolled = operators::load(&pool)
            .await
            .map_err(|e| format!("enrolled operators: {e}"))?;
        let keys = fleet_keys::load(&pool)
            .await
            .map_err(|e| format!("fleet keys: {e}"))?;
        let values = match self.values.get() {
            Some(values) => values.clone(),
            None => {
                let values = value_files::ValueFiles::open(&self.data_dir)?;
                // Nothing runs yet: an import a crash cut short is checked, then every
                // file no row names (and every half-written one) goes.
                value_files::check_imports(&values, &pool).await?;
                let removed = match values.sweep(&pool, true).await {
                    Ok(swept) => swept.remove().await,
                    Err(e) => Err(e),
                }
                .map_err(|e| format!("sweeping value files: {e}"))?;
                if removed > 0 {
                    tracing::info!(removed, "value files no row names were removed");
                }
                self.values.get_or_init(|| values).clone()
            }
        };
        let round = self.round.load(std::sync::atomic::Ordering::SeqCst) + 1;
        let agent = Arc::new(agent::Agent {
            log_limits: self.log_limits,
            pool: pool.clone(),
            tokens: auth::Tokens::new(self.token.clone()),
            identity: agent::Identity {
                stamp_id: self.stamp_id.clone(),
                region: self.region.clone(),
                template_version: running.clone(),
                capacity_units: self.capacity_units,
            },
            writer: self.writer.clone(),
            operators: std::sync::RwLock::new(enrolled),
            fleet_keys: std::sync::RwLock::new(keys),
            faults: self.faults.clone(),
            upgrade_delay: self.upgrade_delay,
            traffic: traffic::Traffic::default(),
            launch: Arc::downgrade(self),
            round,
            values,
        });
        // The previous round's pool is not closed here: requests of that round may still
        // be running; it closes when the last of them has ended and dropped it.
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((router::router(agent), pool));
        self.round.store(round, std::sync::atomic::Ordering::SeqCst);
        Ok(running)
    }

    /// Whether `round` is still the current round (a restart into a new version or a
    /// shutdown ends it: what a request held open looks at).
    pub fn is_current(&self, round: u64) -> bool {
        self.round.load(std::sync::atomic::Ordering::SeqCst) == round
    }

    fn router(&self) -> Option<Router> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|(r, _)| r.clone())
    }

    /// The service the socket serves: each request to the current round's router.
    pub fn service(self: &Arc<Self>) -> Router {
        let launch = self.clone();
        Router::new().fallback(move |request: Request| {
            let router = launch.router();
            async move {
                match router {
                    Some(router) => router.oneshot(request).await.unwrap_or_else(|e| match e {}),
                    None => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
                }
            }
        })
    }

    /// Closes the current round's store (at shutdown).
    pub async fn close(&self) {
        let current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some((_, pool)) = current {
            pool.close().await;
        }
    }
}

/// Restarts the agent of `launch` into the version its store now records.
pub async fn restart(launch: &Weak<Launch>) -> Result<String, String> {
    let launch = launch
        .upgrade()
        .ok_or_else(|| "the agent is stopping".to_owned())?;
    // Opening the store writes (migrations, settling): under the writer lock, so no
    // write of the old round meets it.
    let _writer = launch.writer.lock().await;
    launch.start_round().await
}

use axum::response::IntoResponse;
