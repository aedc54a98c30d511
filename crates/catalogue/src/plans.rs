//! Plans in the catalogue: saved whole (the plan is small), with an audit row.

use crate::OperationKind;
use fleet_core::plan::Plan;

use crate::error::{CatalogueError, Result};
use crate::stamps::insert_operation;
use crate::write::{write_audit_row, write_update_row};
use crate::Catalogue;

/// The operation kind of a plan apply.
pub const APPLY_PLAN_KIND: OperationKind = OperationKind::ApplyPlan;

impl Catalogue {
    /// The version plans are based on: the newest audit row (every change writes one);
    /// in a snapshot, the copied catalogue's version at the copy.
    pub async fn plan_base_version(&self) -> Result<i64> {
        match self.snapshot_origin().await? {
            Some(origin) => Ok(origin.version),
            None => self.catalogue_version().await,
        }
    }

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
    /// In a snapshot, `version` is the copied catalogue's: the changes counted are this
    /// file's own since the copy.
    pub async fn audit_rows_after(&self, version: i64) -> Result<i64> {
        let version = match self.snapshot_origin().await? {
            Some(origin) if version <= origin.version => origin.local_version,
            _ => version,
        };
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit WHERE id > $1 AND entity != 'plan'")
                .bind(version)
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .next()
                .ok_or(sqlx::Error::RowNotFound)?;
        Ok(n)
    }

    /// Saves `plan`; a plan of that name is replaced only when `replace`.
    pub async fn save_plan(&self, plan: &Plan, replace: bool, via: &str) -> Result<()> {
        let body = serde_json::to_string(plan)
            .map_err(|e| CatalogueError::Refused(format!("plan {}: {e}", plan.name)))?;
        let mut tx = self.write_tx().await?;
        let before: Option<(String,)> = sqlx::query_as("SELECT body FROM plans WHERE name = $1")
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
            "INSERT INTO plans (name, base_version, body) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET base_version = excluded.base_version, \
             body = excluded.body, updated_at = $4",
        )
        .bind(&plan.name)
        .bind(plan.base_version)
        .bind(&body)
        .bind(crate::sql::now_text())
        .execute(&mut *tx)
        .await?;
        let before: Option<Plan> = before.and_then(|(b,)| serde_json::from_str(&b).ok());
        write_audit_row(
            &mut tx,
            via,
            if before.is_some() { "update" } else { "create" },
            "plan",
            &plan.name,
            before.as_ref(),
            Some(plan),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn plan(&self, name: &str) -> Result<Option<Plan>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT body FROM plans WHERE name = $1")
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

    /// Deletes a plan, with its audit row; false when there was none.
    pub async fn delete_plan(&self, name: &str, via: &str) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let before: Option<(String,)> = sqlx::query_as("SELECT body FROM plans WHERE name = $1")
            .bind(name)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .next();
        let Some((body,)) = before else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM plans WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let before: Option<Plan> = serde_json::from_str(&body).ok();
        write_audit_row(
            &mut tx,
            via,
            "delete",
            "plan",
            name,
            before.as_ref(),
            None::<&Plan>,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
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

    /// Sets a stamp's capacity (a plan's "change capacity"), with its audit row.
    pub async fn set_stamp_capacity(
        &self,
        id: &fleet_core::StampId,
        units: u32,
        via: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let before: Option<(i64,)> =
            sqlx::query_as("SELECT capacity_units FROM stamps WHERE id = $1")
                .bind(id.as_str())
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .next();
        let Some((before,)) = before else {
            return Err(CatalogueError::Refused(format!("no stamp {id}")));
        };
        sqlx::query("UPDATE stamps SET capacity_units = $1 WHERE id = $2")
            .bind(i64::from(units))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        write_update_row(
            &mut tx,
            via,
            "stamp-capacity",
            id,
            &before,
            &i64::from(units),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a plan's action ran (the audit log links the change to the plan), and
    /// moves the apply operation's resume point past it, in one transaction.
    pub async fn plan_action_done(
        &self,
        operation: i64,
        plan: &str,
        index: usize,
        action: &fleet_core::plan::PlanAction,
        params: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        write_audit_row(
            &mut tx,
            &format!("plan:{plan}"),
            "apply",
            "plan-action",
            format!("{plan}#{}", index + 1),
            None,
            Some(action),
        )
        .await?;
        sqlx::query("UPDATE operations SET params = $1, updated_at = $3 WHERE id = $2")
            .bind(params)
            .bind(operation)
            .bind(crate::sql::now_text())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The applies of the plans there are now, newest first. An apply of an earlier plan
    /// of the same name (deleted since) is not one of them.
    pub async fn plan_applies(&self) -> Result<Vec<crate::Operation>> {
        Ok(sqlx::query_as(
            "SELECT o.* FROM operations o JOIN plans p ON p.name = o.subject \
             WHERE o.kind = 'apply-plan' AND o.started_at >= p.created_at ORDER BY o.id DESC",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Starts (or finds) the apply operation of a plan: a running or failed one resumes
    /// (only one of this plan: not of an earlier plan of the same name).
    pub async fn begin_plan_apply(&self, plan: &str, params: &str) -> Result<crate::Operation> {
        let mut tx = self.write_tx().await?;
        let open: Option<crate::Operation> = sqlx::query_as(
            "SELECT * FROM operations WHERE kind = 'apply-plan' AND subject = $1 \
             AND state IN ('running', 'failed') \
             AND started_at >= (SELECT created_at FROM plans WHERE name = $1) \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(plan)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .next();
        let op = match open {
            Some(op) => {
                sqlx::query("UPDATE operations SET state = 'running' WHERE id = $1")
                    .bind(op.id)
                    .execute(&mut *tx)
                    .await?;
                // Applying a paused or failed plan again is the operator's go: the pause
                // it stopped for is spent. (A pause asked of a killed run still holds.)
                if op.state == crate::OperationState::Failed {
                    sqlx::query("DELETE FROM move_cancels WHERE operation = $1")
                        .bind(op.id)
                        .execute(&mut *tx)
                        .await?;
                }
                op
            }
            None => {
                let id =
                    insert_operation(&mut tx, APPLY_PLAN_KIND, plan, "checked", params).await?;
                sqlx::query_as("SELECT * FROM operations WHERE id = $1")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .next()
                    .ok_or(sqlx::Error::RowNotFound)?
            }
        };
        tx.commit().await?;
        Ok(op)
    }

    /// Records usage samples (stamp, Unix seconds, units), one per stamp per hour: a later
    /// sample in the same hour replaces the earlier one.
    pub async fn record_usage(&self, samples: &[(fleet_core::StampId, i64, u32)]) -> Result<()> {
        if samples.is_empty() {
            return Ok(());
        }
        // The latest sample of each stamp's hour: one row may be written once per statement.
        let mut hourly: std::collections::BTreeMap<(&str, i64), i64> = Default::default();
        for (stamp, at, used) in samples {
            hourly.insert((stamp.as_str(), at - at.rem_euclid(3600)), i64::from(*used));
        }
        let mut qb =
            crate::sql::Statement::new("INSERT INTO usage_samples (stamp, at, used_units) ");
        qb.push_values(hourly, |b, ((stamp, hour), used)| {
            b.push_bind(stamp).push_bind(hour).push_bind(used);
        });
        qb.push(" ON CONFLICT (stamp, at) DO UPDATE SET used_units = excluded.used_units");
        let _turn = self.write_turn().await?;
        let mut conn = self.pool().acquire().await?;
        qb.execute(&mut conn).await?;
        Ok(())
    }

    /// Every stamp's usage samples since `since` (Unix seconds).
    pub async fn usage_since(
        &self,
        since: i64,
    ) -> Result<
        std::collections::HashMap<fleet_core::StampId, Vec<fleet_core::forecast::UsageSample>>,
    > {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT stamp, at, used_units FROM usage_samples WHERE at >= $1 ORDER BY stamp, at",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        let mut out: std::collections::HashMap<_, Vec<_>> = std::collections::HashMap::new();
        for (stamp, at, used) in rows {
            let id = fleet_core::StampId::new(stamp.as_str())
                .map_err(|e| crate::rows::bad("usage_samples", &stamp, e))?;
            out.entry(id)
                .or_default()
                .push(fleet_core::forecast::UsageSample {
                    at,
                    used_units: u32::try_from(used).unwrap_or(0),
                });
        }
        Ok(out)
    }
}
