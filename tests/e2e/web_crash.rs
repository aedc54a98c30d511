//! The window's web content crashes (its WebKitWebProcess is killed, as a crash of the
//! renderer would end it): the app stays up, logs why, and loads the page again in a
//! new web process. WebKitWebDriver ends its session on a page crash, so this is seen
//! from outside the page (processes and the app's log); what the reloaded page says
//! (`?recovered=crashed`) is tested in the browser (ui/tests/first-run.test.mjs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stampfleet_e2e::{app_binary, AppSession, WAIT};

/// The WebKitWebProcess processes the app under test started (their parent is the app).
fn web_processes_of(app: &Path) -> Vec<u32> {
    let app = std::fs::canonicalize(app).unwrap();
    let parent_of = |pid: &str| -> Option<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // pid (comm) state ppid ...: the command may hold spaces, so split after ')'.
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)
            .map(str::to_owned)
    };
    let exe = |pid: &str| std::fs::read_link(format!("/proc/{pid}/exe")).ok();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            exe(pid).is_some_and(|p: PathBuf| p.ends_with("WebKitWebProcess"))
                && parent_of(pid).and_then(|pp| exe(&pp)).as_deref() == Some(app.as_path())
        })
        .map(|pid| pid.parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_of_the_web_content_is_recovered_in_a_new_web_process() {
    let (dir, _catalogue, app) = AppSession::start_on_demo().await;
    app.find_n("[data-testid=stamp-row]", 8).await;
    let binary = app_binary();
    let before = web_processes_of(&binary);
    assert_eq!(
        before.len(),
        1,
        "one web process draws the window: {before:?}"
    );
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &before[0].to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    // A readiness probe of the real condition, bounded: a new web process of the app.
    let deadline = Instant::now() + WAIT;
    let after = loop {
        let now = web_processes_of(&binary);
        if now.iter().any(|pid| !before.contains(pid)) {
            break now;
        }
        assert!(
            Instant::now() < deadline,
            "no new web process within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!after.contains(&before[0]));
    let log = std::fs::read_to_string(dir.path().join("stampfleet.log")).unwrap();
    assert!(
        log.contains("the window's web content ended; loading it again")
            && log.contains("reason=\"crashed\""),
        "{log}"
    );
    app.stop().await;
}
