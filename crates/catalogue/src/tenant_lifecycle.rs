//! A tenant's life after onboarding, as the catalogue records it: suspended (with why,
//! schema 16) and resumed, and offboarded (its record and binding gone, the audit rows
//! keeping what it was and where it lived).

use fleet_core::TenantId;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::tenants::tenant_in;
use crate::write::write_audit_row;
use crate::{Catalogue, CatalogueError, Result};

/// A suspended tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantSuspension {
    pub tenant: String,
    pub reason: String,
    pub actor: String,
    pub suspended_at: String,
}

#[derive(Serialize)]
struct Offboarded<'a> {
    tenant: &'a fleet_core::Tenant,
    stamp: Option<&'a str>,
    export: &'a str,
}

impl Catalogue {
    /// Every suspended tenant, by id.
    pub async fn suspended_tenants(&self) -> Result<Vec<TenantSuspension>> {
        Ok(
            sqlx::query_as("SELECT * FROM tenant_suspensions ORDER BY tenant")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Records a tenant's suspension (after its stamp suspended it), audited.
    pub async fn record_suspension(&self, id: &TenantId, reason: &str, via: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(CatalogueError::Refused(
                "reason: say why in 1 to 500 characters".to_owned(),
            ));
        }
        let mut tx = self.write_tx().await?;
        if tenant_in(&mut tx, id).await?.is_none() {
            return Err(CatalogueError::Refused(format!("no tenant {id}")));
        }
        let actor = tx.operator.to_string();
        sqlx::query(
            "INSERT INTO tenant_suspensions (tenant, reason, actor, suspended_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant) DO UPDATE SET reason = excluded.reason, actor = excluded.actor, \
             suspended_at = excluded.suspended_at",
        )
        .bind(id.as_str())
        .bind(reason)
        .bind(&actor)
        .bind(crate::sql::now_text())
        .execute(&mut *tx)
        .await?;
        let why = serde_json::json!({ "reason": reason });
        write_audit_row(&mut tx, via, "suspend", "tenant", id, None, Some(&why)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a tenant's resumption (after its stamp resumed it), audited; false when
    /// it was not suspended.
    pub async fn record_resumption(&self, id: &TenantId, via: &str) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM tenant_suspensions WHERE tenant = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if done {
            write_audit_row::<()>(&mut tx, via, "resume", "tenant", id, None, None).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Removes an offboarded tenant: its suspension, binding and record, in one
    /// transaction, with an audit row keeping what it was, where it lived and where its
    /// data was exported. False when the catalogue has no such tenant (done already).
    pub async fn remove_offboarded_tenant(
        &self,
        id: &TenantId,
        export: &str,
        via: &str,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let Some(tenant) = tenant_in(&mut tx, id).await? else {
            return Ok(false);
        };
        let binding: Option<(String,)> =
            sqlx::query_as("SELECT stamp FROM bindings WHERE tenant = $1")
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        for table in ["tenant_suspensions", "bindings"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE tenant = $1"))
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM tenants WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        let before = Offboarded {
            tenant: &tenant,
            stamp: binding.as_ref().map(|b| b.0.as_str()),
            export,
        };
        write_audit_row(&mut tx, via, "offboard", "tenant", id, Some(&before), None).await?;
        tx.commit().await?;
        Ok(true)
    }
}
