//! Onboarding a tenant, journaled: the tenant and its operation are recorded first
//! (unplaced), the stamp provisions it, then the binding is written. A run killed in
//! between leaves a running operation that the next start finishes.

use crate::{OperationKind, OperationState};
use fleet_core::{Binding, StampId, Tenant, TenantId, TenantView};

use crate::error::{CatalogueError, Result};
use crate::moves::binding_row;
use crate::rows::TenantRow;
use crate::stamps::{insert_operation, running_operation, set_operation_step};
use crate::write::{insert_bindings, insert_tenants, write_audit_row};
use crate::Catalogue;

pub const ONBOARD_KIND: OperationKind = OperationKind::OnboardTenant;

impl Catalogue {
    /// How many tenants of anti-affinity group `group` live on each stamp.
    pub async fn group_load(&self, group: &str) -> Result<std::collections::HashMap<StampId, u32>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT b.stamp, COUNT(*) FROM tenants t JOIN bindings b ON b.tenant = t.id \
             WHERE t.anti_affinity_group = $1 GROUP BY b.stamp",
        )
        .bind(group)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(stamp, n)| {
                let id = StampId::new(stamp).map_err(|e| crate::rows::bad("bindings", group, e))?;
                Ok((id, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect()
    }

    /// The stamps the given tenants live on, in one query (unbound and unknown tenants
    /// are left out).
    pub async fn homes(
        &self,
        tenants: &[TenantId],
    ) -> Result<std::collections::HashMap<TenantId, StampId>> {
        let ids: Vec<&str> = tenants.iter().map(TenantId::as_str).collect();
        let mut conn = self.pool().acquire().await?;
        let rows: Vec<(String, String)> = crate::sql::fetch_where_in(
            &mut conn,
            "SELECT tenant, stamp FROM bindings WHERE tenant IN ",
            &ids,
        )
        .await?;
        rows.into_iter()
            .map(|(tenant, stamp)| {
                let bad = |e: fleet_core::IdError| crate::rows::bad("bindings", &tenant, e);
                Ok((
                    TenantId::new(tenant.as_str()).map_err(bad)?,
                    StampId::new(stamp.as_str()).map_err(bad)?,
                ))
            })
            .collect()
    }

    /// The given tenants as the catalogue records them, in one query (unknown ids are
    /// left out).
    pub async fn tenants_by_id(
        &self,
        tenants: &[TenantId],
    ) -> Result<std::collections::HashMap<TenantId, fleet_core::Tenant>> {
        let ids: Vec<&str> = tenants.iter().map(TenantId::as_str).collect();
        let mut conn = self.pool().acquire().await?;
        let rows: Vec<TenantRow> =
            crate::sql::fetch_where_in(&mut conn, "SELECT * FROM tenants WHERE id IN ", &ids)
                .await?;
        rows.into_iter()
            .map(|row| {
                let tenant = row.into_domain()?;
                Ok((tenant.id.clone(), tenant))
            })
            .collect()
    }

    /// The tenant and the stamp it lives on, if it exists.
    pub async fn tenant(&self, id: &TenantId) -> Result<Option<TenantView>> {
        let mut conn = self.pool().acquire().await?;
        let Some(tenant) = tenant_in(&mut conn, id).await? else {
            return Ok(None);
        };
        let stamp: Option<(String,)> =
            sqlx::query_as("SELECT stamp FROM bindings WHERE tenant = $1")
                .bind(id.as_str())
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .next();
        let stamp = stamp
            .map(|(s,)| StampId::new(s))
            .transpose()
            .map_err(|e| crate::rows::bad("bindings", id.as_str(), e))?;
        Ok(Some(TenantView { tenant, stamp }))
    }

    /// Records a new tenant (not yet bound) and opens its onboarding operation, in one
    /// transaction; a tenant recorded by an earlier, failed attempt and still unbound
    /// gets a new operation. `params` is what resuming needs (the chosen stamp), as JSON.
    pub async fn begin_onboarding(&self, tenant: &Tenant, params: &str, via: &str) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let state: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT b.stamp FROM tenants t LEFT JOIN bindings b ON b.tenant = t.id WHERE t.id = $1",
        )
        .bind(tenant.id.as_str())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .next();
        match state {
            Some((Some(stamp),)) => {
                return Err(CatalogueError::Refused(format!(
                    "tenant {} already lives on {stamp}",
                    tenant.id
                )));
            }
            Some((None,)) => {
                let running = running_operation(&mut tx, ONBOARD_KIND, tenant.id.as_str()).await?;
                if let Some(op) = running {
                    return Err(CatalogueError::Refused(format!(
                        "tenant {} is being onboarded (operation {op})",
                        tenant.id
                    )));
                }
            }
            None => {
                insert_tenants(&mut tx, std::slice::from_ref(tenant)).await?;
                write_audit_row(
                    &mut tx,
                    via,
                    "create",
                    "tenant",
                    &tenant.id,
                    None,
                    Some(tenant),
                )
                .await?;
            }
        }
        let id =
            insert_operation(&mut tx, ONBOARD_KIND, tenant.id.as_str(), "created", params).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Binds the tenant to `stamp` and closes its operation, in one transaction.
    pub async fn finish_onboarding(
        &self,
        operation: i64,
        tenant: &TenantId,
        stamp: &StampId,
        via: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        match binding_row(&mut *tx, tenant).await? {
            Some((s, _)) if s == stamp.as_str() => {}
            Some((s, _)) => {
                return Err(CatalogueError::Refused(format!(
                    "tenant {tenant} is already bound to {s}"
                )));
            }
            None => {
                let binding = Binding {
                    tenant: tenant.clone(),
                    stamp: stamp.clone(),
                    version: 1,
                };
                insert_bindings(&mut tx, std::slice::from_ref(&binding)).await?;
                write_audit_row(
                    &mut tx,
                    via,
                    "create",
                    "binding",
                    tenant,
                    None,
                    Some(&binding),
                )
                .await?;
            }
        }
        set_operation_step(&mut tx, operation, Some(OperationState::Succeeded), "bound").await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Tenant `id` as `conn` sees it (in a write transaction: before it changes).
pub(crate) async fn tenant_in(
    conn: &mut sqlx::AnyConnection,
    id: &TenantId,
) -> Result<Option<Tenant>> {
    let row: Option<TenantRow> = sqlx::query_as("SELECT * FROM tenants WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(conn)
        .await?;
    row.map(TenantRow::into_domain).transpose()
}
