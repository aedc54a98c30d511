//! One way to start a real stamp-agent for a test: its own data directory and token
//! file under `dir`, port 0, the address read from its first line of output. Dropping
//! the handle kills the process.

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
        std::fs::write(&token, format!("{admin_token}\n")).expect("the agent starts");
        let mut command = Command::new(crate::programs::agent());
        command
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
            .args(extra);
        Self::spawn(&mut command)
    }

    /// Starts the agent `command` runs (its output piped, its errors dropped) and reads
    /// its address from its first line of output.
    pub fn spawn(command: &mut Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the agent starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("the agent starts"))
            .read_line(&mut line)
            .expect("the agent starts");
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
            .expect("the agent starts");
        self.child.wait().expect("the agent starts")
    }

    /// SIGKILL, as a crash.
    pub fn kill(&mut self) {
        self.child.kill().expect("the agent starts");
        self.child.wait().expect("the agent starts");
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
