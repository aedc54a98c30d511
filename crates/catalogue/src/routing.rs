//! Routing for real (schema 18): the fleet's signing keys (public halves only) and the
//! routers attached to the routing table, with each one's sync state. Key and router
//! changes are audited; a sync's progress is state, not history, and is not.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::write::write_audit_row;
use crate::{Catalogue, CatalogueError, Result};

/// One of the fleet's signing keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FleetKeyRecord {
    pub kid: String,
    /// Ed25519, base64url without padding.
    pub public_key: String,
    pub created_at: String,
    /// When it was taken back from the stamps; none while tokens it signs are valid.
    pub retired_at: Option<String>,
}

/// A router attached to the routing table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterRecord {
    pub name: String,
    /// `haproxy`.
    pub kind: String,
    /// Its Runtime API: a unix socket path, or `HOST:PORT`.
    pub admin_socket: String,
    /// The map file of tenant -> stamp, as the router's configuration names it.
    pub tenants_map: String,
    /// The map file of stamp -> address.
    pub stamps_map: String,
    /// The routing table's version the router's maps hold; none before a first sync.
    #[ts(type = "number | null")]
    pub synced_version: Option<i64>,
    pub synced_at: Option<String>,
    /// From the last binding change to the router's map taking it, in milliseconds.
    #[ts(type = "number | null")]
    pub lag_ms: Option<i64>,
    /// Why the last sync failed; none when it succeeded.
    pub last_error: Option<String>,
}

/// What a sync attempt of one router came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouterSync<'a> {
    /// Its maps hold this routing version now; the lag when one was measured.
    Synced {
        version: i64,
    },
    /// One route reached its map this long after its binding changed.
    Pushed {
        lag_ms: i64,
    },
    Failed(&'a str),
}

impl Catalogue {
    /// The fleet's keys, oldest first.
    pub async fn fleet_keys(&self) -> Result<Vec<FleetKeyRecord>> {
        Ok(
            sqlx::query_as("SELECT * FROM fleet_keys ORDER BY created_at, kid")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Records a new fleet key, audited.
    pub async fn add_fleet_key(&self, kid: &str, public_key: &str, via: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let record = FleetKeyRecord {
            kid: kid.to_owned(),
            public_key: public_key.to_owned(),
            created_at: crate::sql::now_text(),
            retired_at: None,
        };
        sqlx::query("INSERT INTO fleet_keys (kid, public_key, created_at) VALUES ($1, $2, $3)")
            .bind(&record.kid)
            .bind(&record.public_key)
            .bind(&record.created_at)
            .execute(&mut *tx)
            .await?;
        write_audit_row(
            &mut tx,
            via,
            "create",
            "fleet-key",
            kid,
            None,
            Some(&record),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks key `kid` retired (taken back from the stamps), audited.
    pub async fn retire_fleet_key(&self, kid: &str, via: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE fleet_keys SET retired_at = $2 WHERE kid = $1 AND retired_at IS NULL",
        )
        .bind(kid)
        .bind(crate::sql::now_text())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(CatalogueError::Refused(format!(
                "no fleet key {kid} in use"
            )));
        }
        write_audit_row::<()>(&mut tx, via, "retire", "fleet-key", kid, None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The attached routers, by name.
    pub async fn routers(&self) -> Result<Vec<RouterRecord>> {
        Ok(sqlx::query_as("SELECT * FROM routers ORDER BY name")
            .fetch_all(self.pool())
            .await?)
    }

    /// Attaches a router (or changes where it is), audited; its sync starts over.
    pub async fn attach_router(&self, router: &RouterRecord, via: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO routers (name, kind, admin_socket, tenants_map, stamps_map) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, \
             admin_socket = excluded.admin_socket, tenants_map = excluded.tenants_map, \
             stamps_map = excluded.stamps_map, synced_version = NULL, synced_at = NULL, \
             lag_ms = NULL, last_error = NULL",
        )
        .bind(&router.name)
        .bind(&router.kind)
        .bind(&router.admin_socket)
        .bind(&router.tenants_map)
        .bind(&router.stamps_map)
        .execute(&mut *tx)
        .await?;
        write_audit_row(
            &mut tx,
            via,
            "attach",
            "router",
            &router.name,
            None,
            Some(router),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Detaches router `name`, audited; false when none was attached by that name.
    pub async fn detach_router(&self, name: &str, via: &str) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM routers WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if done {
            write_audit_row::<()>(&mut tx, via, "detach", "router", name, None, None).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Records how a sync of router `name` went. A version never goes back: a slower
    /// sync of an older table finishing late leaves the newer version recorded.
    pub async fn record_router_sync(&self, name: &str, outcome: RouterSync<'_>) -> Result<()> {
        let now = crate::sql::now_text();
        let query = match outcome {
            RouterSync::Synced { version } => sqlx::query(
                "UPDATE routers SET synced_version = $2, synced_at = $3, last_error = NULL \
                 WHERE name = $1 AND (synced_version IS NULL OR synced_version <= $2)",
            )
            .bind(name)
            .bind(version)
            .bind(now),
            RouterSync::Pushed { lag_ms } => {
                sqlx::query("UPDATE routers SET lag_ms = $2 WHERE name = $1")
                    .bind(name)
                    .bind(lag_ms)
            }
            RouterSync::Failed(error) => {
                sqlx::query("UPDATE routers SET last_error = $2, synced_at = $3 WHERE name = $1")
                    .bind(name)
                    .bind(error.chars().take(500).collect::<String>())
                    .bind(now)
            }
        };
        query.execute(self.pool()).await?;
        Ok(())
    }

    /// The routing table's version alone (cheap: one row).
    pub async fn routing_version(&self) -> Result<i64> {
        let (version,): (i64,) = sqlx::query_as("SELECT version FROM routing WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(version)
    }
}
