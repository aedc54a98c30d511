//! Plans in the catalogue: saved whole (the plan is small), with an audit row.

use fleet_core::plan::Plan;

use crate::error::{CatalogueError, Result};
use crate::write::{write_audit, AuditRecord};
use crate::Catalogue;

impl Catalogue {
    /// The catalogue's version: its newest audit row (every change writes one).
    pub async fn catalogue_version(&self) -> Result<i64> {
        let (v,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM audit")
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .next()
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok(v)
    }

    /// How many changes (audit rows) came after `version`, plans' own edits not counted.
    pub async fn audit_rows_after(&self, version: i64) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit WHERE id > ? AND entity != 'plan'")
                .bind(version)
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .next()
                .ok_or(sqlx::Error::RowNotFound)?;
        Ok(n)
    }

    /// Saves `plan`; a plan of that name is replaced only when `replace`.
    pub async fn save_plan(&self, plan: &Plan, replace: bool, actor: &str) -> Result<()> {
        let body = serde_json::to_string(plan)
            .map_err(|e| CatalogueError::Refused(format!("plan {}: {e}", plan.name)))?;
        let mut tx = self.write_tx().await?;
        let before: Option<(String,)> = sqlx::query_as("SELECT body FROM plans WHERE name = ?")
            .bind(&plan.name)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .next();
        if before.is_some() && !replace {
            return Err(CatalogueError::Refused(format!(
                "a plan named {:?} exists already",
                plan.name
            )));
        }
        sqlx::query(
            "INSERT INTO plans (name, base_version, body) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET base_version = excluded.base_version, \
             body = excluded.body, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(&plan.name)
        .bind(plan.base_version)
        .bind(&body)
        .execute(&mut *tx)
        .await?;
        let before: Option<Plan> = before.and_then(|(b,)| serde_json::from_str(&b).ok());
        write_audit(
            &mut tx,
            &[AuditRecord::new(
                actor,
                if before.is_some() { "update" } else { "create" },
                "plan",
                &plan.name,
                before.as_ref(),
                Some(plan),
            )?],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn plan(&self, name: &str) -> Result<Option<Plan>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT body FROM plans WHERE name = ?")
            .bind(name)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .next();
        row.map(|(body,)| {
            serde_json::from_str(&body).map_err(|e| crate::rows::bad("plans", name, e))
        })
        .transpose()
    }

    /// Every plan, by name.
    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, body FROM plans ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(name, body)| {
                serde_json::from_str(&body).map_err(|e| crate::rows::bad("plans", &name, e))
            })
            .collect()
    }
}
