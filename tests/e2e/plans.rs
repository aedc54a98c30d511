//! An offline plan in the real window: with every stamp agent stopped, a plan is made
//! (a stamp added, a tenant moved onto it), the what-if map shows the fleet before and
//! after it, then the stamps are started, the plan is checked and applied with its
//! progress bar, and the fleet (window, catalogue and the stamps themselves) is what
//! the plan said, each change in the audit log under the plan's name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{StampId, StampStatus, TenantQuery};
use fleet_ops::Fleet;
use stampfleet_e2e::AppSession;

const STAMP_ROW: &str = "[data-testid=stamp-row]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_made_offline_is_seen_on_the_map_then_applied() {
    let (_dir, catalogue, app) = AppSession::start_on_demo().await;

    // Offline: every stamp agent stops; the window sees them go.
    let fleet = Fleet::open(&catalogue).await.unwrap();
    assert_eq!(fleet.stop_local_agents().await.unwrap(), 8);
    app.find("[data-testid=start-local-stamps]").await;
    let fra = StampId::new("fra-01").unwrap();
    let mover = fleet
        .tenants(&TenantQuery {
            stamp: Some(fra.clone()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .tenants
        .into_iter()
        .find(|v| !v.tenant.pinned)
        .unwrap()
        .tenant;

    // The plan, made in the window with no stamp answering.
    app.type_into("[data-testid=plan-name]", "q3").await;
    app.click("[data-testid=plan-create]").await;
    app.wait_text("[data-testid=plan-row]", "q3").await;
    app.choose("[data-testid=plan-action-kind]", "addStamp")
        .await;
    app.type_into("[data-testid=plan-field-new-stamp]", "fra-02")
        .await;
    app.type_into("[data-testid=plan-field-region]", "aws-eu-central-1")
        .await;
    app.choose("[data-testid=plan-field-template]", "standard@1.4.0")
        .await;
    let capacity = app.find("[data-testid=plan-field-capacity]").await;
    capacity.clear().await.unwrap();
    capacity.send_keys("800").await.unwrap();
    app.click("[data-testid=plan-action-add]").await;
    app.wait_text("[data-testid=plan-step]", "add stamp fra-02")
        .await;
    app.choose("[data-testid=plan-action-kind]", "moveTenant")
        .await;
    app.type_into("[data-testid=plan-field-tenant]", mover.id.as_str())
        .await;
    app.type_into("[data-testid=plan-field-stamp]", "fra-02")
        .await;
    app.click("[data-testid=plan-action-add]").await;
    app.wait_text(
        "[data-testid=plan-step]",
        &format!("move {} to fra-02", mover.id),
    )
    .await;
    app.find_n("[data-testid=plan-warning]", 0).await;

    // What-if: after the plan, the new stamp is on the map, marked; before, it is not.
    app.click("[data-testid=plan-side-after]").await;
    app.wait_text("[data-testid=map-caption]", "after plan q3")
        .await;
    app.find("[data-testid=world-map-wrapper][data-marks*=fra-02]")
        .await;
    app.wait_text(
        "[data-testid=plan-change][data-stamp-id=fra-02]",
        "1 tenant",
    )
    .await;
    app.screenshot("plan-after.png").await;
    // The map itself, for a look at the rings (saved beside the other screenshots).
    app.client
        .execute_async(
            "const done = arguments[0]; window.scrollTo(0, 0); \
             requestAnimationFrame(() => requestAnimationFrame(() => done(window.scrollY)));",
            vec![],
        )
        .await
        .unwrap();
    app.screenshot("plan-after-map.png").await;
    app.click("[data-testid=map-plan-before]").await;
    app.wait_text("[data-testid=map-caption]", "Before plan q3")
        .await;
    app.find_n(&format!("{STAMP_ROW}[data-stamp-id=fra-02]"), 0)
        .await;

    // Back online: the stamps start, the plan checks clean and is applied.
    app.click("[data-testid=start-local-stamps]").await;
    app.wait_text("[data-testid=start-local-stamps-result]", "Started 8")
        .await;
    app.click("[data-testid=plan-check]").await;
    app.find("[data-testid=plan-no-conflicts]").await;
    app.click("[data-testid=plan-apply]").await;
    app.find("[data-testid=plan-apply-progress]").await;
    app.wait_text("[data-testid=plan-apply-status]", "Applied")
        .await;

    // The fleet is what the plan said: in the window, the catalogue and on the stamps.
    app.wait_text(&format!("{STAMP_ROW}[data-stamp-id=fra-02]"), "fra-02")
        .await;
    let overview = fleet.overview().await.unwrap();
    let fra02 = overview
        .stamps
        .iter()
        .find(|v| v.stamp.id.as_str() == "fra-02")
        .expect("the plan's stamp exists");
    assert_eq!(fra02.stamp.status, StampStatus::Active);
    assert_eq!(fra02.stamp.capacity_units, 800);
    assert_eq!(fra02.tenant_count, 1);
    let view = fleet.tenant(&mover.id).await.unwrap().unwrap();
    assert_eq!(view.stamp.as_ref().map(StampId::as_str), Some("fra-02"));
    let on_stamp = fleet
        .stamp_client(&fra02.stamp.id)
        .await
        .unwrap()
        .tenants()
        .await
        .unwrap();
    assert!(on_stamp.iter().any(|t| t.id == mover.id.as_str()));
    let linked = fleet
        .audit(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.via == "plan:q3" && e.entity == "plan-action")
        .count();
    assert_eq!(linked, 2);
    app.stop().await;
}
