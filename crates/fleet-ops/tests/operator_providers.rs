//! Operator providers (providers.json in the config directory): the shipped example
//! wrapper, registered as a command provider, creates a real stamp when the window names
//! it; the window may add http providers but never a command provider (a program to
//! run), nor turn one into an http provider; a file that does not read says where.
//! A rollout over stamps a provider made asks that provider to `upgrade` each stamp
//! first (and the other way when it rolls one back).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::rollout::{RolloutPhase, RolloutSpec, RolloutWave, StampRolloutState};
use fleet_core::{RegionId, StampId, StampStatus, TemplateName, TemplateVersion};
use fleet_ops::operator_providers::{
    operator_providers, providers_file, remove_operator_provider, save_operator_provider,
};
use fleet_ops::{
    ErrorCode, Fleet, NewStamp, NewTemplateVersion, OperatorProvider, ProviderConfig, RolloutClock,
};
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

/// Both tests set this process's config directory: one at a time.
static ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn the_example_wrapper_creates_a_stamp_the_window_names_and_the_window_adds_no_program() {
    let _env = ENV.lock().await;
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

fn command_provider(name: &str, program: &std::path::Path) -> OperatorProvider {
    OperatorProvider {
        name: name.to_owned(),
        provider: ProviderConfig::Command {
            program: program.display().to_string(),
            args: Vec::new(),
            timeout_secs: 60,
        },
    }
}

async fn provision(fleet: &Fleet, id: &str, provider: &str) {
    let request = NewStamp {
        id: StampId::new(id).unwrap(),
        region: RegionId::new("aws-eu-central-1").unwrap(),
        template: TemplateName::new("standard").unwrap(),
        template_version: TemplateVersion::new("1.4.0").unwrap(),
        capacity_units: None,
        provider: ProviderConfig::Local,
        provider_name: Some(provider.to_owned()),
    };
    fleet
        .provision_stamp_from_window(&request, &|_| {})
        .await
        .unwrap();
}

async fn add_version(fleet: &Fleet, v: &str) {
    let request = NewTemplateVersion {
        template: TemplateName::new("standard").unwrap(),
        version: TemplateVersion::new(v).unwrap(),
        based_on: None,
        capacity_units: None,
        tiers: None,
        description: None,
        release_notes: format!("release {v}"),
    };
    fleet.add_template_version(&request).await.unwrap();
}

fn one_wave(target: &str, stamps: &[&str]) -> RolloutSpec {
    RolloutSpec {
        template: TemplateName::new("standard").unwrap(),
        target_version: TemplateVersion::new(target).unwrap(),
        waves: vec![RolloutWave {
            name: "all".to_owned(),
            stamps: stamps.iter().map(|s| StampId::new(*s).unwrap()).collect(),
            parallelism: 2,
        }],
        bake_secs: 0,
        approval: false,
        max_error_rate: 0.05,
        windows: Vec::new(),
    }
}

async fn reported(fleet: &Fleet, stamp: &str) -> String {
    let client = fleet
        .stamp_client(&StampId::new(stamp).unwrap())
        .await
        .unwrap();
    client.health().await.unwrap().template_version
}

#[tokio::test]
async fn a_rollout_asks_the_provider_that_made_each_stamp_to_upgrade_it_first() {
    let _env = ENV.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let stamps = dir.path().join("example-stamps");
    std::env::set_var("STAMPFLEET_CONFIG_DIR", dir.path().join("config"));
    std::env::set_var("STAMPFLEET_EXAMPLE_STAMPS", &stamps);
    let _stop = StopExampleStamps(stamps.clone());
    let fleet = testkit::demo::offline_demo(dir.path()).await;
    // "flaky" is the example whose infrastructure cannot go to 1.6.0 (a wrapper that
    // fails that one request, as `tofu apply` would on a quota).
    let flaky = dir.path().join("flaky.sh");
    std::fs::write(
        &flaky,
        format!(
            "#!/bin/sh\ninput=$(cat)\ncase \"$input\" in *'\"action\":\"upgrade\"'*'\"templateVersion\":\"1.6.0\"'*) echo 'tofu apply: quota exceeded' >&2; exit 1 ;; esac\nprintf '%s' \"$input\" | exec {}\n",
            example_wrapper().display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x"])
        .arg(&flaky)
        .status()
        .unwrap();
    save_operator_provider(command_provider("example", &example_wrapper()), false).unwrap();
    save_operator_provider(command_provider("flaky", &flaky), false).unwrap();
    provision(&fleet, "ext-01", "example").await;
    provision(&fleet, "ext-02", "flaky").await;
    let upgrades = |stamp: &str| {
        std::fs::read_to_string(stamps.join(stamp).join("upgrades.log")).unwrap_or_default()
    };

    add_version(&fleet, "1.5.0").await;
    let done = fleet
        .start_rollout(
            &one_wave("1.5.0", &["ext-01", "ext-02"]),
            &RolloutClock::default(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        done.state.phase,
        RolloutPhase::Done,
        "{}",
        done.state.reason
    );
    for stamp in ["ext-01", "ext-02"] {
        assert_eq!(
            upgrades(stamp),
            "1.4.0 -> 1.5.0\n",
            "{stamp}'s provider was asked"
        );
        assert_eq!(reported(&fleet, stamp).await, "1.5.0");
    }

    // The provider refuses 1.6.0 for ext-02: the rollout halts with its reason, and
    // rolling back asks the provider the other way before the Stamp API.
    add_version(&fleet, "1.6.0").await;
    let halted = fleet
        .start_rollout(
            &one_wave("1.6.0", &["ext-01", "ext-02"]),
            &RolloutClock::default(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(halted.state.phase, RolloutPhase::Halted);
    assert!(
        halted.state.reason.contains("ext-02: provider flaky")
            && halted.state.reason.contains("quota exceeded"),
        "{}",
        halted.state.reason
    );
    let ext02 = halted
        .state
        .stamps
        .iter()
        .find(|s| s.stamp.as_str() == "ext-02")
        .unwrap();
    assert_eq!(
        ext02.state,
        StampRolloutState::RolledBack,
        "{}",
        ext02.message
    );
    assert_eq!(upgrades("ext-02"), "1.4.0 -> 1.5.0\n1.6.0 -> 1.5.0\n");
    assert_eq!(reported(&fleet, "ext-02").await, "1.5.0");
    assert_eq!(upgrades("ext-01"), "1.4.0 -> 1.5.0\n1.5.0 -> 1.6.0\n");
    assert_eq!(reported(&fleet, "ext-01").await, "1.6.0");
}
