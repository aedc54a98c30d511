//! Adopting stamps Stampfleet did not create: real stamp agents started by the test
//! itself (not by Stampfleet), with tenants provisioned on them directly, adopted into
//! the demo catalogue one at a time and from a CSV file with the real stampctl.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use fleet_core::{Isolation, StampId, StampStatus, TemplateVersion, TenantId, Tier};
use fleet_ops::{AdoptStamp, ErrorCode, Fleet, HealthState};
use testkit::Agent;
use testkit::{assert_error, assert_succeeded, stampctl, wire};

const REGION: &str = "aws-eu-central-1";

/// An agent named `id` started outside Stampfleet, holding `tenants` (id, size).
async fn outside_stamp(dir: &Path, id: &str, token: &str, tenants: &[(&str, u32)]) -> Agent {
    let agent = Agent::start(dir, id, REGION, 500, token);
    let http = reqwest::Client::new();
    for (tenant, size) in tenants {
        let url = agent.url(&format!("/v1/tenants/{tenant}"));
        let answer = wire::provision(
            &http,
            &url,
            token,
            &format!("setup-{tenant}"),
            (tenant, *size),
        )
        .await;
        assert!(
            answer.status().is_success(),
            "{tenant}: {}",
            answer.status()
        );
    }
    agent
}

fn request(id: &str, agent: &Agent, token: &str, version: &str) -> AdoptStamp {
    AdoptStamp {
        id: StampId::new(id).unwrap(),
        region: REGION.parse().unwrap(),
        template: "standard".parse().unwrap(),
        template_version: TemplateVersion::new(version.to_owned()).unwrap(),
        endpoint: agent.base.clone(),
        token: token.to_owned(),
    }
}

#[tokio::test]
async fn a_stamp_is_adopted_with_its_tenants_and_a_tenant_the_catalogue_places_elsewhere_is_a_conflict(
) {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, catalogue, _stop) = testkit::demo::demo_fleet(dir.path(), false).await;
    // a-datum-prod lives on weu-01 in the catalogue; this stamp holds a copy too.
    let agent = outside_stamp(
        dir.path(),
        "ext-01",
        "ext-admin-token-0001",
        &[("ext-new", 10), ("a-datum-prod", 52)],
    )
    .await;
    let counts = fleet.info().await.unwrap().counts;

    // Nothing is written when the stamp does not answer as described.
    let wrong = [
        (
            request("ext-01", &agent, "not-the-token-at-all-0000", "1.4.0"),
            ErrorCode::InvalidInput,
            "refused the admin token",
        ),
        (
            request("ext-02", &agent, "ext-admin-token-0001", "1.4.0"),
            ErrorCode::Conflict,
            "answers as stamp ext-01, not ext-02",
        ),
        (
            request("ext-01", &agent, "ext-admin-token-0001", "1.3.0"),
            ErrorCode::Conflict,
            "answers as template version 1.4.0, not 1.3.0",
        ),
    ];
    for (req, code, text) in wrong {
        assert_error(&fleet.adopt_stamp(&req).await.unwrap_err(), code, text);
    }
    let mut remote = request("ext-01", &agent, "ext-admin-token-0001", "1.4.0");
    remote.endpoint = "http://10.1.2.3:8080".to_owned();
    assert_error(
        &fleet.adopt_stamp(&remote).await.unwrap_err(),
        ErrorCode::InvalidInput,
        "as https://... (plain http only on this machine's loopback",
    );
    assert_eq!(fleet.info().await.unwrap().counts, counts);

    let report = fleet
        .adopt_stamp(&request("ext-01", &agent, "ext-admin-token-0001", "1.4.0"))
        .await
        .unwrap();
    assert_eq!(report.added, [TenantId::new("ext-new").unwrap()]);
    assert!(report.bound.is_empty());
    assert_eq!(report.conflicts.len(), 1, "{report:#?}");
    assert_eq!(report.conflicts[0].tenant, "a-datum-prod");
    assert_eq!(
        report.conflicts[0].problem,
        "the catalogue says it lives on weu-01"
    );
    assert_eq!(
        (report.stamp.capacity_units, report.stamp.status),
        (500, StampStatus::Active)
    );

    // The catalogue holds the stamp and the binding; the token works from the store.
    let view = fleet
        .tenant(&TenantId::new("ext-new").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.stamp.as_ref().map(StampId::as_str), Some("ext-01"));
    assert_eq!(
        (
            view.tenant.tier,
            view.tenant.isolation,
            view.tenant.size_units
        ),
        (Tier::Standard, Isolation::Shared, 10)
    );
    let a_datum = fleet
        .tenant(&TenantId::new("a-datum-prod").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        a_datum.stamp.as_ref().map(StampId::as_str),
        Some("weu-01"),
        "a conflict changes nothing"
    );
    let health = fleet
        .check_health(&StampId::new("ext-01").unwrap())
        .await
        .unwrap();
    assert_eq!(health.state, HealthState::Healthy, "{}", health.detail);
    assert!(!testkit::team::catalogue_holds(
        &catalogue,
        "ext-admin-token-0001"
    ));
    let audit = fleet.audit(10).await.unwrap();
    let adopted: Vec<(&str, &str)> = audit
        .iter()
        .filter(|r| r.via == "adopt")
        .map(|r| (r.entity.as_str(), r.entity_id.as_str()))
        .collect();
    assert_eq!(adopted.len(), 3, "{adopted:?}");
    assert!(adopted.contains(&("stamp", "ext-01")) && adopted.contains(&("binding", "ext-new")));

    let again = fleet
        .adopt_stamp(&request("ext-01", &agent, "ext-admin-token-0001", "1.4.0"))
        .await
        .unwrap_err();
    assert_error(&again, ErrorCode::Conflict, "already in the catalogue");
}

#[tokio::test]
async fn stamps_listed_in_a_file_are_adopted_by_stampctl_and_a_bad_row_is_named_with_nothing_adopted(
) {
    let dir = tempfile::tempdir().unwrap();
    let (_fleet, catalogue, _stop) = testkit::demo::demo_fleet(dir.path(), false).await;
    let a = outside_stamp(
        dir.path(),
        "ext-a",
        "token-a-0000000000001",
        &[("shop-a", 20)],
    )
    .await;
    let b = outside_stamp(
        dir.path(),
        "ext-b",
        "token-b-0000000000002",
        &[("shop-b", 30), ("shop-c", 5)],
    )
    .await;
    let csv = dir.path().join("stamps.csv");
    let write = |rows: &[String]| {
        let mut text = "id,region,template,version,endpoint,token_file\n".to_owned();
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        std::fs::write(&csv, text).unwrap();
    };
    let row = |id: &str, agent: &Agent, version: &str| {
        format!("{id},{REGION},standard,{version},{},{id}.token", agent.base)
    };
    let csv_arg = csv.display().to_string();

    write(&[row("ext-a", &a, "1.4.0"), row("ext-b", &b, "1.4")]);
    let out = stampctl(&catalogue, &["stamp", "adopt", "--file", &csv_arg], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stamps.csv:3: field version"), "{err}");

    write(&[row("ext-a", &a, "1.4.0"), row("ext-b", &b, "1.4.0")]);
    let out = stampctl(&catalogue, &["stamp", "adopt", "--file", &csv_arg], None);
    assert_succeeded(&out, "stampctl stamp adopt --file");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.ends_with("2 of 2 stamps adopted\n"), "{text}");
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(progress.contains("[2/2]"), "{progress}");

    let fleet = Fleet::open(&catalogue).await.unwrap();
    for (tenant, stamp) in [
        ("shop-a", "ext-a"),
        ("shop-b", "ext-b"),
        ("shop-c", "ext-b"),
    ] {
        let view = fleet
            .tenant(&TenantId::new(tenant).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            view.stamp.as_ref().map(StampId::as_str),
            Some(stamp),
            "{tenant}"
        );
    }
}
