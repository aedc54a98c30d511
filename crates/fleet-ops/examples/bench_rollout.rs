//! Rollout benchmark: a rollout over a simulated remote fleet (`fleet-sim`: one process
//! answering for every stamp, each upgrade taking a set time), timed against its ideal
//! (each wave's batches × the upgrade time, plus the bake after each wave), with the
//! orchestrator's CPU time. Used by `.ci/bench-rollout`.
//! usage: bench_rollout [STAMPS] [UPGRADE_MS] [PARALLELISM] [RINGS] [BAKE_SECS] [LATENCY_MS]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod measure;
mod sim;

use measure::{arg, cpu_secs};
use std::time::Instant;

use fleet_core::rollout::{RingBy, WaveOptions};
use fleet_core::{TemplateName, TemplateVersion};
use fleet_ops::{NewTemplateVersion, ProposeRollout, RolloutClock};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (stamps, upgrade_ms, parallelism, rings, bake, latency) = (
        arg(1, 1000),
        arg(2, 100),
        arg(3, 50),
        arg(4, 4),
        arg(5, 1),
        arg(6, 0),
    );
    let (upgrade, latency_ms) = (upgrade_ms.to_string(), latency.to_string());
    let sim = sim::Sim::start(&[
        "--version",
        "1.4.0",
        "--upgrade-ms",
        &upgrade,
        "--latency-ms",
        &latency_ms,
    ]);
    let (_dir, _, fleet) = sim.catalogue(stamps).await;
    let template = TemplateName::new("standard").unwrap();
    fleet
        .add_template_version(&NewTemplateVersion {
            template: template.clone(),
            version: TemplateVersion::new("1.5.0").unwrap(),
            based_on: Some(TemplateVersion::new("1.4.0").unwrap()),
            capacity_units: None,
            tiers: None,
            description: None,
            release_notes: "benchmark".to_owned(),
        })
        .await
        .unwrap();
    let spec = fleet
        .propose_rollout(&ProposeRollout {
            template,
            target_version: TemplateVersion::new("1.5.0").unwrap(),
            waves: WaveOptions {
                ring_by: RingBy::Region,
                rings: rings as u32,
                parallelism: parallelism as u32,
                canary: true,
            },
            bake_secs: bake as u32,
            approval: false,
            max_error_rate: 0.05,
            windows: Vec::new(),
        })
        .await
        .unwrap();
    let batches: u64 = spec
        .waves
        .iter()
        .map(|w| (w.stamps.len() as u64).div_ceil(u64::from(w.parallelism)))
        .sum();
    let ideal = (batches * upgrade_ms) as f64 / 1000.0 + (bake * spec.waves.len() as u64) as f64;

    let (wall, cpu) = (Instant::now(), cpu_secs());
    let done = fleet
        .start_rollout(&spec, &RolloutClock::default(), &|_| {})
        .await
        .unwrap();
    let (took, used) = (wall.elapsed().as_secs_f64(), cpu_secs() - cpu);
    assert_eq!(
        done.state.progress(),
        (stamps as u32, stamps as u32),
        "{}",
        done.state.reason
    );
    drop(sim);
    println!(
        "stamps {stamps}, waves {} (sizes {:?}), {batches} batches of up to {parallelism}",
        spec.waves.len(),
        spec.waves
            .iter()
            .map(|w| w.stamps.len())
            .collect::<Vec<_>>()
    );
    println!("upgrade {upgrade_ms} ms, bake {bake} s per wave, latency {latency} ms");
    println!("ideal    {ideal:8.2} s");
    println!(
        "rollout  {took:8.2} s   ({:+.1}% over ideal)",
        (took / ideal - 1.0) * 100.0
    );
    println!(
        "cpu      {used:8.2} s   ({:.2} cores on average)",
        used / took
    );
}
