//! The fleet at a glance: what the overview screen and `stampctl ... list` show.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::capacity::Capacity;
use crate::document::CatalogueDocument;
use crate::ids::{RegionId, StampId, TemplateName, TenantId};
use crate::region::Region;
use crate::stamp::Stamp;
use crate::template::{StampTemplate, TemplateVersion};
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

/// How much of a stamp its tenants use: what the catalogue aggregates per stamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StampLoad {
    pub tenant_count: u32,
    pub used_units: u32,
}

/// Everything the overview screen shows: stamps with their load, regions, totals. It
/// holds no tenant list (a fleet may hold millions); tenants are fetched by query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FleetOverview {
    /// Regions that hold at least one stamp, by id.
    pub regions: Vec<RegionSummary>,
    pub stamps: Vec<StampView>,
    pub templates: Vec<StampTemplate>,
    pub totals: Capacity,
    /// Every tenant in the catalogue, placed or not.
    pub tenant_count: u32,
    /// Tenants that are not bound to any stamp.
    pub unplaced_tenants: u32,
}

/// Which tenants to list: every filter given must match. Text matches a substring of the
/// id or the display name, ignoring ASCII case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantQuery {
    pub stamp: Option<StampId>,
    pub region: Option<RegionId>,
    pub text: Option<String>,
    pub offset: u32,
    /// At most this many tenants (the catalogue caps it at [`TenantQuery::MAX_LIMIT`]).
    pub limit: u32,
}

impl TenantQuery {
    pub const MAX_LIMIT: u32 = 1000;
    /// A text search counts its matches up to this many, then says there are more
    /// ([`TenantPage::capped`]): counting every one of hundreds of thousands of matches
    /// is what made an unselective search slow, and nobody reads that number.
    pub const COUNT_CAP: u32 = 1000;

    /// The text filter, trimmed; none when blank.
    pub fn text(&self) -> Option<&str> {
        self.text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    pub fn matches(
        &self,
        view: &TenantView,
        region_of: impl Fn(&StampId) -> Option<RegionId>,
    ) -> bool {
        if self.stamp.is_some() && view.stamp != self.stamp {
            return false;
        }
        if let Some(region) = &self.region {
            if view.stamp.as_ref().and_then(&region_of).as_ref() != Some(region) {
                return false;
            }
        }
        match self.text() {
            None => true,
            Some(text) => {
                let text = text.to_ascii_lowercase();
                view.tenant.id.as_str().to_ascii_lowercase().contains(&text)
                    || view
                        .tenant
                        .display_name
                        .to_ascii_lowercase()
                        .contains(&text)
            }
        }
    }
}

/// One page of tenants and how many match in all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantPage {
    pub tenants: Vec<TenantView>,
    pub total: u32,
    /// More than `total` match: a text search stopped counting at
    /// [`TenantQuery::COUNT_CAP`] (its pages then come in the catalogue's order).
    #[serde(default)]
    pub capped: bool,
}

impl StampLoad {
    /// Every stamp's load in a whole catalogue document (stamps without tenants left
    /// out): what the catalogue's `stamp_loads` holds for it.
    pub fn of_document(doc: &CatalogueDocument) -> HashMap<StampId, StampLoad> {
        let sizes: HashMap<&TenantId, u32> =
            doc.tenants.iter().map(|t| (&t.id, t.size_units)).collect();
        let mut loads: HashMap<StampId, StampLoad> = HashMap::new();
        for b in &doc.bindings {
            if let Some(size) = sizes.get(&b.tenant) {
                let load = loads.entry(b.stamp.clone()).or_default();
                load.tenant_count += 1;
                load.used_units = load.used_units.saturating_add(*size);
            }
        }
        loads
    }
}

impl FleetOverview {
    /// Builds the overview from a whole catalogue document and every known region.
    pub fn build(doc: &CatalogueDocument, all_regions: &[Region]) -> Self {
        let loads = StampLoad::of_document(doc);
        let regions: Vec<Region> = all_regions.iter().chain(&doc.regions).cloned().collect();
        let tenant_count = u32::try_from(doc.tenants.len()).unwrap_or(u32::MAX);
        Self::from_parts(
            doc.stamps.clone(),
            &loads,
            doc.templates.clone(),
            &regions,
            tenant_count,
        )
    }

    /// Builds the overview from stamps, their loads (missing = empty), templates, every
    /// known region (the first of a repeated id wins) and the number of tenants.
    pub fn from_parts(
        stamps: Vec<Stamp>,
        loads: &HashMap<StampId, StampLoad>,
        mut templates: Vec<StampTemplate>,
        regions: &[Region],
        tenant_count: u32,
    ) -> Self {
        let mut newest: HashMap<&TemplateName, &TemplateVersion> = HashMap::new();
        for t in &templates {
            let entry = newest.entry(&t.name).or_insert(&t.version);
            if t.version > **entry {
                *entry = &t.version;
            }
        }
        let mut views: Vec<StampView> = stamps
            .into_iter()
            .map(|stamp| {
                let load = loads.get(&stamp.id).copied().unwrap_or_default();
                let template_outdated = newest
                    .get(&stamp.template)
                    .is_some_and(|v| **v > stamp.template_version);
                StampView {
                    capacity: Capacity::new(stamp.capacity_units, load.used_units),
                    tenant_count: load.tenant_count,
                    template_outdated,
                    stamp,
                }
            })
            .collect();
        views.sort_by(|a, b| a.stamp.id.cmp(&b.stamp.id));

        let mut by_region: BTreeMap<&RegionId, RegionSummary> = BTreeMap::new();
        for view in &views {
            let id = &view.stamp.region;
            if !by_region.contains_key(id) {
                let Some(region) = regions.iter().find(|r| &r.id == id) else {
                    continue;
                };
                by_region.insert(
                    id,
                    RegionSummary {
                        region: region.clone(),
                        stamp_count: 0,
                        tenant_count: 0,
                        capacity: Capacity::default(),
                    },
                );
            }
            if let Some(summary) = by_region.get_mut(id) {
                summary.stamp_count += 1;
                summary.tenant_count += view.tenant_count;
                summary.capacity = summary.capacity.plus(view.capacity);
            }
        }
        let placed: u32 = views.iter().map(|s| s.tenant_count).sum();
        let totals = views
            .iter()
            .fold(Capacity::default(), |acc, s| acc.plus(s.capacity));
        templates.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        FleetOverview {
            regions: by_region.into_values().collect(),
            stamps: views,
            templates,
            totals,
            tenant_count,
            unplaced_tenants: tenant_count.saturating_sub(placed),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.stamps.is_empty() && self.tenant_count == 0
    }
}

/// Every tenant with the stamp it lives on, by id (for small fleets and fixtures).
pub fn tenant_views(doc: &CatalogueDocument) -> Vec<TenantView> {
    let home: HashMap<&TenantId, &StampId> =
        doc.bindings.iter().map(|b| (&b.tenant, &b.stamp)).collect();
    let mut views: Vec<TenantView> = doc
        .tenants
        .iter()
        .map(|t| TenantView {
            tenant: t.clone(),
            stamp: home.get(&t.id).map(|s| (*s).clone()),
        })
        .collect();
    views.sort_by(|a, b| a.tenant.id.cmp(&b.tenant.id));
    views
}
