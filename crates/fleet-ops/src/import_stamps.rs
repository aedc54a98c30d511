//! "Provision these": the new stamps a tenant file needs (per template and region, as
//! its check counts them) provisioned as local stamps, one after another, each with its
//! own journaled run; then the file is checked again. Killed midway, running it again
//! provisions only what the file still needs.

use std::collections::HashSet;

use fleet_core::{Region, StampId};

use crate::tenant_import::TenantImportReport;
use crate::{Fleet, ImportProgress, NewStamp, OpsError, OpsResult};

impl Fleet {
    /// Provisions every new stamp the file `name` (text `text`) needs, reporting each
    /// as it starts and ends; answers the file checked again.
    pub async fn provision_import_stamps(
        &self,
        name: &str,
        text: &str,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> OpsResult<TenantImportReport> {
        let report = self.check_tenant_import(name, text).await?;
        let regions = self.regions().await?;
        let mut taken: HashSet<String> = self
            .overview()
            .await?
            .stamps
            .into_iter()
            .map(|v| v.stamp.id.to_string())
            .collect();
        let total: u32 = report.new_stamps.iter().map(|n| n.stamps).sum();
        let mut done = 0;
        for need in &report.new_stamps {
            let region = regions
                .iter()
                .find(|r| r.id == need.region)
                .ok_or_else(|| OpsError::internal(format!("unknown region {}", need.region)))?;
            for _ in 0..need.stamps {
                let id = free_stamp_id(region, &taken)?;
                taken.insert(id.to_string());
                progress(ImportProgress {
                    done,
                    total,
                    message: format!(
                        "Provisioning {id} ({}@{}) in {}",
                        need.template, need.version, region.display_name
                    ),
                });
                let request = NewStamp {
                    id,
                    region: need.region.clone(),
                    template: need.template.clone(),
                    template_version: need.version.clone(),
                    capacity_units: None,
                    provider: crate::ProviderConfig::default(),
                    provider_name: None,
                };
                self.provision_stamp_from_window(&request, &|_| {}).await?;
                done += 1;
            }
        }
        progress(ImportProgress {
            done,
            total,
            message: format!("{done} new stamp(s) active; the file checked again"),
        });
        self.check_tenant_import(name, text).await
    }
}

/// The region's next free stamp id: up to three letters of its code and a two-digit
/// number (`westeurope` -> `wes-03`), as the window suggests them.
fn free_stamp_id(region: &Region, taken: &HashSet<String>) -> OpsResult<StampId> {
    let letters: String = region
        .code
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .take(3)
        .collect();
    let prefix = if letters.is_empty() {
        "stm".to_owned()
    } else {
        letters
    };
    (1..1000)
        .map(|n| format!("{prefix}-{n:02}"))
        .find(|id| !taken.contains(id))
        .ok_or_else(|| OpsError::conflict(format!("no free stamp id left for {prefix}-NN")))
        .and_then(|id| StampId::new(id).map_err(|e| OpsError::internal(e.to_string())))
}
