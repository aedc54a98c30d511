//! The demo fleet as the fleet-ops suites start from it: a catalogue `c.sqlite` in the
//! test's own directory, its agents running or not, and what plans are made of.

use std::path::{Path, PathBuf};

use fleet_core::plan::PlanAction;
use fleet_core::{
    Isolation, RegionId, Residency, StampId, TemplateName, TemplateVersion, Tenant, TenantId,
    TenantQuery, Tier,
};
use fleet_ops::{Fleet, NewStamp, OnboardTenant, PlaceTenant, ProviderConfig};

use crate::StopAgents;

/// The demo fleet in the catalogue `dir/c.sqlite` (returned with it), with this build's
/// agent and file secrets; its agents run when `run_agents`. Every agent under `dir`
/// stops when the guard drops.
/// (With `STAMPFLEET_TEST_CATALOGUE=postgres`, a new database on the test PostgreSQL
/// server instead: the path returned is its URL.)
pub async fn demo_fleet(dir: &Path, run_agents: bool) -> (Fleet, PathBuf, StopAgents) {
    crate::use_built_agent();
    let catalogue = crate::team::catalogue_location(dir);
    let fleet = Fleet::open(&catalogue).await.unwrap();
    let stop = StopAgents(format!("--data-dir {}", fleet.home().display()));
    fleet.create_demo(run_agents).await.unwrap();
    (fleet, catalogue, stop)
}

/// The demo fleet in `dir/c.sqlite` (or a team catalogue, as `demo_fleet`), no agent
/// started (planning and reading offline).
pub async fn offline_demo(dir: &Path) -> Fleet {
    crate::use_built_agent();
    let fleet = Fleet::open(&crate::team::catalogue_location(dir))
        .await
        .unwrap();
    fleet.create_demo(false).await.unwrap();
    fleet
}

/// A tenant on `stamp` that is not pinned there.
pub async fn movable_on(fleet: &Fleet, stamp: &StampId) -> Tenant {
    let query = TenantQuery {
        stamp: Some(stamp.clone()),
        limit: 100,
        ..Default::default()
    };
    let page = fleet.tenants(&query).await.unwrap();
    let view = page.tenants.into_iter().find(|v| !v.tenant.pinned);
    view.expect("the stamp holds a tenant that is not pinned")
        .tenant
}

/// A standard, shared tenant of 5 units with no residency rule.
pub fn small_tenant(id: &str, display_name: &str) -> Tenant {
    Tenant {
        id: TenantId::new(id).unwrap(),
        display_name: display_name.to_owned(),
        tier: Tier::Standard,
        size_units: 5,
        residency: Residency::default(),
        isolation: Isolation::Shared,
        pinned: false,
        group: None,
    }
}

/// `tenant` to place, with no preferences.
pub fn place_of(tenant: Tenant) -> PlaceTenant {
    PlaceTenant {
        tenant,
        preferred_regions: Vec::new(),
        home: None,
        policy: None,
    }
}

/// Onboards `tenant` onto `stamp`, chosen here rather than by placement.
pub async fn onboard_onto(fleet: &Fleet, tenant: Tenant, stamp: &StampId) {
    let request = OnboardTenant {
        place: place_of(tenant),
        stamp: Some(stamp.clone()),
    };
    fleet.onboard_tenant(&request, &|_| {}).await.unwrap();
}

/// A plan step adding `stamp` in Frankfurt (aws-eu-central-1), standard 1.4.0.
pub fn add_frankfurt_stamp(stamp: &str, capacity_units: u32) -> PlanAction {
    PlanAction::AddStamp {
        stamp: StampId::new(stamp).unwrap(),
        region: RegionId::new("aws-eu-central-1").unwrap(),
        template: TemplateName::new("standard").unwrap(),
        version: TemplateVersion::new("1.4.0").unwrap(),
        capacity_units: Some(capacity_units),
        provider: None,
    }
}

/// A stamp to provision: `id` in `region`, from the standard 1.4.0 template.
pub fn standard_stamp(
    id: &str,
    region: &str,
    capacity_units: Option<u32>,
    provider: ProviderConfig,
) -> NewStamp {
    NewStamp {
        id: StampId::new(id).unwrap(),
        region: RegionId::new(region).unwrap(),
        template: TemplateName::new("standard").unwrap(),
        template_version: TemplateVersion::new("1.4.0").unwrap(),
        capacity_units,
        provider,
        provider_name: None,
    }
}
