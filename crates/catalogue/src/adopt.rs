//! Tenants found on stamps: adopting a stamp Stampfleet did not create (the stamp, the
//! tenants it holds that the catalogue did not know, and every binding), and binding a
//! reconcile's orphans to the stamp that holds them; each with its audit rows, in one
//! transaction.

use fleet_core::{Binding, Stamp, StampId, Tenant, TenantId};

use crate::error::{CatalogueError, Result};
use crate::write::{insert_bindings, insert_stamps, insert_tenants, write_audit, AuditRecord};
use crate::{Catalogue, WriteTx};

impl Catalogue {
    /// Adds `stamp` with the `new_tenants` it holds, and binds those and the known
    /// unplaced tenants `known` to it, in one transaction. Refused, with nothing
    /// written, when the stamp exists or one of `known` was bound meanwhile.
    pub async fn adopt_stamp(
        &self,
        stamp: &Stamp,
        new_tenants: &[Tenant],
        known: &[TenantId],
        via: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let exists = sqlx::query("SELECT 1 FROM stamps WHERE id = $1")
            .bind(stamp.id.as_str())
            .fetch_all(&mut *tx)
            .await?;
        if !exists.is_empty() {
            return Err(CatalogueError::Refused(format!(
                "stamp {} is already in the catalogue; nothing was adopted",
                stamp.id
            )));
        }
        insert_stamps(&mut tx, std::slice::from_ref(stamp)).await?;
        let created = AuditRecord::new(via, "create", "stamp", &stamp.id, None, Some(stamp))?;
        write_audit(&mut tx, &[created]).await?;
        bind_found(&mut tx, &stamp.id, new_tenants, known, via).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records `new_tenants` and binds them and the known unplaced tenants `known` to
    /// `stamp`, which holds them (a reconcile's orphans), in one transaction.
    pub async fn bind_found_tenants(
        &self,
        stamp: &StampId,
        new_tenants: &[Tenant],
        known: &[TenantId],
        via: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        bind_found(&mut tx, stamp, new_tenants, known, via).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Records `new_tenants` and binds them and `known` to `stamp`, with their audit rows;
/// refused when one of `known` was bound meanwhile.
async fn bind_found(
    tx: &mut WriteTx,
    stamp: &StampId,
    new_tenants: &[Tenant],
    known: &[TenantId],
    via: &str,
) -> Result<()> {
    let ids: Vec<&str> = known.iter().map(TenantId::as_str).collect();
    let bound: Vec<(String, String)> = crate::sql::fetch_where_in(
        tx,
        "SELECT tenant, stamp FROM bindings WHERE tenant IN ",
        &ids,
    )
    .await?;
    if let Some((tenant, on)) = bound.first() {
        return Err(CatalogueError::Refused(format!(
            "tenant {tenant} was bound to {on} meanwhile; nothing was written (check again to see it as a conflict)"
        )));
    }
    let bindings: Vec<Binding> = new_tenants
        .iter()
        .map(|t| &t.id)
        .chain(known)
        .map(|tenant| Binding {
            tenant: tenant.clone(),
            stamp: stamp.clone(),
            version: 1,
        })
        .collect();
    insert_tenants(tx, new_tenants).await?;
    insert_bindings(tx, &bindings).await?;
    let mut audit = Vec::new();
    for t in new_tenants {
        audit.push(AuditRecord::new(
            via,
            "create",
            "tenant",
            &t.id,
            None,
            Some(t),
        )?);
    }
    for b in &bindings {
        audit.push(AuditRecord::new(
            via,
            "create",
            "binding",
            &b.tenant,
            None,
            Some(b),
        )?);
    }
    write_audit(tx, &audit).await
}
