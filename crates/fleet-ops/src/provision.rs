//! Provisioning stamps from a template, journaled step by step so a run killed at any
//! point ends `active` or `failed` (with the reason) at the next start, never stuck.

use fleet_core::{RegionId, Stamp, StampId, StampStatus, TemplateName, TemplateVersion};
use serde::{Deserialize, Serialize};
use stamp_client::{ClientOptions, StampClient};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::local_provider;
use crate::providers::{self, ProviderConfig, StampParameters};

pub const PROVISION_KIND: catalogue::OperationKind = catalogue::OperationKind::ProvisionStamp;

/// What "New stamp" asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NewStamp {
    pub id: StampId,
    pub region: RegionId,
    pub template: TemplateName,
    pub template_version: TemplateVersion,
    /// Overrides the template's capacity.
    pub capacity_units: Option<u32>,
    /// Which provider creates it (default: a local agent on this machine).
    #[serde(default)]
    pub provider: ProviderConfig,
    /// Or the operator provider of this name (`providers.json` on this machine), which
    /// takes the place of `provider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub provider_name: Option<String>,
}

/// One step of a provisioning run, streamed to the UI.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionProgress {
    pub stamp: StampId,
    pub step: String,
    pub percent: u8,
    pub message: String,
}

pub type Progress<'a> = &'a (dyn Fn(ProvisionProgress) + Send + Sync);

impl Fleet {
    /// What the window may ask for: a local stamp. A program to run or a service to
    /// call must come from the operator's own configuration, never from the webview.
    pub async fn provision_stamp_from_window(
        &self,
        request: &NewStamp,
        progress: Progress<'_>,
    ) -> OpsResult<Stamp> {
        if request.provider != ProviderConfig::Local {
            return Err(OpsError::invalid(
                "provider: the window names a configured provider (providerName), never a \
                 program or URL of its own",
            ));
        }
        self.provision_stamp(request, progress).await
    }

    /// Provisions a new local stamp from a template, reporting each step.
    pub async fn provision_stamp(
        &self,
        request: &NewStamp,
        progress: Progress<'_>,
    ) -> OpsResult<Stamp> {
        let (provider, provider_name) = match &request.provider_name {
            Some(name) => (
                crate::operator_providers::resolve_provider(name)?,
                Some(name.as_str()),
            ),
            None => (request.provider.clone(), None),
        };
        self.refuse_in_snapshot("provision a stamp").await?;
        let doc = self.catalogue.document().await?;
        let template = template_in(&doc, &request.template, &request.template_version)?;
        if !self.regions().await?.iter().any(|r| r.id == request.region) {
            return Err(OpsError::invalid(format!(
                "unknown region {}",
                request.region
            )));
        }
        let stamp = Stamp {
            id: request.id.clone(),
            region: request.region.clone(),
            template: request.template.clone(),
            template_version: request.template_version.clone(),
            capacity_units: request.capacity_units.unwrap_or(template.capacity_units),
            status: StampStatus::Provisioning,
            endpoint: None,
        };
        if let Err(e) = fleet_core::capacity::check_capacity_units(stamp.capacity_units) {
            return Err(OpsError::invalid(format!("capacityUnits: {e}")));
        }
        let params =
            serde_json::to_string(&provider).map_err(|e| OpsError::internal(e.to_string()))?;
        let operation = self
            .catalogue
            .insert_stamp_with_operation(
                &stamp,
                PROVISION_KIND,
                &params,
                "provision",
                provider_name,
            )
            .await
            .map_err(|e| match e {
                catalogue::CatalogueError::Refused(m) => OpsError::conflict(m),
                other => other.into(),
            })?;
        report(
            progress,
            &stamp.id,
            "recorded",
            10,
            "stamp recorded as provisioning",
        );
        self.finish_provisioning(operation, stamp, &provider, progress)
            .await
    }

    /// Runs (or re-runs) the steps after the stamp was recorded. Every step is safe to
    /// repeat; any failure marks the stamp failed with the reason.
    async fn finish_provisioning(
        &self,
        operation: i64,
        stamp: Stamp,
        provider: &ProviderConfig,
        progress: Progress<'_>,
    ) -> OpsResult<Stamp> {
        let steps = match provider {
            ProviderConfig::Local => self.provision_steps(operation, &stamp, progress).await,
            other => {
                self.provider_steps(operation, &stamp, other, progress)
                    .await
            }
        };
        match steps {
            Ok(endpoint) => {
                let active = self
                    .catalogue
                    .set_stamp_status(
                        &stamp.id,
                        StampStatus::Active,
                        Some(&endpoint),
                        None,
                        "provision",
                    )
                    .await?;
                self.catalogue
                    .journal(
                        operation,
                        catalogue::OperationState::Succeeded,
                        "active",
                        &endpoint,
                    )
                    .await?;
                report(
                    progress,
                    &stamp.id,
                    "active",
                    100,
                    &format!("healthy at {endpoint}"),
                );
                tracing::info!(stamp = %stamp.id, %endpoint, "stamp provisioned");
                self.give_fleet_keys_after(&stamp.id).await;
                Ok(active)
            }
            Err(e) => {
                tracing::warn!(stamp = %stamp.id, error = %e.message, "provisioning failed");
                self.catalogue
                    .set_stamp_status(
                        &stamp.id,
                        StampStatus::Failed,
                        None,
                        Some(&e.message),
                        "provision",
                    )
                    .await?;
                self.catalogue
                    .journal(
                        operation,
                        catalogue::OperationState::Failed,
                        "failed",
                        &e.message,
                    )
                    .await?;
                report(progress, &stamp.id, "failed", 100, &e.message);
                Err(e)
            }
        }
    }

    /// Journals that provisioning run `operation` is at `step` (with `detail`, if any).
    async fn journal_running(&self, operation: i64, step: &str, detail: &str) -> OpsResult<()> {
        Ok(self
            .catalogue
            .journal(operation, catalogue::OperationState::Running, step, detail)
            .await?)
    }

    async fn provision_steps(
        &self,
        operation: i64,
        stamp: &Stamp,
        progress: Progress<'_>,
    ) -> OpsResult<String> {
        let dir = self.stamp_dir(&stamp.id);
        self.journal_running(operation, "token", "").await?;
        let token = self.admin_token(&stamp.id)?;
        local_provider::write_token_file(&dir, &token)?;
        report(progress, &stamp.id, "token", 30, "admin token created");

        self.journal_running(operation, "start-agent", "").await?;
        let endpoint = self.start_or_find_agent(stamp, &token).await?;
        report(
            progress,
            &stamp.id,
            "start-agent",
            60,
            &format!("agent listening at {endpoint}"),
        );

        self.health_step(operation, stamp, endpoint, token, progress)
            .await
    }

    /// The command and http providers: run them (their output goes to the operation's
    /// log, token redacted), keep the token they return, check the stamp's health.
    async fn provider_steps(
        &self,
        operation: i64,
        stamp: &Stamp,
        provider: &ProviderConfig,
        progress: Progress<'_>,
    ) -> OpsResult<String> {
        self.journal_running(operation, "provider", "").await?;
        report(progress, &stamp.id, "provider", 30, "provider running");
        let run: providers::ProviderRun =
            providers::run_provider(provider, &StampParameters::of(stamp)).await?;
        // The token first: a stamp now exists out there, and a failed catalogue write
        // below must not lose the only way to reach it.
        if let Ok(answer) = &run.result {
            self.secrets()
                .put(&self.token_name(&stamp.id), &answer.admin_token)?;
        }
        self.journal_running(operation, "provider", &run.log)
            .await?;
        let answer = run.result?;
        report(
            progress,
            &stamp.id,
            "provider",
            60,
            &format!("provider answered: {}", answer.endpoint),
        );
        self.health_step(
            operation,
            stamp,
            answer.endpoint,
            answer.admin_token,
            progress,
        )
        .await
    }

    /// The last step of every provider: the stamp must answer its health as itself.
    async fn health_step(
        &self,
        operation: i64,
        stamp: &Stamp,
        endpoint: String,
        token: String,
        progress: Progress<'_>,
    ) -> OpsResult<String> {
        self.journal_running(operation, "health", &endpoint).await?;
        let client = StampClient::new(&endpoint, token, ClientOptions::default())
            .map_err(|e| OpsError::internal(e.to_string()))?;
        let health = client
            .health()
            .await
            .map_err(|e| OpsError::internal(format!("health check: {e}")))?;
        if health.stamp_id != stamp.id.as_str() {
            return Err(OpsError::internal(format!(
                "{endpoint} answers as stamp {}, not {}",
                health.stamp_id, stamp.id
            )));
        }
        report(progress, &stamp.id, "health", 90, "health check passed");
        Ok(endpoint)
    }

    /// Finishes one interrupted provisioning run (or records why it cannot be); one by
    /// a command provider only with `run_commands`. Answers whether it was taken up.
    pub(crate) async fn resume_provisioning(
        &self,
        op: &catalogue::Operation,
        run_commands: bool,
    ) -> OpsResult<bool> {
        let id =
            StampId::new(op.subject.as_str()).map_err(|e| OpsError::internal(e.to_string()))?;
        let Some(stamp) = self.catalogue.stamp(&id).await? else {
            self.catalogue
                .journal(
                    op.id,
                    catalogue::OperationState::Failed,
                    "failed",
                    "the stamp is gone from the catalogue",
                )
                .await?;
            return Ok(true);
        };
        tracing::info!(stamp = %id, step = %op.step, "resuming an interrupted provisioning");
        let provider: ProviderConfig = match serde_json::from_str(&op.params) {
            Ok(p) => p,
            Err(e) => {
                let reason = format!(
                    "cannot resume: the operation's provider settings are unreadable ({e})"
                );
                self.catalogue
                    .set_stamp_status(&id, StampStatus::Failed, None, Some(&reason), "provision")
                    .await?;
                self.catalogue
                    .journal(op.id, catalogue::OperationState::Failed, "failed", &reason)
                    .await?;
                return Ok(true);
            }
        };
        if let (false, ProviderConfig::Command { program, .. }) = (run_commands, &provider) {
            tracing::warn!(stamp = %id, %program, "interrupted provisioning by a command: not run again until the operator asks (stampctl resume --run-commands)");
            return Ok(false);
        }
        // Failure is recorded on the stamp; resuming the others goes on.
        let _ = self
            .finish_provisioning(op.id, stamp, &provider, &|_| {})
            .await;
        Ok(true)
    }

    /// The newest `limit` journaled operations (provider output included, tokens redacted).
    pub async fn operations(&self, limit: u32) -> OpsResult<Vec<catalogue::Operation>> {
        Ok(self.catalogue.operations(limit).await?)
    }
}

fn report(progress: Progress<'_>, stamp: &StampId, step: &str, percent: u8, message: &str) {
    progress(ProvisionProgress {
        stamp: stamp.clone(),
        step: step.to_owned(),
        percent,
        message: message.to_owned(),
    });
}

/// The template `name@version` of `doc`, or an error listing the ones there are.
pub(crate) fn template_in<'d>(
    doc: &'d fleet_core::CatalogueDocument,
    name: &fleet_core::TemplateName,
    version: &fleet_core::TemplateVersion,
) -> OpsResult<&'d fleet_core::StampTemplate> {
    doc.templates
        .iter()
        .find(|t| &t.name == name && &t.version == version)
        .ok_or_else(|| {
            let known: Vec<String> = doc
                .templates
                .iter()
                .map(|t| format!("{}@{}", t.name, t.version))
                .collect();
            let known = if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            };
            OpsError::invalid(format!("no template {name}@{version}; known: {known}"))
        })
}
