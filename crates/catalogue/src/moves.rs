//! Tenant moves in the catalogue: starting one (journaled), the cut-over (the binding
//! flips by compare-and-swap on its version, in the same transaction as the journal
//! step), cancellation requests, and the routing table routers poll.

use crate::OperationKind;
use fleet_core::{Binding, StampId, TenantId};
use serde::Serialize;

use crate::error::{CatalogueError, Result};
use crate::stamps::{insert_operation, running_operation, set_operation_step};
use crate::write::write_update_row;
use crate::Catalogue;

/// The journal kind of a tenant move.
pub const MOVE_KIND: OperationKind = OperationKind::MoveTenant;

/// Where every tenant lives, and the version of that answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RoutingTable {
    #[ts(type = "number")]
    pub version: i64,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub tenant: String,
    pub stamp: String,
    /// The stamp's base URL; none while it has no endpoint.
    pub endpoint: Option<String>,
}

/// The stamp `tenant` is bound to and the binding's version, as stored; none when unbound.
pub(crate) async fn binding_row<'c>(
    conn: impl sqlx::AnyExecutor<'c>,
    tenant: &TenantId,
) -> Result<Option<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT stamp, version FROM bindings WHERE tenant = $1")
            .bind(tenant.as_str())
            .fetch_all(conn)
            .await?
            .into_iter()
            .next(),
    )
}

impl Catalogue {
    /// Records a move of `tenant` from `from` (at binding `version`) to `to` as a running
    /// operation; refused when the tenant is not on `from` at that version or already moving.
    pub async fn begin_move(
        &self,
        tenant: &TenantId,
        from: &StampId,
        to: &StampId,
        version: i64,
        params: &str,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        match binding_row(&mut *tx, tenant).await? {
            Some((s, v)) if s == from.as_str() && v == version => {}
            Some((s, _)) => {
                return Err(CatalogueError::Refused(format!(
                    "tenant {tenant} lives on {s} now, not {from}"
                )))
            }
            None => {
                return Err(CatalogueError::Refused(format!(
                    "tenant {tenant} is not bound to a stamp"
                )))
            }
        }
        if let Some(op) = running_operation(&mut tx, MOVE_KIND, tenant.as_str()).await? {
            return Err(CatalogueError::Refused(format!(
                "tenant {tenant} is already moving (operation {op})"
            )));
        }
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM stamps WHERE id = $1")
            .bind(to.as_str())
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .next();
        if exists.is_none() {
            return Err(CatalogueError::Refused(format!("no stamp {to}")));
        }
        let id = insert_operation(&mut tx, MOVE_KIND, tenant.as_str(), "planned", params).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The cut-over: binds `tenant` to `to` if it is still on `from` at `version`, and
    /// journals `flipped`, in one transaction. Repeating it after success is a no-op.
    pub async fn flip_binding(
        &self,
        operation: i64,
        tenant: &TenantId,
        from: &StampId,
        to: &StampId,
        version: i64,
        via: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE bindings SET stamp = $1, version = version + 1 \
             WHERE tenant = $2 AND stamp = $3 AND version = $4",
        )
        .bind(to.as_str())
        .bind(tenant.as_str())
        .bind(from.as_str())
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            match binding_row(&mut *tx, tenant).await? {
                Some((s, v)) if s == to.as_str() && v == version + 1 => return Ok(()),
                other => {
                    return Err(CatalogueError::Refused(format!(
                        "the binding of {tenant} changed under the move (now {other:?}, expected {from} at version {version})"
                    )))
                }
            }
        }
        let before = Binding {
            tenant: tenant.clone(),
            stamp: from.clone(),
            version: u32::try_from(version).unwrap_or(0),
        };
        let after = Binding {
            stamp: to.clone(),
            version: before.version + 1,
            ..before.clone()
        };
        write_update_row(&mut tx, via, "binding", tenant, &before, &after).await?;
        set_operation_step(&mut tx, operation, None, "flipped").await?;
        tx.commit().await?;
        Ok(())
    }

    /// The stamp a tenant is bound to, with the binding's version.
    pub async fn binding(&self, tenant: &TenantId) -> Result<Option<(StampId, i64)>> {
        binding_row(self.pool(), tenant)
            .await?
            .map(|(s, v)| {
                StampId::new(s)
                    .map(|s| (s, v))
                    .map_err(|e| crate::rows::bad("bindings", tenant.as_str(), e))
            })
            .transpose()
    }

    pub async fn request_cancel(&self, operation: i64) -> Result<()> {
        let _turn = self.write_turn().await?;
        sqlx::query("INSERT INTO move_cancels (operation) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(operation)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn cancel_requested(&self, operation: i64) -> Result<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT operation FROM move_cancels WHERE operation = $1")
                .bind(operation)
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .next();
        Ok(row.is_some())
    }

    pub async fn operation(&self, id: i64) -> Result<Option<crate::Operation>> {
        Ok(sqlx::query_as("SELECT * FROM operations WHERE id = $1")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .next())
    }

    /// Every tenant's stamp and endpoint, read in one transaction with the version.
    pub async fn routes(&self) -> Result<RoutingTable> {
        let mut tx = self.pool().begin_with(self.backend().begin_read()).await?;
        let (version,): (i64,) = sqlx::query_as("SELECT version FROM routing WHERE id = 1")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .next()
            .ok_or(sqlx::Error::RowNotFound)?;
        let routes: Vec<Route> = sqlx::query_as(
            "SELECT b.tenant, b.stamp, s.endpoint FROM bindings b JOIN stamps s ON s.id = b.stamp \
             ORDER BY b.tenant",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RoutingTable { version, routes })
    }

    /// Operations of one kind, newest first.
    pub async fn operations_of_kind(
        &self,
        kind: OperationKind,
        limit: u32,
    ) -> Result<Vec<crate::Operation>> {
        Ok(
            sqlx::query_as("SELECT * FROM operations WHERE kind = $1 ORDER BY id DESC LIMIT $2")
                .bind(kind)
                .bind(i64::from(limit))
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Moves that finished (`done`) more than `hours` ago and were not cleaned up yet.
    pub async fn finished_moves_older_than(&self, hours: u32) -> Result<Vec<crate::Operation>> {
        Ok(sqlx::query_as(
            "SELECT * FROM operations WHERE kind = $1 AND state = 'succeeded' AND step = 'done' \
             AND updated_at <= $2 ORDER BY id",
        )
        .bind(MOVE_KIND)
        .bind(crate::sql::time_text(
            time::OffsetDateTime::now_utc() - time::Duration::hours(i64::from(hours)),
        ))
        .fetch_all(self.pool())
        .await?)
    }
}
