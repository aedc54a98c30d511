//! Bulk adoption benchmark: STAMPS stamps of a simulated remote fleet (`fleet-sim`, named
//! as such) adopted from one CSV (the window's form, tokens inline), 16 at once, each
//! answering after LATENCY_MS. Used by `.ci/bench-adopt`.
//! usage: bench_adopt [STAMPS] [LATENCY_MS]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod measure;
mod sim;

use measure::arg;
use std::time::Instant;

use fleet_ops::Fleet;

use sim::TOKEN;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (stamps, latency) = (arg(1, 500), arg(2, 20));
    let latency_ms = latency.to_string();
    let sim = sim::Sim::start(&[
        "--version",
        "1.4.0",
        "--region",
        "aws-eu-central-1",
        "--latency-ms",
        &latency_ms,
    ]);
    let base = sim.base.clone();

    std::env::set_var("STAMPFLEET_SECRETS", "file");
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet::open(&dir.path().join("c.sqlite")).await.unwrap();
    fleet.create_demo(false).await.unwrap();
    let mut csv = String::from("id,region,template,version,endpoint,token\n");
    for i in 0..stamps {
        let id = format!("sim-{i:05}");
        csv.push_str(&format!(
            "{id},aws-eu-central-1,standard,1.4.0,{base}/s/{id},{TOKEN}\n"
        ));
    }
    let started = Instant::now();
    let outcomes = fleet
        .adopt_stamps_text("stamps.csv", &csv, &|_| {})
        .await
        .unwrap();
    let took = started.elapsed().as_secs_f64();
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    drop(sim);
    assert_eq!(
        failed,
        0,
        "{:?}",
        outcomes.iter().find(|o| o.error.is_some())
    );
    println!("adopted {stamps} stamps (each answering after {latency} ms), 16 at once");
    println!(
        "total    {took:8.2} s   ({:.1} stamps/s)",
        stamps as f64 / took
    );
}
