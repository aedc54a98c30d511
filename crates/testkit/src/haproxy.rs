//! A real HAProxy (Debian's `haproxy`; `.ci/setup test` installs it) for the routing
//! suites: started on a configuration `stampctl router haproxy-config` wrote, as a
//! daemon (`-D`: when the command returns, its listeners and admin socket are bound),
//! stopped with SIGTERM, killed when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Haproxy {
    pid: u32,
    config: PathBuf,
}

/// A loopback port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Haproxy {
    /// Starts HAProxy on `config`; panics with its own words when it cannot.
    pub fn start(config: &Path) -> Self {
        let pid_file = config.with_extension("pid");
        let _ = std::fs::remove_file(&pid_file);
        let out = Command::new("haproxy")
            .arg("-D")
            .arg("-f")
            .arg(config)
            .arg("-p")
            .arg(&pid_file)
            .output()
            .expect("haproxy runs (apt install haproxy; `.ci/setup test` installs it)");
        assert!(
            out.status.success(),
            "haproxy did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pid = std::fs::read_to_string(&pid_file)
            .expect("haproxy wrote its pid file")
            .trim()
            .parse()
            .expect("a pid");
        Self {
            pid,
            config: config.to_owned(),
        }
    }

    /// SIGTERM (HAProxy closes its listeners at once), then waits until it is gone.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let proc = PathBuf::from(format!("/proc/{}", self.pid));
        for _ in 0..500 {
            if !proc.exists() || zombie(&proc) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("haproxy {} did not stop within 5 s of SIGTERM", self.pid);
    }

    /// Stops it and starts it again on the same configuration (its maps from the files).
    pub fn restart(&mut self) {
        self.stop();
        let config = self.config.clone();
        *self = Self::start(&config);
    }
}

fn zombie(proc: &Path) -> bool {
    std::fs::read_to_string(proc.join("stat"))
        .map(|s| s.split_whitespace().nth(2) == Some("Z"))
        .unwrap_or(true)
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", &self.pid.to_string()])
            .status();
    }
}
