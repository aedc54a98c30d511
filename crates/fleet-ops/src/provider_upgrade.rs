//! A rollout's infrastructure step: a stamp a named operator provider made (schema 17,
//! `stamp_providers`) is first brought to the new version by that provider (action
//! `upgrade` of the command and http contract), then upgraded through the Stamp API.
//! Rolling back asks the same provider the other way. Local agents and adopted stamps
//! have no provider step.

use fleet_core::{StampId, TemplateVersion};

use crate::fleet::Fleet;
use crate::operator_providers::resolve_provider;
use crate::providers::{run_provider, ProviderRun, StampParameters, Upgraded};

impl Fleet {
    /// Asks the provider that made `stamp`, if a named one did, to take its
    /// infrastructure from `from` to `to`; the reason when it cannot.
    pub(crate) async fn upgrade_through_provider(
        &self,
        stamp: &StampId,
        from: &TemplateVersion,
        to: &TemplateVersion,
    ) -> Result<(), String> {
        let name = match self.catalogue.stamp_provider(stamp).await {
            Ok(Some(name)) => name,
            Ok(None) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        let provider = resolve_provider(&name)
            .map_err(|e| format!("provider {name} (which made {stamp}): {}", e.message))?;
        let record = match self.catalogue.stamp(stamp).await {
            Ok(Some(record)) => record,
            Ok(None) => return Err(format!("no stamp {stamp}")),
            Err(e) => return Err(e.to_string()),
        };
        let params = StampParameters::upgrade(&record, from.as_str(), to.as_str());
        let run: ProviderRun<Upgraded> = run_provider(&provider, &params)
            .await
            .map_err(|e| e.message)?;
        tracing::info!(stamp = %stamp, provider = %name, from = %from, to = %to, output = %run.log, "provider upgrade");
        run.result
            .map(|Upgraded| ())
            .map_err(|e| format!("provider {name}: {}", e.message))
    }
}
