//! The workspace's programs as the tests run them: the stamp-agent and stampctl built
//! beside the test (`cargo test --workspace` builds both; `.ci/build-app` too), with
//! file-based secrets; and a guard that stops a test's agents.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A program of this build: next to the test binary's `deps/` folder.
fn program(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("a test binary lives in target/<profile>/deps");
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: build it first (cargo build -p {name}, or .ci/build-app)",
        path.display()
    );
    path
}

/// This build's stamp-agent.
pub fn agent() -> PathBuf {
    program("stamp-agent")
}

/// This build's stampctl.
pub fn stampctl_path() -> PathBuf {
    program("stampctl")
}

/// Points fleet-ops at this build's stamp-agent and at file-based secrets, once per test
/// binary, before any test reads them.
pub fn use_built_agent() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::env::set_var("STAMPFLEET_AGENT", agent());
        std::env::set_var("STAMPFLEET_SECRETS", "file");
        if crate::team::postgres_mode() {
            // Each team catalogue's files go under team/<its id> here (stampctl inherits it).
            let dir =
                std::env::temp_dir().join(format!("stampfleet-team-tests-{}", std::process::id()));
            std::env::set_var("STAMPFLEET_DATA_DIR", dir);
        }
    });
}

/// Stops every agent whose command line holds this text (a test's data directory).
pub struct StopAgents(pub String);
impl Drop for StopAgents {
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args(["-TERM", "-f", "--", &self.0])
            .status();
    }
}

/// Runs the real `stampctl` on `catalogue` with this build's agent and file secrets;
/// `crash_at` aborts it right after that journal step (the test hook).
pub fn stampctl(catalogue: &Path, args: &[&str], crash_at: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(stampctl_path());
    cmd.arg("--catalogue").arg(catalogue).args(args);
    cmd.env("STAMPFLEET_AGENT", agent())
        .env("STAMPFLEET_SECRETS", "file")
        .env_remove("STAMPFLEET_CATALOGUE");
    match crash_at {
        Some(step) => cmd.env("STAMPFLEET_CRASH_AT", step),
        None => cmd.env_remove("STAMPFLEET_CRASH_AT"),
    };
    cmd.output().expect("stampctl runs")
}

/// Asserts that a program exited with success; the message is `what`, then its stderr.
pub fn assert_succeeded(out: &std::process::Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
