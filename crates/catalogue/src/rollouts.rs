//! Template versions and rollouts as the catalogue keeps them. A rollout is an
//! operation of the journal (kind `rollout`, subject: its template; one running per
//! template): its state, spec included, is the operation's params, rewritten at each
//! step. Operators' pause and abort requests wait in `rollout_requests` for the runner.

use fleet_core::{StampTemplate, TemplateName};
use sqlx::FromRow;

use crate::rows::TemplateRow;
use crate::stamps::{insert_operation, running_operation};
use crate::write::{insert_templates, write_audit_row};
use crate::{Catalogue, CatalogueError, OperationKind, OperationState, Result};

/// What an operator asks of a running rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutRequest {
    Pause,
    Abort,
}

impl RolloutRequest {
    fn as_str(self) -> &'static str {
        match self {
            RolloutRequest::Pause => "pause",
            RolloutRequest::Abort => "abort",
        }
    }
}

#[derive(FromRow)]
struct RequestRow {
    request: String,
}

impl Catalogue {
    /// Every version of every template (of `name` only, when given), by name then version.
    pub async fn template_versions(
        &self,
        name: Option<&TemplateName>,
    ) -> Result<Vec<StampTemplate>> {
        let rows: Vec<TemplateRow> = sqlx::query_as("SELECT * FROM templates ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        let mut templates = rows
            .into_iter()
            .map(TemplateRow::into_domain)
            .collect::<Result<Vec<_>>>()?;
        templates.retain(|t| name.is_none_or(|n| &t.name == n));
        templates.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        Ok(templates)
    }

    /// Adds a template version (a new template, or a new version of one); refused when
    /// that version exists, since stamps may run it as it is.
    pub async fn add_template_version(&self, template: &StampTemplate, via: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let known: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM templates WHERE name = $1 AND version = $2")
                .bind(template.name.as_str())
                .bind(template.version.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_some() {
            return Err(CatalogueError::Refused(format!(
                "template {}@{} exists already: a version is never changed once made (add {}.{}.{} instead?)",
                template.name,
                template.version,
                template.version.parts()[0],
                template.version.parts()[1],
                template.version.parts()[2] + 1
            )));
        }
        insert_templates(&mut tx, std::slice::from_ref(template)).await?;
        write_audit_row(
            &mut tx,
            via,
            "create",
            "template",
            format!("{}@{}", template.name, template.version),
            None,
            Some(template),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens the rollout of `template` with its first state; refused while another
    /// rollout of that template runs.
    pub async fn begin_rollout(
        &self,
        template: &TemplateName,
        state: &str,
        via: &str,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        if let Some(id) =
            running_operation(&mut tx, OperationKind::Rollout, template.as_str()).await?
        {
            return Err(CatalogueError::Refused(format!(
                "rollout {id} of template {template} has not ended: pause, resume or abort it first"
            )));
        }
        let id = insert_operation(
            &mut tx,
            OperationKind::Rollout,
            template.as_str(),
            "wave-1",
            state,
        )
        .await?;
        write_audit_row(
            &mut tx,
            via,
            "start",
            "rollout",
            id,
            None,
            Some(&serde_json::json!({ "template": template })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves a rollout's state (and where the journal says it is); answers when the
    /// rollout started and this save's time.
    pub async fn save_rollout(
        &self,
        operation: i64,
        state: &str,
        journal: OperationState,
        step: &str,
    ) -> Result<(String, String)> {
        let _turn = self.write_turn().await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "UPDATE operations SET params = $1, state = $2, step = $3, updated_at = $4 \
             WHERE id = $5 RETURNING started_at, updated_at",
        )
        .bind(state)
        .bind(journal)
        .bind(step)
        .bind(crate::sql::now_text())
        .bind(operation)
        .fetch_optional(self.pool())
        .await?;
        row.ok_or_else(|| CatalogueError::Refused(format!("no rollout {operation}")))
    }

    /// Writes the audit row of an operator's decision on a rollout (approve, pause, abort).
    pub async fn audit_rollout(&self, operation: i64, action: &str, via: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        write_audit_row::<()>(&mut tx, via, action, "rollout", operation, None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Leaves a request for the runner of rollout `operation`.
    pub async fn request_rollout(&self, operation: i64, request: RolloutRequest) -> Result<()> {
        let _turn = self.write_turn().await?;
        sqlx::query("INSERT INTO rollout_requests (operation, request) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(operation)
            .bind(request.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The requests waiting for rollout `operation` (abort first), taken: each is seen once.
    pub async fn take_rollout_requests(&self, operation: i64) -> Result<Vec<RolloutRequest>> {
        let rows: Vec<RequestRow> =
            sqlx::query_as("SELECT request FROM rollout_requests WHERE operation = $1")
                .bind(operation)
                .fetch_all(self.pool())
                .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let _turn = self.write_turn().await?;
        sqlx::query("DELETE FROM rollout_requests WHERE operation = $1")
            .bind(operation)
            .execute(self.pool())
            .await?;
        let mut requests: Vec<RolloutRequest> = rows
            .iter()
            .filter_map(|r| match r.request.as_str() {
                "abort" => Some(RolloutRequest::Abort),
                "pause" => Some(RolloutRequest::Pause),
                _ => None,
            })
            .collect();
        requests.sort_by_key(|r| *r != RolloutRequest::Abort);
        Ok(requests)
    }
}

impl Catalogue {
    /// Enterprise tenants per stamp (stamps without any are absent).
    pub async fn enterprise_tenants_by_stamp(
        &self,
    ) -> Result<std::collections::HashMap<fleet_core::StampId, u32>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT b.stamp, COUNT(*) FROM bindings b JOIN tenants t ON t.id = b.tenant \
             WHERE t.tier = 'enterprise' GROUP BY b.stamp",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(stamp, n)| {
                let id = fleet_core::StampId::new(stamp.as_str())
                    .map_err(|e| crate::rows::bad("bindings", &stamp, e))?;
                Ok((id, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect()
    }
}
