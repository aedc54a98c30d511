//! A newcomer's first five minutes, with only the programs the run command builds
//! (`.ci/build-app`), copied alone into an empty directory, and an empty data directory:
//! the window opens on the default catalogue, "Create demo fleet" works on the first
//! click and all 8 stamps turn healthy; then `stampctl` on the same catalogue, by a
//! relative and by an absolute path, reaches every stamp; agents stopped behind the
//! window's back are named as such, and its fix brings them back. Without the agent program
//! beside the app, the demo fails saying why and leaves an empty catalogue behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use stampfleet_e2e::{workspace_root, AppSession};

/// Copies the named programs, as `.ci/build-app` left them, into `bin`.
fn install(bin: &Path, programs: &[&str]) {
    std::fs::create_dir_all(bin).unwrap();
    for program in programs {
        let built = workspace_root().join("target/debug").join(program);
        assert!(
            built.is_file(),
            "{} is missing: the run command's build step (.ci/build-app) builds it",
            built.display()
        );
        std::fs::copy(&built, bin.join(program)).unwrap();
    }
}

/// The variables a newcomer's shell does not have, so the defaults are what runs.
const NOT_SET: &[&str] = &[
    "STAMPFLEET_CATALOGUE",
    "STAMPFLEET_AGENT",
    "STAMPFLEET_LOG_DIR",
    "STAMPFLEET_ROUTES_ADDR",
];

fn newcomer_env(data: &Path) -> [(&'static str, &OsStr); 3] {
    [
        ("XDG_DATA_HOME", data.as_os_str()),
        // A PATH without any build directory: the agent is found beside the app or not at all.
        ("PATH", "/usr/local/bin:/usr/bin:/bin".as_ref()),
        // Tokens in 0600 files beside the catalogue (the keychain has its own tests).
        ("STAMPFLEET_SECRETS", "file".as_ref()),
    ]
}

fn stampctl(bin: &Path, cwd: &Path, catalogue: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(bin.join("stampctl"))
        .current_dir(cwd)
        .args(["--catalogue", catalogue, "-o", "json"])
        .args(args)
        .envs(NOT_SET.iter().map(|v| (*v, "")))
        .env("STAMPFLEET_SECRETS", "file")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stampctl {args:?} on {catalogue}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn healthy_stamps(checks: &serde_json::Value) -> Vec<String> {
    checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "healthy")
        .map(|c| c["stamp"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_five_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    install(&bin, &["stampfleet", "stamp-agent", "stampctl"]);
    let data = dir.path().join("data");
    let home: PathBuf = data.join("stampfleet");
    let env = newcomer_env(&data);
    let app = AppSession::launch(&bin.join("stampfleet"), &home, &env, NOT_SET).await;

    app.find("[data-testid=first-run]").await;
    app.click("[data-testid=create-demo]").await;
    app.find_n("[data-testid=stamp-row]", 8).await;
    app.find_n("[data-testid=stamp-row-health] [data-health=healthy]", 8)
        .await;

    // While the window stays open (closing the session stops the agents): the default
    // catalogue in the data directory, by three spellings of its path.
    let catalogue = home.join("catalogue.sqlite");
    assert!(
        catalogue.is_file(),
        "{} was not created",
        catalogue.display()
    );
    for (cwd, spelling) in [
        (&data, "stampfleet/catalogue.sqlite".to_owned()),
        (&home, "./catalogue.sqlite".to_owned()),
        (&bin, catalogue.display().to_string()),
    ] {
        let checks = stampctl(&bin, cwd, &spelling, &["stamp", "health"]);
        assert_eq!(
            healthy_stamps(&checks).len(),
            8,
            "stampctl by {spelling} from {}: {checks}",
            cwd.display()
        );
    }

    // Agents stopped behind the window's back: each stamp says why it cannot be
    // reached and offers the fix, which brings all 8 back.
    let stopped = stampctl(&bin, &home, "catalogue.sqlite", &["stop-agents"]);
    assert_eq!(stopped["stopped"], 8, "{stopped}");
    app.find_n(
        "[data-testid=stamp-row-health] [data-health=unreachable]",
        8,
    )
    .await;
    app.click("[data-testid=stamp-row][data-stamp-id=weu-01] td.id")
        .await;
    app.wait_text(
        "[data-testid=stamp-health-detail]",
        "its local agent is not running",
    )
    .await;
    app.click("[data-testid=health-fix-start]").await;
    app.wait_text(
        "[data-testid=health-fix-result]",
        "8 local stamps answering",
    )
    .await;
    app.find_n("[data-testid=stamp-row-health] [data-health=healthy]", 8)
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_demo_says_why_and_leaves_an_empty_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    // The app alone: what last batch's run command left a newcomer with.
    install(&bin, &["stampfleet"]);
    let data = dir.path().join("data");
    let home = data.join("stampfleet");
    let env = newcomer_env(&data);
    let app = AppSession::launch(&bin.join("stampfleet"), &home, &env, NOT_SET).await;

    app.click("[data-testid=create-demo]").await;
    let error = app
        .wait_text("[data-testid=create-error]", "Nothing was kept")
        .await;
    assert!(error.contains("stamp-agent not found"), "{error}");
    assert!(error.contains(".ci/build-app"), "the fix is named: {error}");
    // The first-run screen stays, usable: the button is there to try again.
    app.find("[data-testid=first-run] [data-testid=create-demo]")
        .await;
    app.stop().await;

    let fleet = fleet_ops::Fleet::open(&home.join("catalogue.sqlite"))
        .await
        .unwrap();
    let counts = fleet.info().await.unwrap().counts;
    assert_eq!(
        (
            counts.templates,
            counts.stamps,
            counts.tenants,
            counts.bindings
        ),
        (0, 0, 0, 0)
    );
    assert!(!home.join("stamps").exists(), "no stamp directory is left");
}
