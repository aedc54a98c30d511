//! A tenant's life after onboarding: suspend and resume (on its stamp first, then the
//! catalogue), and offboard: suspended, its data exported to a file, deleted on its
//! stamp, then its record and binding removed (the audit keeps what it was). Offboarding
//! is journaled step by step; every step is safe to run again, so a killed run finishes
//! at the app's next start or when asked again.

use std::io::Write;
use std::path::{Path, PathBuf};

use catalogue::{OperationKind, OperationState, TenantSuspension};
use fleet_core::TenantId;
use serde::{Deserialize, Serialize};
use stamp_client::ClientError;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::test_hooks::crash_point;

pub const OFFBOARD_KIND: OperationKind = OperationKind::OffboardTenant;

/// What an offboarding left.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OffboardOutcome {
    pub tenant: TenantId,
    /// The file its data was exported to.
    pub export_file: String,
    /// Keys exported.
    #[ts(type = "number")]
    pub keys: u64,
}

#[derive(Serialize, Deserialize)]
struct OffboardParams {
    file: String,
    stamp: Option<String>,
    keys: u64,
}

/// A key for one call of this operation: unpredictable, so no tenant can take it first.
fn fresh_key(what: &str, id: &TenantId) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{what}-{id}-{nanos:x}-{:x}", std::process::id())
}

impl Fleet {
    async fn home_of(&self, id: &TenantId) -> OpsResult<Option<fleet_core::StampId>> {
        Ok(self
            .catalogue
            .homes(std::slice::from_ref(id))
            .await?
            .remove(id))
    }

    /// Suspends a tenant: its stamp refuses its own requests (403 `suspended`) until it
    /// is resumed; its data stays. Recorded with why, audited.
    pub async fn suspend_tenant(&self, id: &TenantId, reason: &str) -> OpsResult<()> {
        self.refuse_in_snapshot("suspend a tenant").await?;
        if reason.trim().is_empty() {
            return Err(OpsError::invalid("reason: say why the tenant is suspended"));
        }
        self.step_on_home(id, "suspend").await?;
        Ok(self
            .catalogue
            .record_suspension(id, reason, "suspend")
            .await?)
    }

    /// Resumes a suspended tenant.
    pub async fn resume_tenant(&self, id: &TenantId) -> OpsResult<()> {
        self.refuse_in_snapshot("resume a tenant").await?;
        self.step_on_home(id, "resume").await?;
        self.catalogue.record_resumption(id, "resume").await?;
        Ok(())
    }

    /// Asks the tenant's home stamp for state step `step` (suspend, resume).
    async fn step_on_home(&self, id: &TenantId, step: &str) -> OpsResult<()> {
        let stamp = self
            .home_of(id)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("tenant {id} lives on no stamp")))?;
        self.stamp_client(&stamp)
            .await?
            .tenant_step(id.as_str(), step, &fresh_key(step, id))
            .await
            .map_err(|e| OpsError::conflict(format!("stamp {stamp}: {e}")))?;
        Ok(())
    }

    pub async fn suspended_tenants(&self) -> OpsResult<Vec<TenantSuspension>> {
        Ok(self.catalogue.suspended_tenants().await?)
    }

    /// Where an offboarded tenant's data goes unless a file is named.
    fn default_export(&self, id: &TenantId) -> PathBuf {
        self.home.join("offboarded").join(format!("{id}.json"))
    }

    /// Offboards a tenant (or finishes an offboarding a killed run left): suspended,
    /// exported to `file` (default: `offboarded/<id>.json` beside the catalogue),
    /// deleted on its stamp, removed from the catalogue.
    pub async fn offboard_tenant(
        &self,
        id: &TenantId,
        file: Option<&Path>,
    ) -> OpsResult<OffboardOutcome> {
        self.refuse_in_snapshot("offboard a tenant").await?;
        let running = self
            .catalogue
            .running_operations()
            .await?
            .into_iter()
            .find(|o| o.kind == OFFBOARD_KIND && o.subject == id.as_str());
        let (op, mut params) = match running {
            Some(op) => {
                let params: OffboardParams = serde_json::from_str(&op.params).map_err(|e| {
                    OpsError::internal(format!(
                        "the journal's offboarding {}: unreadable parameters ({e})",
                        op.id
                    ))
                })?;
                (op.id, params)
            }
            None => {
                let stamp = self.home_of(id).await?;
                if self.catalogue.tenant(id).await?.is_none() {
                    return Err(OpsError::invalid(format!("no tenant {id}")));
                }
                let file = file.map_or_else(|| self.default_export(id), Path::to_owned);
                let params = OffboardParams {
                    file: file.display().to_string(),
                    stamp: stamp.map(|s| s.to_string()),
                    keys: 0,
                };
                let text = serde_json::to_string(&params)
                    .map_err(|e| OpsError::internal(e.to_string()))?;
                let op = self
                    .catalogue
                    .open_operation(OFFBOARD_KIND, id.as_str(), "suspend", &text)
                    .await?;
                (op, params)
            }
        };
        let outcome = self.run_offboard(id, op, &mut params).await;
        if let Err(e) = &outcome {
            self.catalogue
                .journal(op, OperationState::Running, "stopped", &e.message)
                .await?;
        }
        outcome
    }

    async fn run_offboard(
        &self,
        id: &TenantId,
        op: i64,
        params: &mut OffboardParams,
    ) -> OpsResult<OffboardOutcome> {
        let gone = |e: &ClientError| matches!(e, ClientError::NotFound { .. });
        let file = PathBuf::from(&params.file);
        if let Some(stamp) = params.stamp.clone() {
            let stamp = fleet_core::StampId::new(stamp.as_str())
                .map_err(|e| OpsError::internal(e.to_string()))?;
            let client = self.stamp_client(&stamp).await?;
            let on_stamp = |e: ClientError| OpsError::conflict(format!("stamp {stamp}: {e}"));
            // 1. No more writes of its own.
            match client
                .tenant_step(id.as_str(), "suspend", &fresh_key("offboard-suspend", id))
                .await
            {
                Ok(_) => {}
                Err(e) if gone(&e) => {}
                Err(e) => return Err(on_stamp(e)),
            }
            self.catalogue
                .journal(op, OperationState::Running, "export", "")
                .await?;
            crash_point("offboard-suspended");
            // 2. Its data, to the file (whole, then renamed into place); skipped when
            // the stamp no longer holds it (a run killed after deleting it).
            match self.export_tenant(&client, id, &file).await {
                Ok(keys) => params.keys = keys,
                Err(e) if gone(&e) && file.exists() => {}
                Err(e) => return Err(on_stamp(e)),
            }
            let text =
                serde_json::to_string(&params).map_err(|e| OpsError::internal(e.to_string()))?;
            self.catalogue
                .journal(
                    op,
                    OperationState::Running,
                    "delete",
                    &format!("exported {} key(s) to {}", params.keys, params.file),
                )
                .await?;
            self.catalogue.set_operation_params(op, &text).await?;
            crash_point("offboard-exported");
            // 3. Gone from its stamp.
            match client
                .deprovision_tenant(id.as_str(), &fresh_key("offboard-delete", id))
                .await
            {
                Ok(()) => {}
                Err(e) if gone(&e) => {}
                Err(e) => return Err(on_stamp(e)),
            }
            crash_point("offboard-deleted");
        }
        // 4. Gone from the catalogue (the audit keeps it).
        self.catalogue
            .remove_offboarded_tenant(id, &params.file, "offboard")
            .await?;
        self.catalogue
            .journal(
                op,
                OperationState::Succeeded,
                "done",
                &format!("offboarded; data in {}", params.file),
            )
            .await?;
        Ok(OffboardOutcome {
            tenant: id.clone(),
            export_file: params.file.clone(),
            keys: params.keys,
        })
    }

    /// Writes the tenant's keys to `file` as one JSON document; the count.
    async fn export_tenant(
        &self,
        client: &stamp_client::StampClient,
        id: &TenantId,
        file: &Path,
    ) -> Result<u64, ClientError> {
        let local = |e: std::io::Error| ClientError::Protocol {
            stamp: client.endpoint().to_owned(),
            message: format!("{}: {e}", file.display()),
        };
        let record = self
            .catalogue
            .tenant(id)
            .await
            .ok()
            .flatten()
            .map(|v| v.tenant);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(local)?;
        }
        let tmp = file.with_extension("json.part");
        let mut out = {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(local)?
        };
        let head = serde_json::json!({ "tenant": record, "exportedFrom": client.endpoint() });
        let head = head.to_string();
        // The head object, opened for its entries.
        write!(out, "{},\"entries\":[", &head[..head.len() - 1]).map_err(local)?;
        let (mut after, mut keys) = (String::new(), 0u64);
        loop {
            let page = client.export_page(id.as_str(), &after).await?;
            for entry in &page.entries {
                let line =
                    serde_json::to_string(entry).map_err(|e| local(std::io::Error::other(e)))?;
                write!(out, "{}\n{line}", if keys == 0 { "" } else { "," }).map_err(local)?;
                keys += 1;
            }
            match page.next_after {
                Some(next) => after = next,
                None => break,
            }
        }
        writeln!(out, "]}}")
            .and_then(|()| out.sync_all())
            .map_err(local)?;
        std::fs::rename(&tmp, file).map_err(local)?;
        Ok(keys)
    }

    /// Offboardings a killed run left, finished (at the app's start, `stampctl resume`).
    pub async fn resume_offboardings(&self) -> OpsResult<Vec<String>> {
        let mut outcomes = Vec::new();
        for op in self.catalogue.running_operations().await? {
            if op.kind != OFFBOARD_KIND {
                continue;
            }
            let Ok(id) = TenantId::new(op.subject.as_str()) else {
                continue;
            };
            outcomes.push(match self.offboard_tenant(&id, None).await {
                Ok(o) => format!("tenant {id} offboarded; data in {}", o.export_file),
                Err(e) => format!("tenant {id}: offboarding stopped: {}", e.message),
            });
        }
        Ok(outcomes)
    }
}
