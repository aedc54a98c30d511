//! The demo fleet runs for real: one local stamp-agent per demo stamp, with the demo
//! tenants provisioned on their stamps through the Stamp API. Creating it is all or
//! nothing: if any agent cannot start, the agents already started are stopped, their
//! directories and tokens removed, and the catalogue is empty again.

use fleet_core::{CatalogueDocument, FleetOverview, StampId, StampStatus, DOCUMENT_SCHEMA_VERSION};
use stamp_client::{ClientOptions, StampClient};
use stamp_protocol::ProvisionTenant;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::provision::{Progress, ProvisionProgress};

/// The journal's kind for a demo fleet being created: written with the fleet, closed
/// when every agent answers; one left running by a killed run is finished at start.
pub const DEMO_KIND: catalogue::OperationKind = catalogue::OperationKind::CreateDemo;

impl Fleet {
    /// Fills an empty catalogue with the demo fleet and, with `run_agents`, starts a
    /// real local agent per demo stamp with its tenants provisioned. A catalogue that
    /// already holds stamps or tenants is refused, so nothing an operator entered is
    /// replaced. When an agent cannot start, nothing is kept and the error says why and
    /// what fixes it.
    pub async fn create_demo(&self, run_agents: bool) -> OpsResult<FleetOverview> {
        self.refuse_if_not_empty("create the demo fleet").await?;
        let doc = self.demo_document()?;
        if !run_agents {
            self.catalogue.replace_all(&doc, "demo").await?;
            tracing::info!(
                stamps = doc.stamps.len(),
                "demo fleet created without agents"
            );
            return self.overview().await;
        }
        // Before anything is written: a missing agent program fails here, cheaply.
        crate::local_provider::agent_binary().map_err(|e| demo_failed(&e))?;
        let operation = self
            .catalogue
            .replace_all_journaled(&doc, "demo", DEMO_KIND)
            .await?;
        tracing::info!(
            stamps = doc.stamps.len(),
            tenants = doc.tenants.len(),
            "demo fleet written"
        );
        crate::test_hooks::crash_point("demo-written");
        self.finish_demo(operation, &doc, &|_| {}).await?;
        self.record_demo_history().await?;
        tracing::info!(
            stamps = doc.stamps.len(),
            tenants = doc.tenants.len(),
            "demo fleet created"
        );
        self.overview().await
    }

    /// Thirty days of usage behind the demo fleet, so its forecast has something to
    /// read: fuller stamps grew faster (from half full, `used × utilization / 50`
    /// units a day; from 30%, `used / 400`; emptier ones not at all).
    async fn record_demo_history(&self) -> OpsResult<()> {
        let overview = self.overview().await?;
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        )
        .unwrap_or(0);
        let mut samples = Vec::new();
        for view in &overview.stamps {
            let used = f64::from(view.capacity.used_units);
            let total = f64::from(view.capacity.total_units.max(1));
            let utilization = used / total;
            let growth = if utilization >= 0.5 {
                used * utilization / 50.0
            } else if utilization >= 0.3 {
                used / 400.0
            } else {
                0.0
            };
            for day in 0..30_u32 {
                let then = (used - growth * f64::from(day)).max(0.0).round();
                // Whole units between 0 and the stamp's use now: the cast is exact.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let then = then as u32;
                samples.push((view.stamp.id.clone(), now - i64::from(day) * 86_400, then));
            }
        }
        self.record_usage(&samples).await
    }

    /// Starts the demo's agents; on failure rolls everything back.
    async fn finish_demo(
        &self,
        operation: i64,
        doc: &CatalogueDocument,
        progress: Progress<'_>,
    ) -> OpsResult<()> {
        self.catalogue
            .journal(
                operation,
                catalogue::OperationState::Running,
                "start-agents",
                "",
            )
            .await?;
        match self.start_demo_agents(progress).await {
            Ok(started) => {
                self.catalogue
                    .journal(
                        operation,
                        catalogue::OperationState::Succeeded,
                        "done",
                        &format!("{} agents", started.len()),
                    )
                    .await?;
                tracing::info!(agents = started.len(), "demo stamp agents running");
                Ok(())
            }
            Err(cause) => {
                tracing::error!(error = %cause.message, "demo fleet failed; rolling back");
                self.roll_back_demo(operation, doc, &cause).await?;
                Err(demo_failed(&cause))
            }
        }
    }

    /// At start: a demo whose creation was killed is finished (or rolled back when its
    /// agents cannot start). A demo whose stamps are gone already is only closed.
    pub(crate) async fn resume_demo(&self, operation: &catalogue::Operation) -> OpsResult<()> {
        let doc = self.demo_document()?;
        let present = self.catalogue.counts().await?.stamps > 0;
        if !present {
            return self
                .catalogue
                .journal(
                    operation.id,
                    catalogue::OperationState::Failed,
                    "rolled-back",
                    "the demo fleet is gone",
                )
                .await
                .map_err(Into::into);
        }
        self.finish_demo(operation.id, &doc, &|_| {})
            .await
            .or_else(|e| {
                tracing::error!(error = %e.message, "interrupted demo rolled back");
                Ok(())
            })
    }

    /// Stops the demo agents started so far, removes their directories and tokens, and
    /// empties the catalogue again (one transaction, audited), then closes the journal.
    async fn roll_back_demo(
        &self,
        operation: i64,
        doc: &CatalogueDocument,
        cause: &OpsError,
    ) -> OpsResult<()> {
        let stopped = self.stop_local_agents().await.unwrap_or(0);
        for stamp in &doc.stamps {
            let dir = self.stamp_dir(&stamp.id);
            if let Err(e) = std::fs::remove_dir_all(&dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(dir = %dir.display(), error = %e, "demo stamp directory not removed");
                }
            }
            self.secrets().delete(&self.token_name(&stamp.id))?;
        }
        // The directories the demo made, when nothing else is in them.
        let _ = std::fs::remove_dir(self.home.join("stamps"));
        let empty = CatalogueDocument {
            schema_version: DOCUMENT_SCHEMA_VERSION,
            regions: Vec::new(),
            templates: Vec::new(),
            stamps: Vec::new(),
            tenants: Vec::new(),
            bindings: Vec::new(),
        };
        self.catalogue.replace_all(&empty, "demo-rollback").await?;
        self.catalogue
            .journal(
                operation,
                catalogue::OperationState::Failed,
                "rolled-back",
                &format!("{stopped} agents stopped; {}", cause.message),
            )
            .await?;
        Ok(())
    }

    /// Starts (or finds) an agent for every active or draining stamp without an
    /// endpoint, and provisions the stamp's bound tenants on it. Safe to repeat.
    pub async fn start_demo_agents(&self, progress: Progress<'_>) -> OpsResult<Vec<StampId>> {
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
        let mut seeds = Vec::new();
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
                let provisioned = client
                    .provision_tenant(tenant.id.as_str(), &request, &format!("demo-{}", tenant.id))
                    .await
                    .map_err(|e| {
                        OpsError::internal(format!(
                            "provisioning {} on {}: {e}",
                            tenant.id, stamp.id
                        ))
                    })?;
                seeds.push((client.with_token(provisioned.tenant_token), tenant.clone()));
            }
            let percent = u8::try_from(100 * (i + 1) / total).unwrap_or(100);
            progress(ProvisionProgress {
                stamp: stamp.id.clone(),
                step: "demo-agent".to_owned(),
                percent,
                message: format!("{} answering at {endpoint}", stamp.id),
            });
        }
        // Every tenant's data at once: the stamps write in parallel.
        // Sixteen tenants at a time (the stamps write in parallel), each tenant's keys
        // in order: a bounded number of connections, however large the demo.
        use futures_util::StreamExt;
        let seeded: Vec<OpsResult<()>> = futures_util::stream::iter(seeds)
            .map(|(client, tenant)| async move { seed_demo_data(&client, &tenant).await })
            .buffer_unordered(DEMO_SEED_CONCURRENCY)
            .collect()
            .await;
        seeded.into_iter().collect::<OpsResult<Vec<()>>>()?;
        Ok(stamps.iter().map(|s| s.id.clone()).collect())
    }
}

/// Keys each demo tenant holds per capacity unit, and the size of each value: enough
/// for a move's progress to be seen, little enough to create the demo in a second.
const DEMO_KEYS_PER_UNIT: u32 = 4;
const DEMO_VALUE_BYTES: usize = 512;
/// Tenants whose data is written at once.
const DEMO_SEED_CONCURRENCY: usize = 16;

/// Writes a demo tenant's data through its own token, as its application would.
async fn seed_demo_data(client: &StampClient, tenant: &fleet_core::Tenant) -> OpsResult<()> {
    let keys = (tenant.size_units / DEMO_KEYS_PER_UNIT).clamp(2, 32);
    for i in 0..keys {
        let key = format!("record-{i:03}");
        let value = format!("{} {key} ", tenant.display_name).repeat(DEMO_VALUE_BYTES / 16);
        let value: String = value.chars().take(DEMO_VALUE_BYTES).collect();
        client
            .kv_put(
                tenant.id.as_str(),
                &key,
                &value,
                &format!("demo-seed-{key}"),
            )
            .await
            .map_err(|e| OpsError::internal(format!("writing {}'s demo data: {e}", tenant.id)))?;
    }
    Ok(())
}

/// The error a failed demo ends with: the cause, that nothing was kept, and the fix.
fn demo_failed(cause: &OpsError) -> OpsError {
    let fix = if cause.message.contains("stamp-agent not found") {
        format!(
            "build it beside the app (`.ci/build-app` builds stampfleet, stamp-agent and \
             stampctl) or set {} to its path, then create the demo fleet again",
            crate::local_provider::AGENT_ENV
        )
    } else {
        "fix the cause above, then create the demo fleet again".to_owned()
    };
    OpsError::new(
        cause.code,
        format!(
            "the demo fleet could not start: {}. Nothing was kept: the catalogue is empty. Fix: {fix}.",
            cause.message.trim_end_matches('.')
        ),
    )
}
