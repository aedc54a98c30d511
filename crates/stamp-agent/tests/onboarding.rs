//! Onboarding tenants through fleet-ops onto the demo fleet's real local stamp agents:
//! placement with residency, the stamp's own API lists the tenant, a retry changes
//! nothing, a stale choice is refused with nothing written, and an interrupted run is
//! finished at the next start.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::sync::Once;

use fleet_core::placement::Outcome;
use fleet_core::{CountryCode, Isolation, Residency, StampId, Tenant, TenantId, Tier};
use fleet_ops::{ErrorCode, Fleet, OnboardTenant, PlaceTenant};

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::env::set_var(fleet_ops::AGENT_ENV, env!("CARGO_BIN_EXE_stamp-agent"));
        std::env::set_var("STAMPFLEET_SECRETS", "file");
    });
}

/// Stops every agent whose data lives under the test's directory.
struct StopAgents(String);
impl Drop for StopAgents {
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args(["-TERM", "-f", "--", &self.0])
            .status();
    }
}

async fn demo_with_agents(dir: &Path) -> (Fleet, StopAgents) {
    setup();
    let stop = StopAgents(format!("--data-dir {}", dir.display()));
    let fleet = Fleet::open(&dir.join("c.sqlite")).await.unwrap();
    fleet.create_demo(true).await.unwrap();
    (fleet, stop)
}

fn eu_tenant(id: &str, size: u32) -> PlaceTenant {
    PlaceTenant {
        tenant: Tenant {
            id: TenantId::new(id).unwrap(),
            display_name: format!("{id} GmbH"),
            tier: Tier::Enterprise,
            size_units: size,
            residency: Residency {
                countries: vec![
                    CountryCode::new("DE").unwrap(),
                    CountryCode::new("NL").unwrap(),
                ],
                ..Residency::default()
            },
            isolation: Isolation::Shared,
            pinned: false,
        },
        preferred_regions: Vec::new(),
        home: None,
        policy: None,
    }
}

async fn hosted_by(fleet: &Fleet, stamp: &StampId, tenant: &str) -> usize {
    let client = fleet.stamp_client(stamp).await.unwrap();
    client
        .tenants()
        .await
        .unwrap()
        .iter()
        .filter(|t| t.id == tenant)
        .count()
}

#[tokio::test]
async fn an_eu_tenant_lands_on_an_eu_stamp_that_lists_it_and_a_retry_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let place = eu_tenant("acme-eu", 40);
    let decision = fleet.place_tenant(&place).await.unwrap();
    let Outcome::Place {
        stamp: proposed, ..
    } = &decision.outcome
    else {
        panic!("{:?}", decision.outcome)
    };
    let audit_before = fleet.audit(10_000).await.unwrap().len();

    let request = OnboardTenant {
        place,
        stamp: Some(proposed.clone()),
    };
    let view = fleet.onboard_tenant(&request, &|_| {}).await.unwrap();
    assert_eq!(view.stamp.as_ref(), Some(proposed));
    let stamp = fleet
        .overview()
        .await
        .unwrap()
        .stamps
        .into_iter()
        .find(|s| &s.stamp.id == proposed)
        .unwrap();
    assert!(["aws-eu-central-1", "azure-westeurope"].contains(&stamp.stamp.region.as_str()));
    assert_eq!(hosted_by(&fleet, proposed, "acme-eu").await, 1);
    // The tenant, the binding: two audit rows.
    assert_eq!(fleet.audit(10_000).await.unwrap().len(), audit_before + 2);

    let again = fleet.onboard_tenant(&request, &|_| {}).await.unwrap();
    assert_eq!(again, view);
    assert_eq!(hosted_by(&fleet, proposed, "acme-eu").await, 1);
    assert_eq!(fleet.audit(10_000).await.unwrap().len(), audit_before + 2);
}

#[tokio::test]
async fn a_stamp_that_does_not_fit_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let counts = fleet.info().await.unwrap().counts;
    // syd-01 is in Australia: outside the residency.
    let request = OnboardTenant {
        place: eu_tenant("acme-au", 10),
        stamp: Some(StampId::new("syd-01").unwrap()),
    };
    let err = fleet.onboard_tenant(&request, &|_| {}).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(
        err.message.contains("syd-01 no longer fits") && err.message.contains("residency"),
        "{}",
        err.message
    );
    assert_eq!(fleet.info().await.unwrap().counts, counts);
}

#[tokio::test]
async fn an_onboarding_killed_after_recording_the_tenant_is_finished_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let place = eu_tenant("acme-killed", 30);
    let Outcome::Place { stamp, .. } = fleet.place_tenant(&place).await.unwrap().outcome else {
        panic!("no stamp fits")
    };
    // What a run killed right after its first journal entry leaves behind: the tenant
    // recorded, unbound, with a running operation naming the chosen stamp.
    let catalogue = catalogue::Catalogue::open(&dir.path().join("c.sqlite"))
        .await
        .unwrap();
    catalogue
        .begin_onboarding(&place.tenant, &format!(r#"{{"stamp":"{stamp}"}}"#), "test")
        .await
        .unwrap();
    assert!(fleet
        .tenant(&TenantId::new("acme-killed").unwrap())
        .await
        .unwrap()
        .unwrap()
        .stamp
        .is_none());
    assert_eq!(hosted_by(&fleet, &stamp, "acme-killed").await, 0);

    let reopened = Fleet::open(&dir.path().join("c.sqlite")).await.unwrap();
    assert_eq!(reopened.resume_operations().await.unwrap(), 1);
    assert_eq!(
        reopened
            .tenant(&TenantId::new("acme-killed").unwrap())
            .await
            .unwrap()
            .unwrap()
            .stamp,
        Some(stamp.clone())
    );
    assert_eq!(hosted_by(&reopened, &stamp, "acme-killed").await, 1);
    assert_eq!(reopened.resume_operations().await.unwrap(), 0);
}
