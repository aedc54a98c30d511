//! Drift findings an operator ignores, with the reason (schema 15): one row per finding
//! (kind, stamp, tenant), holding the difference as it was seen, so a finding that
//! changes shows again. Each ignore and its end is audited.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::write::write_audit_row;
use crate::{Catalogue, CatalogueError, Result};

/// One ignored finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DriftIgnore {
    /// The finding's kind (`orphan`, `missing`, `size`, ...).
    pub kind: String,
    pub stamp: String,
    /// "" when the finding is about the stamp itself.
    pub tenant: String,
    /// What differed when it was ignored.
    pub detail: String,
    pub reason: String,
    /// Who ignored it.
    pub actor: String,
    pub ignored_at: String,
}

#[derive(Serialize)]
struct Why<'a> {
    detail: &'a str,
    reason: &'a str,
}

impl Catalogue {
    /// Every ignored finding, by stamp, tenant, kind.
    pub async fn drift_ignores(&self) -> Result<Vec<DriftIgnore>> {
        Ok(
            sqlx::query_as("SELECT * FROM drift_ignores ORDER BY stamp, tenant, kind")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Ignores a finding (or changes why), audited.
    pub async fn ignore_drift(
        &self,
        kind: &str,
        stamp: &str,
        tenant: &str,
        detail: &str,
        reason: &str,
        via: &str,
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(CatalogueError::Refused(
                "reason: say why in 1 to 500 characters".to_owned(),
            ));
        }
        let mut tx = self.write_tx().await?;
        let actor = tx.operator.to_string();
        sqlx::query(
            "INSERT INTO drift_ignores (kind, stamp, tenant, detail, reason, actor, ignored_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kind, stamp, tenant) DO UPDATE \
             SET detail = excluded.detail, reason = excluded.reason, actor = excluded.actor, \
             ignored_at = excluded.ignored_at",
        )
        .bind(kind)
        .bind(stamp)
        .bind(tenant)
        .bind(detail)
        .bind(reason)
        .bind(&actor)
        .bind(crate::sql::now_text())
        .execute(&mut *tx)
        .await?;
        let id = format!("{kind}:{stamp}:{tenant}");
        let why = Why { detail, reason };
        write_audit_row(&mut tx, via, "ignore", "drift", id, None, Some(&why)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops ignoring a finding (nothing when it was not ignored), audited.
    pub async fn unignore_drift(
        &self,
        kind: &str,
        stamp: &str,
        tenant: &str,
        via: &str,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let done =
            sqlx::query("DELETE FROM drift_ignores WHERE kind = $1 AND stamp = $2 AND tenant = $3")
                .bind(kind)
                .bind(stamp)
                .bind(tenant)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
        if done {
            let id = format!("{kind}:{stamp}:{tenant}");
            write_audit_row::<()>(&mut tx, via, "unignore", "drift", id, None, None).await?;
        }
        tx.commit().await?;
        Ok(done)
    }
}
