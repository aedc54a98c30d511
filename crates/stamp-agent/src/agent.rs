//! The agent's shared state: what this stamp is, its store, its tokens.

use std::sync::Arc;

use axum::extract::State;
use sqlx::SqlitePool;

use crate::auth::Tokens;
use crate::store;

/// What this stamp is, from its flags.
#[derive(Debug, Clone)]
pub struct Identity {
    pub stamp_id: String,
    pub region: String,
    pub template_version: String,
    pub capacity_units: u32,
}

pub struct Agent {
    pub pool: SqlitePool,
    pub tokens: Tokens,
    pub identity: Identity,
    /// How long and how far back the change log is kept.
    pub log_limits: store::LogLimits,
    /// Mutations run one at a time: idempotency checks and writes stay consistent.
    pub writer: std::sync::Arc<crate::writer_lock::WriterLock>,
    /// Operators enrolled by name (their tokens' SHA-256), as the store has them.
    pub operators: std::sync::RwLock<crate::operators::Enrolled>,
    /// The fleet's public keys (tenant tokens they sign are accepted), as the store has them.
    pub fleet_keys: std::sync::RwLock<crate::fleet_keys::FleetKeys>,
    /// Test faults given at start (named as such in `upgrade::Faults`).
    pub faults: crate::upgrade::Faults,
    /// What the agent restarts from into a new version (`rounds`).
    pub launch: std::sync::Weak<crate::rounds::Launch>,
    /// Which of the launch's rounds this agent is (`Launch::is_current`).
    pub round: u64,
    /// How long an upgrade waits before its migration step (demo and benchmarks).
    pub upgrade_delay: std::time::Duration,
    /// Tenant requests and their server errors over the last minute.
    pub traffic: crate::traffic::Traffic,
    /// Large values' files beside the store (shared by every round).
    pub values: Arc<crate::value_files::ValueFiles>,
}

impl Agent {
    /// The enrolled operators now.
    pub fn operators(&self) -> std::sync::RwLockReadGuard<'_, crate::operators::Enrolled> {
        self.operators
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Agent {
    /// The fleet keys now.
    pub fn fleet_keys(&self) -> std::sync::RwLockReadGuard<'_, crate::fleet_keys::FleetKeys> {
        self.fleet_keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The agent as handlers receive it.
pub(crate) type Shared = State<Arc<Agent>>;
