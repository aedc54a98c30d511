//! Reading the catalogue's tables back into domain values. A row that breaks a domain
//! rule is an error naming its table and key, never a silent default.

use fleet_core::{
    Binding, CountryCode, Isolation, ProviderId, Region, RegionId, Residency, Stamp, StampId,
    StampStatus, StampTemplate, TemplateName, TemplateVersion, Tenant, TenantId, Tier,
};
use sqlx::FromRow;

use crate::error::{CatalogueError, Result};

pub(crate) fn bad(table: &'static str, key: &str, reason: impl ToString) -> CatalogueError {
    CatalogueError::BadRow {
        table,
        key: key.to_owned(),
        reason: reason.to_string(),
    }
}

fn units(table: &'static str, key: &str, value: i64) -> Result<u32> {
    u32::try_from(value)
        .map_err(|_| bad(table, key, format!("capacity units {value} out of range")))
}

#[derive(FromRow)]
pub(crate) struct RegionRow {
    id: String,
    provider: String,
    code: String,
    display_name: String,
    city: String,
    country: String,
    geography: String,
    latitude: f64,
    longitude: f64,
    builtin: i64,
}

impl RegionRow {
    pub(crate) fn into_domain(self) -> Result<Region> {
        let key = self.id.clone();
        Ok(Region {
            id: RegionId::new(self.id).map_err(|e| bad("regions", &key, e))?,
            provider: ProviderId::new(self.provider).map_err(|e| bad("regions", &key, e))?,
            code: self.code,
            display_name: self.display_name,
            city: self.city,
            country: CountryCode::new(self.country).map_err(|e| bad("regions", &key, e))?,
            geography: self.geography,
            latitude: self.latitude,
            longitude: self.longitude,
            builtin: self.builtin == 1,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct TemplateRow {
    name: String,
    version: String,
    capacity_units: i64,
    isolation: String,
    description: String,
    tiers: String,
    release_notes: String,
}

impl TemplateRow {
    pub(crate) fn into_domain(self) -> Result<StampTemplate> {
        let key = format!("{} {}", self.name, self.version);
        Ok(StampTemplate {
            name: TemplateName::new(self.name).map_err(|e| bad("templates", &key, e))?,
            version: TemplateVersion::new(self.version).map_err(|e| bad("templates", &key, e))?,
            capacity_units: units("templates", &key, self.capacity_units)?,
            isolation: Isolation::parse(&self.isolation).ok_or_else(|| {
                bad(
                    "templates",
                    &key,
                    format!("unknown isolation {:?}", self.isolation),
                )
            })?,
            description: self.description,
            tiers: self
                .tiers
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| {
                    Tier::parse(t)
                        .ok_or_else(|| bad("templates", &key, format!("unknown tier {t:?}")))
                })
                .collect::<Result<_>>()?,
            release_notes: self.release_notes,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct StampRow {
    id: String,
    region: String,
    template: String,
    template_version: String,
    capacity_units: i64,
    status: String,
    endpoint: Option<String>,
}

impl StampRow {
    pub(crate) fn into_domain(self) -> Result<Stamp> {
        let key = self.id.clone();
        Ok(Stamp {
            id: StampId::new(self.id).map_err(|e| bad("stamps", &key, e))?,
            region: RegionId::new(self.region).map_err(|e| bad("stamps", &key, e))?,
            template: TemplateName::new(self.template).map_err(|e| bad("stamps", &key, e))?,
            template_version: TemplateVersion::new(self.template_version)
                .map_err(|e| bad("stamps", &key, e))?,
            capacity_units: units("stamps", &key, self.capacity_units)?,
            status: StampStatus::parse(&self.status)
                .ok_or_else(|| bad("stamps", &key, format!("unknown status {:?}", self.status)))?,
            endpoint: self.endpoint,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct TenantRow {
    id: String,
    display_name: String,
    tier: String,
    size_units: i64,
    residency_json: String,
    isolation: String,
    pinned: i64,
    anti_affinity_group: Option<String>,
}

impl TenantRow {
    pub(crate) fn into_domain(self) -> Result<Tenant> {
        let key = self.id.clone();
        let residency: Residency = serde_json::from_str(&self.residency_json)
            .map_err(|e| bad("tenants", &key, format!("residency: {e}")))?;
        Ok(Tenant {
            id: TenantId::new(self.id).map_err(|e| bad("tenants", &key, e))?,
            display_name: self.display_name,
            tier: Tier::parse(&self.tier)
                .ok_or_else(|| bad("tenants", &key, format!("unknown tier {:?}", self.tier)))?,
            size_units: units("tenants", &key, self.size_units)?,
            residency,
            isolation: Isolation::parse(&self.isolation).ok_or_else(|| {
                bad(
                    "tenants",
                    &key,
                    format!("unknown isolation {:?}", self.isolation),
                )
            })?,
            pinned: self.pinned == 1,
            group: self.anti_affinity_group,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct BindingRow {
    tenant: String,
    stamp: String,
    version: i64,
}

impl BindingRow {
    pub(crate) fn into_domain(self) -> Result<Binding> {
        let key = self.tenant.clone();
        Ok(Binding {
            tenant: TenantId::new(self.tenant).map_err(|e| bad("bindings", &key, e))?,
            stamp: StampId::new(self.stamp).map_err(|e| bad("bindings", &key, e))?,
            version: u32::try_from(self.version)
                .map_err(|_| bad("bindings", &key, "version out of range"))?,
        })
    }
}
