//! A rollout in the real window on the demo fleet's real agents: a new template version
//! made in the window goes canary → waves → done with an approval at each gate, the map
//! ringing each stamp's state; then a version one stamp fails to take halts the next
//! rollout, and that stamp is rolled back.
//! The agents run with a test fault (named as such): tyo-01 fails any upgrade to 1.6.0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::StampId;
use fleet_ops::Fleet;
use stampfleet_e2e::AppSession;

/// Replaces a field's value: cleared (WebKitWebDriver's clear() fires no input event),
/// then typed, which does.
async fn set_value(app: &AppSession, css: &str, text: &str) {
    let field = app.find(css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_goes_canary_to_waves_to_done_and_a_failing_stamp_halts_the_next() {
    std::env::set_var("STAMP_FAULTS", "tyo-01:fail-upgrade=1.6.0");
    let (_dir, catalogue, app) = AppSession::start_on_demo().await;
    let fleet = Fleet::open(&catalogue).await.unwrap();

    // A new version of "standard", as the form suggests it (the newest plus a minor).
    app.press("[data-testid=template-new-version]").await;
    app.choose("[data-testid=template-version-template]", "standard")
        .await;
    app.type_into("[data-testid=template-version-notes]", "faster search")
        .await;
    app.press("[data-testid=template-version-add]").await;
    app.find("[data-testid=template-version-row][data-template=standard][data-version='1.5.0']")
        .await;

    app.choose("[data-testid=rollout-target]", "standard@1.5.0")
        .await;
    set_value(&app, "[data-testid=rollout-bake]", "0").await;
    app.set_checked("[data-testid=rollout-approval]", true)
        .await;
    app.press("[data-testid=rollout-propose]").await;
    app.find("[data-testid=rollout-preview][data-waves='3']")
        .await;
    app.find(
        "[data-testid=world-map-wrapper][data-marks='fra-01,syd-01,tyo-01,use-01,weu-01,weu-02']",
    )
    .await;
    // The map coloured by version all along: its legend counts the stamps on each.
    app.press("[data-testid=map-colour-version]").await;
    app.wait_text(
        "[data-testid=map-legend-versions] [data-version='standard 1.4.0']",
        "5",
    )
    .await;
    app.press("[data-testid=rollout-start]").await;

    // The canary, then a gate.
    app.find("[data-testid=rollout][data-phase=awaitingApproval]")
        .await;
    app.wait_text("[data-testid=rollout]", "1 of 6 upgraded")
        .await;
    app.wait_text(".world-map", "Rollout: upgraded").await;
    app.screenshot("rollout-canary-done.png").await;
    app.press("[data-testid=rollout-approve]").await;
    app.find("[data-testid=rollout][data-phase=awaitingApproval] [data-testid=rollout-wave]:nth-child(2)[data-status=done]")
        .await;
    app.screenshot("rollout-wave-2-done.png").await;
    app.press("[data-testid=rollout-approve]").await;
    app.find("[data-testid=rollout][data-phase=done]").await;
    app.wait_text("[data-testid=rollout]", "6 of 6 upgraded")
        .await;
    for id in ["weu-01", "weu-02", "fra-01", "use-01", "tyo-01", "syd-01"] {
        let health = fleet
            .stamp_client(&StampId::new(id).unwrap())
            .await
            .unwrap()
            .health()
            .await
            .unwrap();
        assert_eq!(health.template_version, "1.5.0", "{id}");
    }
    app.find("[data-testid=version-matrix] tr[data-version='standard 1.5.0']")
        .await;
    app.wait_text(
        "[data-testid=map-legend-versions] [data-version='standard 1.5.0']",
        "6",
    )
    .await;
    app.screenshot("rollout-done-by-version.png").await;

    // 1.6.0, in one ring after the canary: tyo-01 fails it; the rollout halts.
    app.press("[data-testid=template-new-version]").await;
    app.choose("[data-testid=template-version-template]", "standard")
        .await;
    app.press("[data-testid=template-version-add]").await;
    app.find("[data-testid=template-version-row][data-template=standard][data-version='1.6.0']")
        .await;
    app.choose("[data-testid=rollout-target]", "standard@1.6.0")
        .await;
    set_value(&app, "[data-testid=rollout-rings]", "1").await;
    app.set_checked("[data-testid=rollout-approval]", false)
        .await;
    app.press("[data-testid=rollout-propose]").await;
    app.find("[data-testid=rollout-preview][data-waves='2']")
        .await;
    app.press("[data-testid=rollout-start]").await;
    app.find("[data-testid=rollout][data-phase=halted]").await;
    app.wait_text(
        "[data-testid=rollout-reason]",
        "tyo-01: upgrade to 1.6.0 failed",
    )
    .await;
    app.find("[data-testid=rollout-stamp][data-stamp=tyo-01][data-state=rolledBack]")
        .await;
    app.wait_text(".world-map", "Rollout: failed, rolled back")
        .await;
    app.screenshot("rollout-halted.png").await;
    let tyo = fleet
        .stamp_client(&StampId::new("tyo-01").unwrap())
        .await
        .unwrap();
    assert_eq!(tyo.health().await.unwrap().template_version, "1.5.0");
    app.stop().await;
}
