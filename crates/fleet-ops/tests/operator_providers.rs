//! Operator providers (providers.json in the config directory): the shipped example
//! wrapper, registered as a command provider, creates a real stamp when the window names
//! it; the window may add http providers but never a command provider (a program to
//! run), nor turn one into an http provider; a file that does not read says where.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{RegionId, StampId, StampStatus, TemplateName, TemplateVersion};
use fleet_ops::operator_providers::{
    operator_providers, providers_file, remove_operator_provider, save_operator_provider,
};
use fleet_ops::{ErrorCode, NewStamp, OperatorProvider, ProviderConfig};
use testkit::assert_error;

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

fn example_wrapper() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("provider-examples/local-stamp.sh")
}

#[tokio::test]
async fn the_example_wrapper_creates_a_stamp_the_window_names_and_the_window_adds_no_program() {
    let dir = tempfile::tempdir().unwrap();
    // This test binary's own config directory and example stamps.
    std::env::set_var("STAMPFLEET_CONFIG_DIR", dir.path().join("config"));
    std::env::set_var(
        "STAMPFLEET_EXAMPLE_STAMPS",
        dir.path().join("example-stamps"),
    );
    let _stop = StopExampleStamps(dir.path().join("example-stamps"));
    let fleet = testkit::demo::offline_demo(dir.path()).await;
    assert!(operator_providers().unwrap().is_empty());

    let command = OperatorProvider {
        name: "example".to_owned(),
        provider: ProviderConfig::Command {
            program: example_wrapper().display().to_string(),
            args: Vec::new(),
            timeout_secs: 60,
        },
    };
    // Not from the window: a command is what web content must never name.
    let e = save_operator_provider(command.clone(), true).unwrap_err();
    assert_error(
        &e,
        ErrorCode::InvalidInput,
        "the window never adds or changes a command provider",
    );
    save_operator_provider(command, false).unwrap();
    let http = |name: &str| OperatorProvider {
        name: name.to_owned(),
        provider: ProviderConfig::Http {
            url: "https://provisioning.example.com/stamps".to_owned(),
            timeout_secs: 600,
        },
    };
    let e = save_operator_provider(http("example"), true).unwrap_err();
    assert_error(
        &e,
        ErrorCode::InvalidInput,
        "never adds or changes a command provider",
    );
    save_operator_provider(http("svc"), true).unwrap();
    let e = save_operator_provider(http("Bad Name"), true).unwrap_err();
    assert_error(
        &e,
        ErrorCode::InvalidInput,
        "name: 1 to 40 lowercase letters",
    );
    let names: Vec<String> = operator_providers()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["example", "svc"]);
    remove_operator_provider("svc").unwrap();

    // The window names the provider; the program comes from this machine's file.
    let request = NewStamp {
        id: StampId::new("ext-01").unwrap(),
        region: RegionId::new("aws-eu-central-1").unwrap(),
        template: TemplateName::new("standard").unwrap(),
        template_version: TemplateVersion::new("1.4.0").unwrap(),
        capacity_units: None,
        provider: ProviderConfig::Local,
        provider_name: Some("example".to_owned()),
    };
    let stamp = fleet
        .provision_stamp_from_window(&request, &|_| {})
        .await
        .unwrap();
    assert_eq!(stamp.status, StampStatus::Active);
    let health = fleet
        .stamp_client(&stamp.id)
        .await
        .unwrap()
        .health()
        .await
        .unwrap();
    assert_eq!(
        (health.stamp_id.as_str(), health.region.as_str()),
        ("ext-01", "aws-eu-central-1")
    );
    assert!(dir.path().join("example-stamps/ext-01/data").is_dir());

    let unknown = NewStamp {
        id: StampId::new("ext-02").unwrap(),
        provider_name: Some("nope".to_owned()),
        ..request.clone()
    };
    let e = fleet
        .provision_stamp_from_window(&unknown, &|_| {})
        .await
        .unwrap_err();
    assert_error(
        &e,
        ErrorCode::InvalidInput,
        "no provider named \"nope\" is configured on this machine",
    );

    // A file that does not read names itself, its line and column, and nothing runs.
    std::fs::write(
        providers_file().unwrap(),
        "{\n  \"providers\": [\n    {\"name\": 1}\n  ]\n}\n",
    )
    .unwrap();
    let e = operator_providers().unwrap_err();
    assert_error(
        &e,
        ErrorCode::InvalidInput,
        "providers.json: line 3, column",
    );
}
