//! Onboarding tenants through fleet-ops onto the demo fleet's real local stamp agents:
//! placement with residency, the stamp's own API lists the tenant, a retry changes
//! nothing, a stale choice is refused with nothing written, and an interrupted run is
//! finished at the next start; decisions read the health cache and ask only the stamp
//! they choose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use support::StopAgents;

use std::path::Path;
use std::process::Command;

use fleet_core::placement::Outcome;
use fleet_core::{CountryCode, Isolation, Residency, StampId, Tenant, TenantId, Tier};
use fleet_ops::{ErrorCode, Fleet, OnboardTenant, PlaceTenant};

/// The demo fleet with its agents running, stopped when the guard drops.
async fn demo_with_agents(dir: &Path) -> (Fleet, StopAgents) {
    let (fleet, _, stop) = support::demo::demo_fleet(dir, true).await;
    (fleet, stop)
}

/// The demo fleet with its agents running, and where its catalogue is.
async fn demo_at(dir: &Path) -> (Fleet, std::path::PathBuf, StopAgents) {
    support::demo::demo_fleet(dir, true).await
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
            group: None,
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
    support::assert_error(&err, ErrorCode::Conflict, "syd-01 no longer fits");
    assert!(err.message.contains("residency"), "{}", err.message);
    assert_eq!(fleet.info().await.unwrap().counts, counts);
}

#[tokio::test]
async fn an_onboarding_killed_after_recording_the_tenant_is_finished_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, location, _stop) = demo_at(dir.path()).await;
    let place = eu_tenant("acme-killed", 30);
    let Outcome::Place { stamp, .. } = fleet.place_tenant(&place).await.unwrap().outcome else {
        panic!("no stamp fits")
    };
    // What a run killed right after its first journal entry leaves behind: the tenant
    // recorded, unbound, with a running operation naming the chosen stamp.
    let catalogue = catalogue::Catalogue::open_location(&location.to_string_lossy())
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

    let reopened = Fleet::open(&location).await.unwrap();
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
    assert_eq!(
        reopened
            .resume_operations()
            .await
            .map_err(|e| e.message)
            .unwrap(),
        0
    );
}

fn import_file(n: usize) -> String {
    let mut text =
        String::from("id,name,tier,size,countries,geographies,regions,isolation,preferred\n");
    for i in 0..n {
        text.push_str(&format!(
            "bulk-{i:03},Bulk {i},standard,5,DE;NL,,,shared,\n"
        ));
    }
    text.push_str("arctic,Arctic,standard,5,AQ,,,shared,\n");
    text
}

#[tokio::test]
async fn a_tenant_file_is_planned_applied_and_a_rerun_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let text = import_file(12);
    let counts = fleet.info().await.unwrap().counts;
    let plan = fleet.check_tenant_import("t.csv", &text).await.unwrap();
    assert_eq!((plan.rows, plan.to_place, plan.refused), (13, 12, 1));
    assert_eq!(
        fleet.info().await.unwrap().counts,
        counts,
        "a dry run writes nothing"
    );

    let applied = fleet
        .apply_tenant_import("t.csv", &text, &|_| {})
        .await
        .unwrap();
    assert_eq!((applied.onboarded, applied.stopped.as_deref()), (12, None));
    let overview = fleet.overview().await.unwrap();
    for i in 0..12 {
        let view = fleet
            .tenant(&TenantId::new(format!("bulk-{i:03}")).unwrap())
            .await
            .unwrap()
            .unwrap();
        let stamp = view.stamp.unwrap();
        let region = &overview
            .stamps
            .iter()
            .find(|s| s.stamp.id == stamp)
            .unwrap()
            .stamp
            .region;
        assert!(
            ["aws-eu-central-1", "azure-westeurope"].contains(&region.as_str()),
            "{region}"
        );
        assert_eq!(hosted_by(&fleet, &stamp, &format!("bulk-{i:03}")).await, 1);
    }
    let rerun = fleet
        .apply_tenant_import("t.csv", &text, &|_| {})
        .await
        .unwrap();
    assert_eq!((rerun.onboarded, rerun.already_onboarded), (0, 12));
    assert_eq!(
        fleet.info().await.unwrap().counts.tenants,
        counts.tenants + 12
    );
}

#[tokio::test]
async fn a_bad_file_writes_nothing_and_names_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let counts = fleet.info().await.unwrap().counts;
    let text = "id,name,tier,size,countries,geographies,regions,isolation,preferred\nok,Ok,standard,5,,,,shared,\nBAD,Bad,standard,5,,,,shared,\n";
    let err = fleet
        .apply_tenant_import("t.csv", text, &|_| {})
        .await
        .unwrap_err();
    support::assert_error(&err, ErrorCode::InvalidInput, "t.csv: line 3: id:");
    assert_eq!(fleet.info().await.unwrap().counts, counts);
}

#[tokio::test]
async fn one_check_reports_every_kind_of_problem_by_line_and_the_apply_writes_nothing() {
    use fleet_core::tenant_file::ProblemKind;
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let counts = fleet.info().await.unwrap().counts;
    let contoso = fleet
        .tenant(&TenantId::new("contoso-prod").unwrap())
        .await
        .unwrap()
        .unwrap()
        .tenant;
    let text = format!(
        "id,name,tier,size,countries,geographies,regions,isolation,preferred\n\
         fine,Fine,standard,5,DE,,,shared,\n\
         sizeless,Sizeless,standard,x,,,,shared,\n\
         martian,Martian,standard,5,,,mars-north-1,shared,\n\
         arctic,Arctic,standard,5,AQ,,,shared,\n\
         contoso-prod,{},{},{},,,,shared,\n",
        contoso.display_name,
        contoso.tier.as_str(),
        contoso.size_units + 1,
    );
    let report = fleet.check_tenant_import("t.csv", &text).await.unwrap();
    let problems: Vec<(u32, ProblemKind, &str)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.kind, p.field.as_str()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, ProblemKind::Format, "size"),
            (4, ProblemKind::Reference, "regions"),
            (5, ProblemKind::Placement, "placement"),
            (6, ProblemKind::Conflict, "id"),
        ],
        "{:#?}",
        report.problems
    );
    assert_eq!(report.blocking, 3);
    assert_eq!(report.to_place, 1, "the good row is still planned");
    let conflict = &report.problems[3].message;
    assert!(
        conflict.contains(&format!(
            "size {} here, {} in the catalogue",
            contoso.size_units + 1,
            contoso.size_units
        )),
        "{conflict}"
    );
    assert!(
        report.problems[2].message.contains("next:"),
        "a placement problem names the next step: {}",
        report.problems[2].message
    );

    let err = fleet
        .apply_tenant_import("t.csv", &text, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    for line in ["line 3: size", "line 4: regions", "line 6: id"] {
        assert!(err.message.contains(line), "{line} in {}", err.message);
    }
    assert_eq!(
        fleet.info().await.unwrap().counts,
        counts,
        "nothing written"
    );
}

#[tokio::test]
async fn an_import_stopped_by_a_dead_stamp_keeps_what_it_did_and_a_rerun_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let text = import_file(30);
    let plan = fleet.check_tenant_import("t.csv", &text).await.unwrap();
    // The 6th tenant goes to `victim`: kill that stamp's agent (kill -9) right after the
    // 5th tenant is onboarded, so the apply meets a dead stamp midway.
    let Outcome::Place { stamp: victim, .. } = plan.plan[5].outcome.clone() else {
        panic!()
    };
    // This test's agent only: other tests run demo fleets with the same stamp ids.
    let pattern = format!(
        "--stamp-id {victim} .*--data-dir {}",
        fleet.home().display()
    );
    let kill_after_five = move |p: fleet_ops::ImportProgress| {
        if p.done == 5 {
            let _ = Command::new("pkill")
                .args(["-KILL", "-f", "--", &pattern])
                .status();
        }
    };
    let stopped = fleet
        .apply_tenant_import("t.csv", &text, &kill_after_five)
        .await
        .unwrap();
    let reason = stopped
        .stopped
        .clone()
        .expect("the apply stops at the dead stamp");
    assert!(reason.starts_with("line 7: bulk-005:"), "{reason}");
    assert_eq!(stopped.onboarded, 5);
    for row in &plan.plan[..5] {
        assert!(
            fleet
                .tenant(&row.tenant)
                .await
                .unwrap()
                .unwrap()
                .stamp
                .is_some(),
            "{}",
            row.tenant
        );
    }
    for row in &plan.plan[5..30] {
        let bound = fleet
            .tenant(&row.tenant)
            .await
            .unwrap()
            .and_then(|v| v.stamp);
        assert!(bound.is_none(), "{} is bound after the stop", row.tenant);
    }

    fleet.start_local_agents().await.unwrap();
    let rerun = fleet
        .apply_tenant_import("t.csv", &text, &|_| {})
        .await
        .unwrap();
    assert_eq!(rerun.stopped, None, "{rerun:?}");
    assert_eq!(rerun.onboarded + stopped.onboarded, 30);
    for row in plan.plan.iter().take(30) {
        let view = fleet.tenant(&row.tenant).await.unwrap().unwrap();
        let stamp = view.stamp.unwrap();
        assert_eq!(
            hosted_by(&fleet, &stamp, row.tenant.as_str()).await,
            1,
            "{}",
            row.tenant
        );
    }
}

#[tokio::test]
async fn one_customers_tenants_are_spread_over_stamps() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let mut stamps = Vec::new();
    for id in ["acme-a", "acme-b"] {
        let mut place = eu_tenant(id, 5);
        place.tenant.group = Some("acme".to_owned());
        let view = fleet
            .onboard_tenant(&OnboardTenant { place, stamp: None }, &|_| {})
            .await
            .unwrap();
        assert_eq!(view.tenant.group.as_deref(), Some("acme"));
        stamps.push(view.stamp.unwrap());
    }
    assert_ne!(stamps[0], stamps[1], "both acme tenants on {}", stamps[0]);
    // Without the group, the second would have gone where best fit put the first.
    let ungrouped = fleet.place_tenant(&eu_tenant("other", 5)).await.unwrap();
    assert!(
        matches!(&ungrouped.outcome, Outcome::Place { stamp, .. } if *stamp == stamps[0]),
        "{:?}",
        ungrouped.outcome
    );
}

#[tokio::test]
async fn a_home_location_puts_the_nearest_region_first_with_its_distance() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = demo_with_agents(dir.path()).await;
    let mut place = eu_tenant("koala-co", 5);
    place.tenant.residency = Residency::default();
    // Without a home, best fit picks the fullest stamp that fits: not the one in Tokyo.
    let anywhere = fleet.place_tenant(&place).await.unwrap();
    assert_ne!(anywhere.ranked[0].region.as_str(), "gcp-asia-northeast1");
    // Home in Osaka: the Tokyo stamp comes first (Sydney's is full).
    place.home = Some(fleet_core::placement::GeoPoint {
        latitude: 34.69,
        longitude: 135.50,
    });
    let decision = fleet.place_tenant(&place).await.unwrap();
    let first = &decision.ranked[0];
    assert_eq!(first.region.as_str(), "gcp-asia-northeast1", "{decision:?}");
    assert!(first.distance_km.is_some_and(|km| km < 500), "{first:?}");
    assert!(decision.ranked[1..]
        .iter()
        .all(|s| s.distance_km > first.distance_km));
    // Onboarded for real, with no residency: it lands near its home, on tyo-01.
    let request = OnboardTenant {
        place: place.clone(),
        stamp: None,
    };
    let view = fleet.onboard_tenant(&request, &|_| {}).await.unwrap();
    assert_eq!(view.stamp.as_ref().map(|s| s.as_str()), Some("tyo-01"));
    assert_eq!(
        hosted_by(&fleet, &StampId::new("tyo-01").unwrap(), "koala-co").await,
        1
    );
}

#[tokio::test]
async fn decisions_read_the_health_cache_and_ask_only_the_stamp_they_choose() {
    use fleet_ops::HealthState;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let (fleet, catalogue, _stop) = demo_at(dir.path()).await;
    let first = fleet.poll_health(0).await.unwrap();
    assert!(
        first.iter().all(|h| h.state == HealthState::Healthy),
        "{first:?}"
    );
    // Another process on the catalogue decides from the same answers.
    let other = Fleet::open(&catalogue).await.unwrap();
    let place = eu_tenant("cache-1", 30);
    let chosen = other
        .place_tenant(&place)
        .await
        .unwrap()
        .chosen_stamp()
        .cloned()
        .unwrap();
    // The chosen stamp stops answering (its endpoint now names a closed port): the
    // cache still says healthy, yet the decision asks it and takes the runner-up.
    other
        .set_stamp_endpoint(&chosen, "http://127.0.0.1:9")
        .await
        .unwrap();
    let state_of = |all: &[fleet_ops::StampHealth], stamp: &StampId| {
        all.iter().find(|h| &h.stamp == stamp).unwrap().state
    };
    let cached = other.fleet_health(Duration::from_secs(3600)).await.unwrap();
    assert_eq!(state_of(&cached, &chosen), HealthState::Healthy);
    let again = other.place_tenant(&place).await.unwrap();
    let runner_up = again.chosen_stamp().unwrap();
    assert_ne!(runner_up, &chosen, "{again:?}");
    // What it heard is cached for every process.
    let now = fleet.fleet_health(Duration::from_secs(3600)).await.unwrap();
    assert_eq!(state_of(&now, &chosen), HealthState::Unreachable);
    // A max age of 0 asks every stamp again.
    let asked = fleet.fleet_health(Duration::ZERO).await.unwrap();
    assert_eq!(asked.len(), first.len());
    assert_eq!(state_of(&asked, &chosen), HealthState::Unreachable);
}
