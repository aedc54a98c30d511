//! The simulated remote fleet (`fleet-sim`, built beside the examples) as the benchmarks
//! start it: its base URL; stopped (and reaped) when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use fleet_core::{StampStatus, TemplateVersion};
use fleet_ops::Fleet;
use futures_util::StreamExt;

/// The bearer token every simulated stamp accepts.
pub const TOKEN: &str = "fleet-sim-benchmark-token-0123456789";

pub struct Sim {
    child: Child,
    /// `http://127.0.0.1:PORT`: stamp S answers at `{base}/s/S`.
    pub base: String,
}

impl Sim {
    pub fn start(args: &[&str]) -> Self {
        let path = built("fleet-sim");
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

    /// A catalogue of STAMPS active stamps at template version 1.4.0, each answering
    /// here with the token it takes (kept in files beside the catalogue:
    /// `STAMPFLEET_SECRETS=file`).
    pub async fn catalogue(&self, stamps: u64) -> (tempfile::TempDir, std::path::PathBuf, Fleet) {
        std::env::set_var("STAMPFLEET_SECRETS", "file");
        let dir = tempfile::tempdir().unwrap();
        let catalogue = dir.path().join("c.sqlite");
        let fleet = Fleet::open(&catalogue).await.unwrap();
        let regions = fleet.regions().await.unwrap();
        let mut doc = fleet_core::synthetic::synthetic_fleet(
            &regions[..20.min(regions.len())],
            stamps as u32,
            0,
            7,
        )
        .unwrap();
        for s in &mut doc.stamps {
            s.status = StampStatus::Active;
            s.template_version = TemplateVersion::new("1.4.0").unwrap();
            s.endpoint = Some(format!("{}/s/{}", self.base, s.id));
        }
        fleet
            .import_json("bench.json", &serde_json::to_string(&doc).unwrap(), false)
            .await
            .unwrap();
        let ids: Vec<_> = doc.stamps.iter().map(|s| s.id.clone()).collect();
        futures_util::stream::iter(ids.iter())
            .for_each_concurrent(256, |id| {
                let fleet = fleet.clone();
                async move {
                    fleet.set_stamp_token(id, TOKEN).await.unwrap();
                }
            })
            .await;
        (dir, catalogue, fleet)
    }
}

/// A program built beside the examples (`target/<profile>/NAME`).
pub fn built(name: &str) -> std::path::PathBuf {
    std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join(name)
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
