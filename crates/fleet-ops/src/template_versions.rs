//! Template versions: each a copy of an earlier one with changes, never edited once
//! made (stamps may run it); listed with the stamps on each and what changed from the
//! version before.

use std::collections::HashMap;

use fleet_core::{StampStatus, StampTemplate, TemplateName, TemplateVersion, Tier};
use serde::{Deserialize, Serialize};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

/// A new template version: a copy of `basedOn` (or the newest version) with these changes.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTemplateVersion {
    pub template: TemplateName,
    pub version: TemplateVersion,
    #[ts(optional)]
    pub based_on: Option<TemplateVersion>,
    #[ts(optional)]
    pub capacity_units: Option<u32>,
    #[ts(optional)]
    pub tiers: Option<Vec<Tier>>,
    #[ts(optional)]
    pub description: Option<String>,
    pub release_notes: String,
}

/// A template version, how many stamps run it, and what changed from the version before.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateVersionView {
    pub template: StampTemplate,
    pub stamps: u32,
    pub newest: bool,
    /// "capacity 100 → 120", …, against the previous version (empty for the first).
    pub changes: Vec<String>,
}

fn changes(before: &StampTemplate, after: &StampTemplate) -> Vec<String> {
    let mut out = Vec::new();
    if before.capacity_units != after.capacity_units {
        out.push(format!(
            "capacity {} → {}",
            before.capacity_units, after.capacity_units
        ));
    }
    if before.tiers != after.tiers {
        let list = |t: &[Tier]| {
            if t.is_empty() {
                "every tier".to_owned()
            } else {
                t.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
            }
        };
        out.push(format!(
            "tiers {} → {}",
            list(&before.tiers),
            list(&after.tiers)
        ));
    }
    if before.isolation != after.isolation {
        out.push(format!(
            "isolation {} → {}",
            before.isolation.as_str(),
            after.isolation.as_str()
        ));
    }
    if before.description != after.description {
        out.push("description changed".to_owned());
    }
    out
}
impl Fleet {
    /// Every template version with its stamps and changes, by template then version.
    pub async fn template_versions(&self) -> OpsResult<Vec<TemplateVersionView>> {
        let templates = self.catalogue.template_versions(None).await?;
        let overview = self.overview().await?;
        let mut running: HashMap<(&TemplateName, &TemplateVersion), u32> = HashMap::new();
        for s in &overview.stamps {
            if s.stamp.status != StampStatus::Retired {
                *running
                    .entry((&s.stamp.template, &s.stamp.template_version))
                    .or_default() += 1;
            }
        }
        let mut views = Vec::with_capacity(templates.len());
        for (i, t) in templates.iter().enumerate() {
            let previous = i
                .checked_sub(1)
                .map(|p| &templates[p])
                .filter(|p| p.name == t.name);
            let newest = templates.get(i + 1).is_none_or(|n| n.name != t.name);
            views.push(TemplateVersionView {
                template: t.clone(),
                stamps: running.get(&(&t.name, &t.version)).copied().unwrap_or(0),
                newest,
                changes: previous.map(|p| changes(p, t)).unwrap_or_default(),
            });
        }
        Ok(views)
    }

    /// Adds a template version, copied from `basedOn` (default: the newest) with changes.
    pub async fn add_template_version(
        &self,
        request: &NewTemplateVersion,
    ) -> OpsResult<StampTemplate> {
        self.refuse_in_snapshot("add a template version").await?;
        let versions = self
            .catalogue
            .template_versions(Some(&request.template))
            .await?;
        let base = match &request.based_on {
            Some(v) => versions.iter().find(|t| &t.version == v).ok_or_else(|| {
                OpsError::invalid(format!(
                    "basedOn: template {} has no version {v}",
                    request.template
                ))
            })?,
            None => versions.last().ok_or_else(|| {
                OpsError::invalid(format!(
                    "template: no template {} to base a version on",
                    request.template
                ))
            })?,
        };
        if request.capacity_units == Some(0) {
            return Err(OpsError::invalid("capacityUnits: must be greater than 0"));
        }
        let template = StampTemplate {
            name: request.template.clone(),
            version: request.version.clone(),
            capacity_units: request.capacity_units.unwrap_or(base.capacity_units),
            isolation: base.isolation,
            description: request
                .description
                .clone()
                .unwrap_or_else(|| base.description.clone()),
            tiers: request.tiers.clone().unwrap_or_else(|| base.tiers.clone()),
            release_notes: request.release_notes.trim().to_owned(),
        };
        self.catalogue
            .add_template_version(&template, "template")
            .await?;
        Ok(template)
    }
}
