//! Drift and the audit log in the real window: a tenant provisioned on weu-01 behind
//! the catalogue's back is found by Check stamps, adopted with one click, and the
//! Audit log lists that change under the operator's name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{StampId, TenantId};
use fleet_ops::Fleet;
use stamp_protocol::ProvisionTenant;
use stampfleet_e2e::AppSession;

const OPERATOR: &str = "e2e-operator";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orphan_is_found_and_adopted_and_the_audit_log_names_the_operator() {
    // The app inherits the operator's name from this process's environment.
    std::env::set_var("STAMPFLEET_OPERATOR", OPERATOR);
    let (_dir, catalogue, app) = AppSession::start_on_demo().await;
    app.wait_text("[data-testid=operator]", OPERATOR).await;

    let fleet = Fleet::open(&catalogue).await.unwrap();
    let weu01 = StampId::new("weu-01").unwrap();
    let ghost = ProvisionTenant {
        display_name: "Ghost Shop".to_owned(),
        size_units: 7,
    };
    fleet
        .stamp_client(&weu01)
        .await
        .unwrap()
        .provision_tenant("ghost-shop", &ghost, "behind-the-back")
        .await
        .unwrap();

    app.click("[data-testid=drift-check]").await;
    let finding = "[data-testid=drift-finding][data-kind=orphan][data-tenant=ghost-shop]";
    app.wait_text(finding, "the catalogue does not place it")
        .await;
    app.find("[data-testid=world-map-wrapper][data-marks=weu-01]")
        .await;
    app.click(&format!("{finding} [data-testid=drift-repair]"))
        .await;
    app.wait_text("[data-testid=drift-done]", "ghost-shop adopted onto weu-01")
        .await;
    app.find("[data-testid=drift-none]").await;

    let row = app
        .find("[data-testid=audit-row][data-entity=binding][data-entity-id=ghost-shop]")
        .await;
    assert_eq!(
        row.attr("data-actor").await.unwrap().as_deref(),
        Some(OPERATOR)
    );
    assert!(row.text().await.unwrap().contains("reconcile"));
    app.screenshot("drift-repaired.png").await;

    let view = fleet
        .tenant(&TenantId::new("ghost-shop").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.stamp, Some(weu01));
    app.stop().await;
}
