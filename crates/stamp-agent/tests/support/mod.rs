//! One way to start a real stamp-agent for a test: its own data directory and token
//! file under `dir`, port 0, the address read from its first line of output. Dropping
//! the handle kills the process.
#![allow(dead_code, clippy::unwrap_used)]

pub mod fault_proxy;
pub mod mover;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

pub struct Agent {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Agent {
    pub fn start(
        dir: &Path,
        stamp_id: &str,
        region: &str,
        capacity: u32,
        admin_token: &str,
    ) -> Self {
        Self::start_with(dir, stamp_id, region, capacity, admin_token, &[])
    }

    /// `start`, with more command-line arguments (limits).
    pub fn start_with(
        dir: &Path,
        stamp_id: &str,
        region: &str,
        capacity: u32,
        admin_token: &str,
        extra: &[&str],
    ) -> Self {
        let token = dir.join(format!("{stamp_id}.token"));
        std::fs::write(&token, format!("{admin_token}\n")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_stamp-agent"))
            .args([
                "--stamp-id",
                stamp_id,
                "--region",
                region,
                "--template-version",
                "1.4.0",
            ])
            .args([
                "--capacity",
                &capacity.to_string(),
                "--listen",
                "127.0.0.1:0",
            ])
            .arg("--data-dir")
            .arg(dir.join("data").join(stamp_id))
            .arg("--token-file")
            .arg(&token)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .expect("the agent prints its address")
            .to_owned();
        Agent { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The agent's SQLite file.
    pub fn data_file(dir: &Path, stamp_id: &str, name: &str) -> std::path::PathBuf {
        dir.join("data").join(stamp_id).join(name)
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(mut self) -> ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }

    /// SIGKILL, as a crash.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Points fleet-ops at this build's stamp-agent and at file-based secrets, once per test
/// binary, before any test reads them.
pub fn use_built_agent() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::env::set_var("STAMPFLEET_AGENT", env!("CARGO_BIN_EXE_stamp-agent"));
        std::env::set_var("STAMPFLEET_SECRETS", "file");
    });
}

/// The `stampctl` built beside the agent (`cargo test --workspace` builds it).
pub fn stampctl_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_BIN_EXE_stamp-agent")).with_file_name("stampctl")
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
    cmd.env("STAMPFLEET_AGENT", env!("CARGO_BIN_EXE_stamp-agent"))
        .env("STAMPFLEET_SECRETS", "file")
        .env_remove("STAMPFLEET_CATALOGUE");
    match crash_at {
        Some(step) => cmd.env("STAMPFLEET_CRASH_AT", step),
        None => cmd.env_remove("STAMPFLEET_CRASH_AT"),
    };
    cmd.output().unwrap()
}
