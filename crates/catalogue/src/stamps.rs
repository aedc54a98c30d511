//! Changes to single stamps and the operation journal, each in one transaction with
//! its audit row.

use fleet_core::{Stamp, StampId, StampStatus};
use serde::Serialize;

use crate::error::{CatalogueError, Result};
use crate::rows::StampRow;
use crate::write::{insert_stamps, write_audit_row, write_update_row};
use crate::Catalogue;
use crate::{OperationKind, OperationState};

/// One journaled operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: OperationKind,
    pub subject: String,
    pub state: OperationState,
    pub step: String,
    pub detail: String,
    /// What the operation needs to resume, as JSON.
    pub params: String,
    pub started_at: String,
    pub updated_at: String,
}

/// A local agent's place on this machine.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LocalAgent {
    pub stamp: String,
    pub data_dir: String,
    pub port: i64,
}

impl Catalogue {
    pub async fn stamp(&self, id: &StampId) -> Result<Option<Stamp>> {
        let row: Option<StampRow> = sqlx::query_as("SELECT * FROM stamps WHERE id = $1")
            .bind(id.as_str())
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .next();
        row.map(StampRow::into_domain).transpose()
    }

    /// The recorded failure reason of a stamp, if any.
    pub async fn stamp_failure(&self, id: &StampId) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT failure FROM stamps WHERE id = $1")
                .bind(id.as_str())
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .next();
        Ok(row.and_then(|r| r.0))
    }

    /// Adds a stamp and opens an operation for it, in one transaction.
    pub async fn insert_stamp_with_operation(
        &self,
        stamp: &Stamp,
        kind: OperationKind,
        params: &str,
        via: &str,
        provider: Option<&str>,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        if sqlx::query("SELECT 1 FROM stamps WHERE id = $1")
            .bind(stamp.id.as_str())
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .next()
            .is_some()
        {
            return Err(CatalogueError::Refused(format!(
                "stamp {} already exists",
                stamp.id
            )));
        }
        insert_stamps(&mut tx, std::slice::from_ref(stamp)).await?;
        if let Some(provider) = provider {
            sqlx::query("INSERT INTO stamp_providers (stamp, provider) VALUES ($1, $2)")
                .bind(stamp.id.as_str())
                .bind(provider)
                .execute(&mut *tx)
                .await?;
        }
        write_audit_row(
            &mut tx,
            via,
            "create",
            "stamp",
            &stamp.id,
            None,
            Some(stamp),
        )
        .await?;
        let id = insert_operation(&mut tx, kind, stamp.id.as_str(), "created", params).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The named operator provider that made `stamp` (schema 17); none for local agents
    /// and adopted stamps.
    pub async fn stamp_provider(&self, stamp: &StampId) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT provider FROM stamp_providers WHERE stamp = $1")
                .bind(stamp.as_str())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(name,)| name))
    }

    /// Moves a stamp to `status` (checking the lifecycle), optionally with an endpoint and
    /// a failure reason, writing the audit row in the same transaction.
    pub async fn set_stamp_status(
        &self,
        id: &StampId,
        status: StampStatus,
        endpoint: Option<&str>,
        failure: Option<&str>,
        via: &str,
    ) -> Result<Stamp> {
        let mut tx = self.write_tx().await?;
        let before = stamp_in(&mut tx, id).await?;
        if before.status != status && !before.status.can_become(status) {
            return Err(CatalogueError::Refused(format!(
                "stamp {id} cannot go from {} to {}",
                before.status.as_str(),
                status.as_str()
            )));
        }
        if status == StampStatus::Retired {
            let (bound,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM bindings WHERE stamp = $1")
                .bind(id.as_str())
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .next()
                .ok_or(sqlx::Error::RowNotFound)?;
            if bound > 0 {
                return Err(CatalogueError::Refused(format!(
                    "stamp {id} still holds {bound} tenant(s); move them before retiring it"
                )));
            }
        }
        let after = Stamp {
            status,
            endpoint: endpoint.map(str::to_owned).or(before.endpoint.clone()),
            ..before.clone()
        };
        sqlx::query("UPDATE stamps SET status = $1, endpoint = $2, failure = $3 WHERE id = $4")
            .bind(status.as_str())
            .bind(&after.endpoint)
            .bind(failure)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        write_update_row(&mut tx, via, "stamp", id, &before, &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records the step an operation is about to run (or its end), appending `detail`
    /// (when not empty) to the operation's log.
    pub async fn journal(
        &self,
        operation: i64,
        state: OperationState,
        step: &str,
        detail: &str,
    ) -> Result<()> {
        let _turn = self.write_turn().await?;
        sqlx::query(
            "UPDATE operations SET state = $1, step = $2, \
             detail = CASE WHEN $3 = '' THEN detail WHEN detail = '' THEN $3 ELSE detail || $5 || $3 END, \
             updated_at = $6 WHERE id = $4",
        )
        .bind(state)
        .bind(step)
        .bind(detail)
        .bind(operation)
        .bind("\n")
        .bind(crate::sql::now_text())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Replaces what operation `operation` needs to resume.
    pub async fn set_operation_params(&self, operation: i64, params: &str) -> Result<()> {
        let _turn = self.write_turn().await?;
        sqlx::query("UPDATE operations SET params = $1, updated_at = $2 WHERE id = $3")
            .bind(params)
            .bind(crate::sql::now_text())
            .bind(operation)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn running_operations(&self) -> Result<Vec<Operation>> {
        Ok(
            sqlx::query_as("SELECT * FROM operations WHERE state = 'running' ORDER BY id")
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn operations(&self, limit: u32) -> Result<Vec<Operation>> {
        Ok(
            sqlx::query_as("SELECT * FROM operations ORDER BY id DESC LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn set_local_agent(&self, stamp: &StampId, data_dir: &str, port: u16) -> Result<()> {
        let _turn = self.write_turn().await?;
        sqlx::query("INSERT INTO local_agents (stamp, data_dir, port) VALUES ($1, $2, $3) ON CONFLICT (stamp) DO UPDATE SET data_dir = excluded.data_dir, port = excluded.port")
            .bind(stamp.as_str())
            .bind(data_dir)
            .bind(i64::from(port))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn local_agents(&self) -> Result<Vec<LocalAgent>> {
        Ok(sqlx::query_as("SELECT * FROM local_agents ORDER BY stamp")
            .fetch_all(self.pool())
            .await?)
    }
}

/// Opens a running operation of `kind` on `subject` at `step`; its id.
pub(crate) async fn insert_operation(
    conn: &mut sqlx::AnyConnection,
    kind: OperationKind,
    subject: &str,
    step: &str,
    params: &str,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO operations (kind, subject, state, step, params) \
         VALUES ($1, $2, 'running', $3, $4) RETURNING id",
    )
    .bind(kind)
    .bind(subject)
    .bind(step)
    .bind(params)
    .fetch_all(conn)
    .await?
    .into_iter()
    .next()
    .ok_or(sqlx::Error::RowNotFound)?;
    Ok(id)
}

impl Catalogue {
    /// Opens a running operation of `kind` on `subject` at `step`, with what it needs to
    /// resume (`params`, JSON). Returns its id.
    pub async fn open_operation(
        &self,
        kind: OperationKind,
        subject: &str,
        step: &str,
        params: &str,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let id = insert_operation(&mut tx, kind, subject, step, params).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// Moves operation `id` to journal step `step` (and to `state`, when one is given).
pub(crate) async fn set_operation_step(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    state: Option<OperationState>,
    step: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE operations SET state = COALESCE($1, state), step = $2, \
         updated_at = $4 WHERE id = $3",
    )
    .bind(state)
    .bind(step)
    .bind(id)
    .bind(crate::sql::now_text())
    .execute(conn)
    .await?;
    Ok(())
}

/// The running operation of `kind` on `subject`, if one is.
pub(crate) async fn running_operation(
    conn: &mut sqlx::AnyConnection,
    kind: OperationKind,
    subject: &str,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM operations WHERE kind = $1 AND subject = $2 AND state = 'running'",
    )
    .bind(kind)
    .bind(subject)
    .fetch_all(conn)
    .await?
    .into_iter()
    .next();
    Ok(row.map(|(id,)| id))
}

/// Stamp `id` as `conn` sees it (in a write transaction: before it changes); refused
/// when there is none.
pub(crate) async fn stamp_in(conn: &mut sqlx::AnyConnection, id: &StampId) -> Result<Stamp> {
    let row: Option<StampRow> = sqlx::query_as("SELECT * FROM stamps WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(conn)
        .await?;
    row.map(StampRow::into_domain)
        .transpose()?
        .ok_or_else(|| CatalogueError::Refused(format!("no stamp {id}")))
}
