//! The demo fleet runs for real: one local stamp-agent per demo stamp, with the demo
//! tenants provisioned on their stamps through the Stamp API.

use fleet_core::StampStatus;
use stamp_client::{ClientOptions, StampClient};
use stamp_protocol::ProvisionTenant;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::provision::{Progress, ProvisionProgress};

impl Fleet {
    /// Starts (or finds) an agent for every active or draining stamp without an
    /// endpoint, and provisions the stamp's bound tenants on it. Safe to repeat.
    pub async fn start_demo_agents(&self, progress: Progress<'_>) -> OpsResult<u32> {
        let doc = self.catalogue.document().await?;
        let stamps: Vec<_> = doc
            .stamps
            .iter()
            .filter(|s| {
                s.endpoint.is_none()
                    && matches!(s.status, StampStatus::Active | StampStatus::Draining)
            })
            .collect();
        let total = stamps.len().max(1);
        for (i, stamp) in stamps.iter().enumerate() {
            let token = self.admin_token(&stamp.id)?;
            crate::local_provider::write_token_file(&self.stamp_dir(&stamp.id), &token)?;
            let endpoint = self.start_or_find_agent(stamp, &token).await?;
            self.catalogue
                .set_stamp_status(&stamp.id, stamp.status, Some(&endpoint), None, "demo")
                .await?;
            let client = StampClient::new(&endpoint, token, ClientOptions::default())
                .map_err(|e| OpsError::internal(e.to_string()))?;
            for binding in doc.bindings.iter().filter(|b| b.stamp == stamp.id) {
                let Some(tenant) = doc.tenants.iter().find(|t| t.id == binding.tenant) else {
                    continue;
                };
                let request = ProvisionTenant {
                    display_name: tenant.display_name.clone(),
                    size_units: tenant.size_units,
                };
                client
                    .provision_tenant(tenant.id.as_str(), &request, &format!("demo-{}", tenant.id))
                    .await
                    .map_err(|e| {
                        OpsError::internal(format!(
                            "provisioning {} on {}: {e}",
                            tenant.id, stamp.id
                        ))
                    })?;
            }
            let percent = u8::try_from(100 * (i + 1) / total).unwrap_or(100);
            progress(ProvisionProgress {
                stamp: stamp.id.clone(),
                step: "demo-agent".to_owned(),
                percent,
                message: format!("{} answering at {endpoint}", stamp.id),
            });
        }
        Ok(u32::try_from(stamps.len()).unwrap_or(u32::MAX))
    }
}
