//! A command provider in the real window: the shipped example wrapper, registered on
//! this machine (providers.json), is offered by "New stamp" and creates a real stamp
//! that turns healthy; the Stamp providers panel lists it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::StampId;
use stampfleet_e2e::{workspace_root, AppSession};

/// Stops the example wrapper's agents (started detached under `dir`).
struct StopExampleStamps(std::path::PathBuf);

impl Drop for StopExampleStamps {
    fn drop(&mut self) {
        let _ = std::process::Command::new("pkill")
            .args(["-TERM", "-f", "--"])
            .arg(&self.0)
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_command_provider_creates_a_stamp_from_the_new_stamp_dialog() {
    // The app's config directory is its catalogue's (AppSession::start).
    let config = tempfile::tempdir().unwrap();
    let catalogue = config.path().join("catalogue.sqlite");
    let stamps = config.path().join("example-stamps");
    let _stop = StopExampleStamps(stamps.clone());
    let wrapper = workspace_root().join("crates/fleet-ops/provider-examples/local-stamp.sh");
    let providers = serde_json::json!({ "providers": [
        { "name": "example", "provider": { "kind": "command", "program": wrapper, "args": [], "timeoutSecs": 60 } }
    ]});
    std::fs::write(config.path().join("providers.json"), providers.to_string()).unwrap();
    // The wrapper the window runs reads this from the environment it inherits.
    std::env::set_var("STAMPFLEET_EXAMPLE_STAMPS", &stamps);
    std::env::set_var("STAMPFLEET_SECRETS", "file");
    let app = AppSession::start(&catalogue, config.path()).await;
    app.create_demo().await;

    app.find("[data-testid=provider-row][data-name=example][data-kind=command]")
        .await;
    app.click("[data-testid=new-stamp]").await;
    app.find("[data-testid=new-stamp-dialog]").await;
    app.choose("[data-testid=new-stamp-provider]", "example")
        .await;
    let id = app.find("[data-testid=new-stamp-id]").await;
    id.clear().await.unwrap();
    id.send_keys("ext-01").await.unwrap();
    app.click("[data-testid=new-stamp-submit]").await;
    app.find("[data-testid=stamp-row][data-stamp-id=ext-01][data-status=active]")
        .await;
    app.screenshot("provider-example-stamp.png").await;

    let fleet = fleet_ops::Fleet::open(&catalogue).await.unwrap();
    let detail = fleet
        .stamp_detail(&StampId::new("ext-01").unwrap())
        .await
        .unwrap();
    assert_eq!(
        detail.health.state,
        fleet_ops::HealthState::Healthy,
        "{}",
        detail.health.describe()
    );
    assert!(
        stamps.join("ext-01/data").is_dir(),
        "the wrapper's agent keeps its data there"
    );
    app.stop().await;
}
