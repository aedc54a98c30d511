//! The catalogue taking what a stamp says as the truth (a reconcile's repairs): a
//! tenant's size, a stamp's template version; and an audit row for a repair made on
//! the stamp itself. Each with its audit row, in one transaction.

use fleet_core::{Stamp, StampId, TemplateVersion, Tenant, TenantId};
use serde::Serialize;

use crate::error::{CatalogueError, Result};
use crate::stamps::stamp_in;
use crate::tenants::tenant_in;
use crate::write::{write_audit_row, write_update_row};
use crate::Catalogue;

impl Catalogue {
    /// Sets tenant `id`'s size to `size_units`.
    pub async fn set_tenant_size(
        &self,
        id: &TenantId,
        size_units: u32,
        via: &str,
    ) -> Result<Tenant> {
        let mut tx = self.write_tx().await?;
        let before = tenant_in(&mut tx, id)
            .await?
            .ok_or_else(|| CatalogueError::Refused(format!("no tenant {id}")))?;
        let after = Tenant {
            size_units,
            ..before.clone()
        };
        sqlx::query("UPDATE tenants SET size_units = $1 WHERE id = $2")
            .bind(i64::from(size_units))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        write_update_row(&mut tx, via, "tenant", id, &before, &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records that stamp `id` runs template version `version` (of its template; the
    /// catalogue must know that version).
    pub async fn set_stamp_template_version(
        &self,
        id: &StampId,
        version: &TemplateVersion,
        via: &str,
    ) -> Result<Stamp> {
        let changed = self
            .set_stamp_template_versions(&[(id.clone(), version.clone())], via)
            .await?;
        match changed.into_iter().next() {
            Some(stamp) => Ok(stamp),
            None => self
                .stamp(id)
                .await?
                .ok_or_else(|| CatalogueError::Refused(format!("no stamp {id}"))),
        }
    }

    /// Records the template version of several stamps in one transaction (a rollout's
    /// batch), each change audited; a stamp already at its version is left as it is.
    /// Answers the stamps changed.
    pub async fn set_stamp_template_versions(
        &self,
        versions: &[(StampId, TemplateVersion)],
        via: &str,
    ) -> Result<Vec<Stamp>> {
        let mut tx = self.write_tx().await?;
        let mut changed = Vec::new();
        for (id, version) in versions {
            let before = stamp_in(&mut tx, id).await?;
            if &before.template_version == version {
                continue;
            }
            let known: Option<(i64,)> =
                sqlx::query_as("SELECT 1 FROM templates WHERE name = $1 AND version = $2")
                    .bind(before.template.as_str())
                    .bind(version.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(CatalogueError::Refused(format!(
                    "the catalogue has no template {}@{version}: add that version first",
                    before.template
                )));
            }
            let after = Stamp {
                template_version: version.clone(),
                ..before.clone()
            };
            sqlx::query("UPDATE stamps SET template_version = $1 WHERE id = $2")
                .bind(version.to_string())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
            write_update_row(&mut tx, via, "stamp", id, &before, &after).await?;
            changed.push(after);
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Writes one audit row for a change made outside the catalogue (on a stamp).
    pub async fn record_change<T: Serialize>(
        &self,
        via: &str,
        action: &str,
        entity: &'static str,
        entity_id: &str,
        after: &T,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        write_audit_row(&mut tx, via, action, entity, entity_id, None, Some(after)).await?;
        tx.commit().await?;
        Ok(())
    }
}
