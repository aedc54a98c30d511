//! The real window provisions a real local stamp: "New stamp" starts a stamp-agent
//! process that turns healthy in the UI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::Locator;
use fleet_core::StampId;
use stampfleet_e2e::AppSession;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_stamp_starts_a_real_agent_that_turns_healthy() {
    let (_dir, catalogue, app) = AppSession::start_in_new_dir().await;
    app.click("[data-testid=create-demo]").await;
    app.find_n("[data-testid=stamp-row]", 8).await;

    app.click("[data-testid=new-stamp]").await;
    app.find("[data-testid=new-stamp-dialog]").await;
    let id = app.find("[data-testid=new-stamp-id]").await;
    assert!(
        !id.prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
            .is_empty(),
        "a name is suggested"
    );
    id.clear().await.unwrap();
    id.send_keys("e2e-01").await.unwrap();
    app.click("[data-testid=new-stamp-submit]").await;

    app.find_n("[data-testid=stamp-row]", 9).await;
    app.find_n("[data-testid=stamp-row][data-stamp-id=e2e-01]", 1)
        .await;
    // The health watcher pushes the live state into the row.
    let healthy = "[data-testid=stamp-row][data-stamp-id=e2e-01] [data-testid=stamp-row-health]";
    let cell = app.find(healthy).await;
    let watch = r#"
        const [css, done] = arguments;
        const ok = () => (document.querySelector(css)?.textContent ?? '').toLowerCase().includes('healthy');
        if (ok()) { done(true); return; }
        const w = new MutationObserver(() => { if (ok()) { w.disconnect(); done(true); } });
        w.observe(document.body, { childList: true, subtree: true, characterData: true });
    "#;
    let waited = app.client.execute_async(watch, vec![healthy.into()]).await;
    assert!(
        waited.is_ok(),
        "e2e-01 never showed healthy: {:?} / {waited:?}",
        cell.text().await
    );
    app.client
        .execute("window.scrollTo(0, 0)", vec![])
        .await
        .unwrap();
    app.screenshot("new-stamp.png").await;
    assert!(app
        .client
        .find(Locator::Css("[data-testid=new-stamp-error]"))
        .await
        .is_err());

    // The catalogue says active, and the agent answers its health with the stored token.
    std::env::set_var("STAMPFLEET_SECRETS", "file");
    let fleet = fleet_ops::Fleet::open(&catalogue).await.unwrap();
    let detail = fleet
        .stamp_detail(&StampId::new("e2e-01").unwrap())
        .await
        .unwrap();
    assert_eq!(detail.stamp.stamp.status, fleet_core::StampStatus::Active);
    assert_eq!(
        detail.health.state,
        fleet_ops::HealthState::Healthy,
        "{}",
        detail.health.describe()
    );
    // The demo stamps run real agents too, with their tenants provisioned.
    let syd = fleet
        .stamp_detail(&StampId::new("syd-01").unwrap())
        .await
        .unwrap();
    assert_eq!(
        (syd.health.state, syd.health.tenant_count),
        (fleet_ops::HealthState::Healthy, Some(10))
    );
    app.stop().await;
}
