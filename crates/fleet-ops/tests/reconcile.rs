//! Reconcile against the demo fleet's real agents: differences injected on the stamps
//! (a tenant provisioned behind the catalogue's back, one removed) and in the catalogue
//! (a stamp's version, a tenant's size, as an edited import would leave them) are each
//! found with their repair, repaired, and gone when checked again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{StampId, TenantId};
use fleet_ops::{DriftKind, ErrorCode};
use stamp_protocol::ProvisionTenant;
use testkit::{assert_error, assert_succeeded, stampctl};

#[tokio::test]
async fn orphans_missing_tenants_sizes_and_versions_are_found_repaired_and_gone() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, catalogue, _stop) = testkit::demo::demo_fleet(dir.path(), true).await;
    let weu01 = StampId::new("weu-01").unwrap();
    let weu02 = StampId::new("weu-02").unwrap();
    assert!(
        fleet.reconcile().await.unwrap().findings.is_empty(),
        "the demo fleet agrees with itself"
    );

    // On the stamps: a tenant nobody recorded, and a recorded one deleted.
    let ghost = ProvisionTenant {
        display_name: "Ghost Shop".to_owned(),
        size_units: 7,
    };
    let on_weu01 = fleet.stamp_client(&weu01).await.unwrap();
    on_weu01
        .provision_tenant("ghost-shop", &ghost, "behind-the-back")
        .await
        .unwrap();
    let on_weu02 = fleet.stamp_client(&weu02).await.unwrap();
    on_weu02
        .deprovision_tenant("contoso-staging", "behind-the-back-2")
        .await
        .unwrap();
    // In the catalogue: weu-01 recorded at 1.3.0 (it runs 1.4.0), a tenant's size changed.
    let mut doc: serde_json::Value =
        serde_json::from_str(&fleet.export_json().await.unwrap()).unwrap();
    for s in doc["stamps"].as_array_mut().unwrap() {
        if s["id"] == "weu-01" {
            s["templateVersion"] = "1.3.0".into();
        }
    }
    for t in doc["tenants"].as_array_mut().unwrap() {
        if t["id"] == "adventure-works-prod" {
            t["sizeUnits"] = 50.into();
        }
    }
    fleet
        .import_json("edited.json", &doc.to_string(), true)
        .await
        .unwrap();

    let report = fleet.reconcile().await.unwrap();
    assert_eq!(report.stamps_checked, 8);
    let found: Vec<(DriftKind, &str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.kind, f.stamp.as_str(), f.tenant.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (DriftKind::Version, "weu-01", None),
            (DriftKind::Orphan, "weu-01", Some("ghost-shop")),
            (DriftKind::Size, "weu-02", Some("adventure-works-prod")),
            (DriftKind::Missing, "weu-02", Some("contoso-staging")),
        ]
    );
    assert!(
        report.findings.iter().all(|f| f.repair.is_some()),
        "{:#?}",
        report.findings
    );
    let size = &report.findings[2];
    assert_eq!(
        size.detail,
        "it takes 55 units on the stamp, 50 in the catalogue"
    );

    let mut done = Vec::new();
    for f in &report.findings {
        done.push(fleet.repair_drift(f).await.unwrap());
    }
    assert_eq!(
        done,
        [
            "weu-01 recorded at standard@1.4.0",
            "ghost-shop adopted onto weu-01 (review its tier and residency)",
            "adventure-works-prod recorded at 55 units",
            "contoso-staging provisioned again on weu-02 (empty)",
        ]
    );
    // A finding already repaired is not repaired twice.
    let again = fleet.repair_drift(&report.findings[1]).await.unwrap_err();
    assert_error(
        &again,
        ErrorCode::Conflict,
        "no longer shows this difference",
    );

    let ghost = fleet
        .tenant(&TenantId::new("ghost-shop").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ghost.stamp.as_ref(), ghost.tenant.size_units),
        (Some(&weu01), 7)
    );
    assert!(on_weu02
        .tenants()
        .await
        .unwrap()
        .iter()
        .any(|t| t.id == "contoso-staging"));
    let audit = fleet.audit(20).await.unwrap();
    assert_eq!(
        audit.iter().filter(|r| r.via == "reconcile").count(),
        5,
        "{audit:#?}"
    );

    // The real stampctl sees nothing left.
    let out = stampctl(&catalogue, &["reconcile"], None);
    assert_succeeded(&out, "stampctl reconcile");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "8 stamp(s) checked, 0 finding(s)\n"
    );
}

#[tokio::test]
async fn stampctl_reconcile_lists_what_it_finds_and_fixes_only_the_kinds_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, catalogue, _stop) = testkit::demo::demo_fleet(dir.path(), true).await;
    let weu01 = StampId::new("weu-01").unwrap();
    let client = fleet.stamp_client(&weu01).await.unwrap();
    let stray = ProvisionTenant {
        display_name: "Stray".to_owned(),
        size_units: 3,
    };
    client
        .provision_tenant("stray-shop", &stray, "behind-the-back")
        .await
        .unwrap();
    client
        .deprovision_tenant("a-datum-prod", "behind-the-back-2")
        .await
        .unwrap();

    let out = stampctl(&catalogue, &["reconcile", "--fix", "orphan"], None);
    assert_succeeded(&out, "stampctl reconcile --fix orphan");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("8 stamp(s) checked, 2 finding(s)\nKIND"),
        "{text}"
    );
    assert!(
        text.contains("repaired: stray-shop adopted onto weu-01"),
        "{text}"
    );
    assert!(!text.contains("repaired: a-datum-prod"), "{text}");

    let out = stampctl(&catalogue, &["-o", "json", "reconcile"], None);
    assert_succeeded(&out, "stampctl -o json reconcile");
    let left: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(left["findings"].as_array().unwrap().len(), 1, "{left:#}");
    assert_eq!(left["findings"][0]["kind"], "missing");
    assert_eq!(left["findings"][0]["tenant"], "a-datum-prod");

    // The missing tenant's repair, killed after its stamp call and before its audit row:
    // the resume finishes it and writes the row.
    let out = stampctl(
        &catalogue,
        &["reconcile", "--fix", "missing"],
        Some("repair-provisioned"),
    );
    assert!(!out.status.success(), "killed");
    assert!(client
        .tenants()
        .await
        .unwrap()
        .iter()
        .any(|t| t.id == "a-datum-prod"));
    let before = fleet.audit(50).await.unwrap();
    assert!(
        !before.iter().any(|a| a.action == "reprovision"),
        "no audit row yet"
    );
    let outcomes = fleet.resume_repairs().await.unwrap();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert!(
        outcomes[0].contains("a-datum-prod provisioned again on weu-01"),
        "{outcomes:?}"
    );
    let after = fleet.audit(50).await.unwrap();
    assert!(after
        .iter()
        .any(|a| a.action == "reprovision" && a.entity_id == "a-datum-prod"));
    assert!(
        fleet.resume_repairs().await.unwrap().is_empty(),
        "finished once"
    );
    assert!(fleet.reconcile().await.unwrap().findings.is_empty());
}

#[tokio::test]
async fn an_ignored_finding_stays_hidden_with_its_reason_until_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _catalogue, _stop) = testkit::demo::demo_fleet(dir.path(), true).await;
    let weu01 = StampId::new("weu-01").unwrap();
    let client = fleet.stamp_client(&weu01).await.unwrap();
    let ghost = |size| ProvisionTenant {
        display_name: "Ghost Shop".to_owned(),
        size_units: size,
    };
    client
        .provision_tenant("ghost-shop", &ghost(7), "behind-the-back")
        .await
        .unwrap();
    let orphan = fleet.reconcile().await.unwrap().findings.remove(0);
    assert_eq!(
        (orphan.kind, orphan.tenant.as_deref()),
        (DriftKind::Orphan, Some("ghost-shop"))
    );

    let e = fleet.ignore_drift(&orphan, "  ").await.unwrap_err();
    assert_error(&e, ErrorCode::InvalidInput, "reason: say why");
    fleet
        .ignore_drift(&orphan, "a load test the SRE team runs until Friday")
        .await
        .unwrap();
    let report = fleet.reconcile().await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let ignored = &report.ignored[0];
    assert_eq!(
        (
            ignored.kind.as_str(),
            ignored.stamp.as_str(),
            ignored.tenant.as_str(),
            ignored.reason.as_str()
        ),
        (
            "orphan",
            "weu-01",
            "ghost-shop",
            "a load test the SRE team runs until Friday"
        )
    );
    let audit = fleet.audit(20).await.unwrap();
    let row = audit.iter().find(|a| a.entity == "drift").unwrap();
    assert_eq!(
        (row.action.as_str(), row.entity_id.as_str()),
        ("ignore", "orphan:weu-01:ghost-shop")
    );
    assert!(row.after.as_deref().unwrap_or("").contains("until Friday"));

    // What differs changes (the tenant grew on the stamp): the finding shows again.
    client
        .deprovision_tenant("ghost-shop", "gone")
        .await
        .unwrap();
    client
        .provision_tenant("ghost-shop", &ghost(9), "behind-the-back-again")
        .await
        .unwrap();
    let again = fleet.reconcile().await.unwrap();
    assert_eq!(again.findings.len(), 1, "{:?}", again.findings);
    // Ignoring stops: every ignore can be taken back, once.
    fleet.unignore_drift(ignored).await.unwrap();
    assert!(fleet.reconcile().await.unwrap().ignored.is_empty());
    let e = fleet.unignore_drift(ignored).await.unwrap_err();
    assert_error(&e, ErrorCode::Conflict, "is not ignored");
}
