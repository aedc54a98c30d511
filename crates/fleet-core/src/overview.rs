//! The fleet at a glance: what the overview screen and `stampctl ... list` show.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::capacity::Capacity;
use crate::document::CatalogueDocument;
use crate::ids::StampId;
use crate::region::Region;
use crate::stamp::Stamp;
use crate::template::StampTemplate;
use crate::tenant::Tenant;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StampView {
    pub stamp: Stamp,
    pub capacity: Capacity,
    pub tenant_count: u32,
    /// A newer version of the stamp's template exists.
    pub template_outdated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RegionSummary {
    pub region: Region,
    pub stamp_count: u32,
    pub tenant_count: u32,
    pub capacity: Capacity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    pub tenant: Tenant,
    /// The stamp the tenant lives on; none while it is not placed.
    pub stamp: Option<StampId>,
}

/// Everything the overview screen shows, computed in one pass.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FleetOverview {
    /// Regions that hold at least one stamp, by id.
    pub regions: Vec<RegionSummary>,
    pub stamps: Vec<StampView>,
    pub tenants: Vec<TenantView>,
    pub templates: Vec<StampTemplate>,
    pub totals: Capacity,
}

impl FleetOverview {
    /// Builds the overview from a catalogue document and every known region.
    pub fn build(doc: &CatalogueDocument, all_regions: &[Region]) -> Self {
        let tenants_by_id: HashMap<_, &Tenant> = doc.tenants.iter().map(|t| (&t.id, t)).collect();
        let mut home: HashMap<&StampId, (u32, u32)> = HashMap::new();
        let mut stamp_of = HashMap::new();
        for b in &doc.bindings {
            if let Some(t) = tenants_by_id.get(&b.tenant) {
                let e = home.entry(&b.stamp).or_default();
                e.0 += 1;
                e.1 = e.1.saturating_add(t.size_units);
                stamp_of.insert(&b.tenant, b.stamp.clone());
            }
        }
        let newest = |s: &Stamp| {
            doc.templates
                .iter()
                .filter(|t| t.name == s.template)
                .map(|t| &t.version)
                .max()
                .is_some_and(|v| *v > s.template_version)
        };
        let mut stamps: Vec<StampView> = doc
            .stamps
            .iter()
            .map(|s| {
                let (count, used) = home.get(&s.id).copied().unwrap_or_default();
                StampView {
                    stamp: s.clone(),
                    capacity: Capacity::new(s.capacity_units, used),
                    tenant_count: count,
                    template_outdated: newest(s),
                }
            })
            .collect();
        stamps.sort_by(|a, b| a.stamp.id.cmp(&b.stamp.id));

        let mut regions: Vec<RegionSummary> = Vec::new();
        for region in all_regions.iter().chain(&doc.regions) {
            let here: Vec<&StampView> = stamps
                .iter()
                .filter(|s| s.stamp.region == region.id)
                .collect();
            if here.is_empty() || regions.iter().any(|r| r.region.id == region.id) {
                continue;
            }
            regions.push(RegionSummary {
                region: region.clone(),
                stamp_count: here.len() as u32,
                tenant_count: here.iter().map(|s| s.tenant_count).sum(),
                capacity: here
                    .iter()
                    .fold(Capacity::default(), |acc, s| acc.plus(s.capacity)),
            });
        }
        regions.sort_by(|a, b| a.region.id.cmp(&b.region.id));

        let mut tenants: Vec<TenantView> = doc
            .tenants
            .iter()
            .map(|t| TenantView {
                tenant: t.clone(),
                stamp: stamp_of.get(&t.id).cloned(),
            })
            .collect();
        tenants.sort_by(|a, b| a.tenant.id.cmp(&b.tenant.id));

        let totals = stamps
            .iter()
            .fold(Capacity::default(), |acc, s| acc.plus(s.capacity));
        let mut templates = doc.templates.clone();
        templates.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        FleetOverview {
            regions,
            stamps,
            tenants,
            templates,
            totals,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.stamps.is_empty() && self.tenants.is_empty()
    }
}
