//! A small fleet of real built-in regions for the placement tests: templates, stamps
//! from one-line specs, tenants, and the rule that turned a stamp down.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use fleet_core::placement::{CandidateHealth, PlacementFleet, Rule};
use fleet_core::{
    builtin_regions, Capacity, CountryCode, Isolation, RegionId, Residency, Stamp, StampId,
    StampStatus, StampTemplate, StampView, TemplateName, TemplateVersion, Tenant, TenantId, Tier,
};

pub fn template(name: &str, version: &str, units: u32, isolation: Isolation) -> StampTemplate {
    StampTemplate {
        name: TemplateName::new(name).unwrap(),
        version: TemplateVersion::new(version).unwrap(),
        capacity_units: units,
        isolation,
        description: String::new(),
        tiers: Vec::new(),
        release_notes: String::new(),
    }
}

/// (id, region, template, capacity, used, tenants, status, health)
pub type Spec = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    u32,
    u32,
    StampStatus,
    CandidateHealth,
);

/// An active, healthy stamp of `template` (`SHARED` or `DEDICATED`).
pub fn active(
    id: &'static str,
    region: &'static str,
    template: &'static str,
    capacity: u32,
    used: u32,
    tenants: u32,
) -> Spec {
    (
        id,
        region,
        template,
        capacity,
        used,
        tenants,
        StampStatus::Active,
        CandidateHealth::Healthy,
    )
}

/// A shared stamp of 1000 units with no tenants, in `status` and `health`.
pub fn empty(
    id: &'static str,
    region: &'static str,
    status: StampStatus,
    health: CandidateHealth,
) -> Spec {
    (id, region, SHARED, 1000, 0, 0, status, health)
}

pub fn fleet(specs: &[Spec]) -> PlacementFleet {
    let templates = vec![
        template("standard", "1.0.0", 1000, Isolation::Shared),
        template("standard", "1.1.0", 1000, Isolation::Shared),
        template("dedicated", "1.0.0", 500, Isolation::Dedicated),
    ];
    let stamps = specs
        .iter()
        .map(|&(id, region, tpl, cap, used, tenants, status, health)| {
            let (name, version) = tpl.split_once('@').unwrap();
            (
                StampView {
                    stamp: Stamp {
                        id: StampId::new(id).unwrap(),
                        region: RegionId::new(region).unwrap(),
                        template: TemplateName::new(name).unwrap(),
                        template_version: TemplateVersion::new(version).unwrap(),
                        capacity_units: cap,
                        status,
                        endpoint: None,
                    },
                    capacity: Capacity::new(cap, used),
                    tenant_count: tenants,
                    template_outdated: false,
                },
                health,
            )
        });
    PlacementFleet::new(builtin_regions().unwrap(), templates, stamps)
}

pub fn tenant(id: &str, size: u32, countries: &[&str], isolation: Isolation) -> Tenant {
    Tenant {
        id: TenantId::new(id).unwrap(),
        display_name: id.to_owned(),
        tier: Tier::Enterprise,
        size_units: size,
        residency: Residency {
            countries: countries
                .iter()
                .map(|c| CountryCode::new(*c).unwrap())
                .collect(),
            ..Residency::default()
        },
        isolation,
        pinned: false,
        group: None,
    }
}

pub use CandidateHealth::{Healthy, Unhealthy, Unknown};
pub use StampStatus::{Active, Draining};

pub const SHARED: &str = "standard@1.1.0";
pub const DEDICATED: &str = "dedicated@1.0.0";

pub fn eu_fleet() -> PlacementFleet {
    fleet(&[
        active("ams-01", "azure-westeurope", SHARED, 1000, 700, 10),
        active("ams-02", "azure-westeurope", SHARED, 1000, 100, 2),
        active("fra-01", "aws-eu-central-1", SHARED, 1000, 790, 12),
        empty("fra-02", "aws-eu-central-1", Draining, Healthy),
        empty("fra-03", "aws-eu-central-1", Active, Unhealthy),
        empty("fra-04", "aws-eu-central-1", Active, Unknown),
        active("iad-01", "aws-us-east-1", SHARED, 1000, 0, 0),
        active("ded-01", "azure-westeurope", DEDICATED, 500, 0, 0),
    ])
}

pub fn rule_of(decision: &fleet_core::placement::Decision, stamp: &str) -> Option<(Rule, String)> {
    decision
        .rejected
        .iter()
        .find(|r| r.stamp.as_str() == stamp)
        .map(|r| (r.rule, r.reason.clone()))
}
