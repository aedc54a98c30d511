//! The window cannot make the app run a program: `new_stamp` from the webview names a
//! provider of this machine's own configuration, never a program of its own, and a
//! provisioning by a command that a previous run left interrupted (the journal names
//! the program, and the catalogue may be someone else's file) is not run again at
//! start-up; only when the operator asks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{RegionId, Stamp, StampId, StampStatus, TemplateName, TemplateVersion};
use fleet_ops::{Fleet, ProviderConfig};
use testkit::demo::standard_stamp;

fn file_secrets() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::env::set_var("STAMPFLEET_SECRETS", "file"));
}

fn command_writing(marker: &std::path::Path) -> ProviderConfig {
    ProviderConfig::Command {
        program: "sh".to_owned(),
        args: vec![
            "-c".to_owned(),
            format!("cat >/dev/null; touch '{}'; exit 1", marker.display()),
        ],
        timeout_secs: 30,
    }
}

#[tokio::test]
async fn the_window_never_names_a_program_of_its_own() {
    file_secrets();
    let dir = tempfile::tempdir().unwrap();
    let fleet = testkit::demo::offline_demo(dir.path()).await;
    let marker = dir.path().join("ran");
    let request = standard_stamp("weu-09", "azure-westeurope", None, command_writing(&marker));
    let err = fleet
        .provision_stamp_from_window(&request, &|_| {})
        .await
        .unwrap_err();
    assert!(
        err.message.contains("never a program or URL of its own"),
        "{}",
        err.message
    );
    assert!(!marker.exists(), "the program did not run");
    let stamps = fleet.overview().await.unwrap().stamps;
    assert!(
        stamps.iter().all(|s| s.stamp.id.as_str() != "weu-09"),
        "nothing written"
    );
}

#[tokio::test]
async fn an_interrupted_command_provisioning_waits_for_the_operator() {
    file_secrets();
    let dir = tempfile::tempdir().unwrap();
    let fleet = testkit::demo::offline_demo(dir.path()).await;
    // What a run killed mid-provisioning leaves: the stamp and its running operation.
    let marker = dir.path().join("ran");
    let stamp = Stamp {
        id: StampId::new("weu-09").unwrap(),
        region: RegionId::new("azure-westeurope").unwrap(),
        template: TemplateName::new("standard").unwrap(),
        template_version: TemplateVersion::new("1.4.0").unwrap(),
        capacity_units: 1000,
        status: StampStatus::Provisioning,
        endpoint: None,
    };
    let params = serde_json::to_string(&command_writing(&marker)).unwrap();
    let raw = catalogue::Catalogue::open_location(&fleet.path().to_string_lossy())
        .await
        .unwrap();
    raw.insert_stamp_with_operation(
        &stamp,
        catalogue::OperationKind::ProvisionStamp,
        &params,
        "provision",
        None,
    )
    .await
    .unwrap();

    assert_eq!(fleet.resume_operations_at_start().await.unwrap(), 0);
    assert!(!marker.exists(), "not run at start-up");
    let status = |fleet: Fleet| async move {
        let overview = fleet.overview().await.unwrap();
        let s = overview
            .stamps
            .into_iter()
            .find(|s| s.stamp.id.as_str() == "weu-09");
        s.unwrap().stamp.status
    };
    assert_eq!(status(fleet.clone()).await, StampStatus::Provisioning);

    // A plain `stampctl resume` lists it with the program it would run, and runs nothing.
    assert_eq!(fleet.resume_operations().await.unwrap(), 0);
    assert!(!marker.exists(), "not run by a plain resume");
    let waiting = fleet.commands_waiting().await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(waiting[0].starts_with("weu-09: sh"), "{waiting:?}");
    // `stampctl resume --run-commands` runs it (here it fails, and says so).
    assert_eq!(fleet.resume_operations_running_commands().await.unwrap(), 1);
    assert!(marker.exists(), "run when asked");
    assert_eq!(status(fleet.clone()).await, StampStatus::Failed);
}
