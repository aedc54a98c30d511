//! Onboarding in the real window against the demo fleet's real local stamps: a tenant
//! with EU residency goes through the wizard, lands on a stamp in an EU region (shown
//! selected on the map), and the stamp's own API lists it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{builtin_regions, demo::demo_fleet, TenantId};
use stampfleet_e2e::AppSession;

const TENANT: &str = "contoso-europe";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eu_tenant_is_onboarded_through_the_wizard_onto_an_eu_stamp() {
    let regions = builtin_regions().unwrap();
    let demo = demo_fleet(&regions).unwrap();
    let (_dir, catalogue, app) = AppSession::start_on_demo().await;

    app.click("[data-testid=onboard-button]").await;
    app.find("[data-testid=onboard-dialog]").await;
    app.find("[data-testid=onboard-name]")
        .await
        .send_keys("Contoso Europe")
        .await
        .unwrap();
    let id = app.find("[data-testid=onboard-id]").await;
    assert_eq!(id.prop("value").await.unwrap().as_deref(), Some(TENANT));
    let size = app.find("[data-testid=onboard-size]").await;
    size.clear().await.unwrap();
    size.send_keys("25").await.unwrap();
    app.find("[data-testid=onboard-residency-country]")
        .await
        .select_by_value("NL")
        .await
        .unwrap();
    app.click("[data-testid=onboard-next]").await;

    let proposed = app
        .find("[data-testid=onboard-proposed-stamp]")
        .await
        .attr("data-stamp-id")
        .await
        .unwrap()
        .unwrap();
    let stamp = demo
        .stamps
        .iter()
        .find(|s| s.id.as_str() == proposed)
        .unwrap();
    let region = regions.iter().find(|r| r.id == stamp.region).unwrap();
    assert_eq!(
        region.country.as_str(),
        "NL",
        "{proposed} is in {}",
        region.id
    );
    app.find("[data-testid=onboard-rejections]").await;

    app.click("[data-testid=onboard-confirm]").await;
    let done = app.find("[data-testid=onboard-done]").await;
    assert!(done.text().await.unwrap().contains(&proposed));
    // On the map and in the lists: the stamp is selected, its tenants include the new one.
    app.find(&format!(
        "[data-testid=stamp-row][data-stamp-id={proposed}][aria-selected=true]"
    ))
    .await;
    app.find(&format!(
        "[data-testid=tenant-row][data-tenant-id={TENANT}]"
    ))
    .await;
    app.client
        .execute("window.scrollTo(0, 0)", vec![])
        .await
        .unwrap();
    app.screenshot("onboarded.png").await;

    // The catalogue binds it, and the stamp's own API (a real agent) lists it.
    let fleet = fleet_ops::Fleet::open(&catalogue).await.unwrap();
    let view = fleet
        .tenant(&TenantId::new(TENANT).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        view.stamp.as_ref().map(|s| s.as_str()),
        Some(proposed.as_str())
    );
    let on_stamp = fleet
        .stamp_client(view.stamp.as_ref().unwrap())
        .await
        .unwrap()
        .tenants()
        .await
        .unwrap();
    assert!(on_stamp.iter().any(|t| t.id == TENANT), "{on_stamp:?}");
    app.stop().await;
}
