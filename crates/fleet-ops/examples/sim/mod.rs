//! The simulated remote fleet (`fleet-sim`, built beside the examples) as the benchmarks
//! start it: its base URL; stopped (and reaped) when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The bearer token every simulated stamp accepts.
pub const TOKEN: &str = "fleet-sim-benchmark-token-0123456789";

pub struct Sim {
    child: Child,
    /// `http://127.0.0.1:PORT`: stamp S answers at `{base}/s/S`.
    pub base: String,
}

impl Sim {
    pub fn start(args: &[&str]) -> Self {
        let path = std::env::current_exe()
            .unwrap()
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("fleet-sim");
        let mut child = Command::new(&path)
            .args(["--token", TOKEN])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (build it: cargo build --release -p fleet-sim)",
                    path.display()
                )
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_owned();
        Sim { child, base }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
