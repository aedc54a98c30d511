//! Rollouts through the real stampctl on the demo fleet's real agents: a template
//! version is added and listed, waves are proposed, and a rollout killed mid-wave (the
//! process aborted right after it journaled stamps as upgrading) goes on with `stampctl
//! resume` to every stamp running the new version.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{ok, stampctl};

/// Stops every agent under the test's directory when dropped.
struct StopAgents(std::path::PathBuf);

impl Drop for StopAgents {
    fn drop(&mut self) {
        let _ = std::process::Command::new("pkill")
            .args(["-TERM", "-f", "--"])
            .arg(&self.0)
            .status();
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn a_rollout_killed_mid_wave_goes_on_with_resume() {
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(dir.path().to_owned());
    let path = dir.path().join("c.sqlite");
    ok(stampctl(&path, &["demo"]));
    let added = ok(stampctl(
        &path,
        &[
            "template",
            "add",
            "standard",
            "1.5.0",
            "--capacity",
            "1200",
            "--notes",
            "faster search",
        ],
    ));
    assert_eq!(added, "added template standard@1.5.0\n");
    let list = json(&ok(stampctl(&path, &["-o", "json", "template", "list"])));
    let new = list
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["template"]["version"] == "1.5.0")
        .unwrap();
    assert_eq!(new["newest"], true);
    assert_eq!(new["changes"][0], "capacity 1000 → 1200");
    assert_eq!(new["template"]["releaseNotes"], "faster search");
    let again = support::failed(stampctl(&path, &["template", "add", "standard", "1.5.0"]));
    assert!(again.contains("exists already"), "{again}");

    let args = [
        "--template",
        "standard",
        "--version",
        "1.5.0",
        "--bake",
        "0",
        "--rings",
        "2",
    ];
    let plan = ok(stampctl(
        &path,
        &[&["rollout", "plan"][..], &args[..]].concat(),
    ));
    assert!(
        plan.starts_with("roll out standard@1.5.0 to 6 stamp(s) in 3 wave(s)"),
        "{plan}"
    );
    assert!(plan.contains("wave 1: canary"), "{plan}");

    // Killed right after the first stamps are journaled as upgrading.
    let killed = std::process::Command::new(env!("CARGO_BIN_EXE_stampctl"))
        .arg("--catalogue")
        .arg(&path)
        .args([&["rollout", "start"][..], &args[..]].concat())
        .env_remove("STAMPFLEET_CATALOGUE")
        .env("STAMPFLEET_CRASH_AT", "rollout-upgrading")
        .output()
        .unwrap();
    assert!(!killed.status.success());
    let status = json(&ok(stampctl(&path, &["-o", "json", "rollout", "status"])));
    assert_eq!(status["state"]["phase"], "running");
    assert_eq!(status["journal"], "running");
    let upgrading = status["state"]["stamps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "upgrading")
        .count();
    assert_eq!(upgrading, 1, "the canary was in flight: {status}");

    let resumed = ok(stampctl(&path, &["resume"]));
    assert!(
        resumed.contains("rollout") && resumed.contains("Done"),
        "{resumed}"
    );
    let status = json(&ok(stampctl(&path, &["-o", "json", "rollout", "status"])));
    assert_eq!(status["state"]["phase"], "done");
    let stamps = json(&ok(stampctl(&path, &["-o", "json", "stamp", "list"])));
    for s in stamps.as_array().unwrap() {
        let s = if s.get("stamp").is_some() {
            &s["stamp"]
        } else {
            s
        };
        if s["template"] == "standard" && s["status"] == "active" {
            assert_eq!(s["templateVersion"], "1.5.0", "{s}");
        }
    }
    let text = ok(stampctl(&path, &["rollout", "status"]));
    assert!(text.contains("Done (6/6 upgraded)"), "{text}");
}
