//! Fleet-scale benchmark over a simulated remote fleet (`fleet-sim`, named as such: one
//! process answers for every stamp, each answer LATENCY_MS late): a full health round
//! the way the app's watcher runs it now (shared connections, as many at once as the
//! fleet's size gives) against the old way (8 at a time, a new client per check), with
//! this process's CPU; then one placement end to end as an operator runs it (`stampctl
//! tenant place`, process start to decision) with the health cache the rounds left
//! (the chosen stamp asked live). With a stale cache a placement costs a health round
//! first. Used by `.ci/bench-fleet`.
//! Then a catalogue of TENANTS tenants: its import time, and substring searches over
//! tenant ids and names (the trigram index) as the window's tenant box asks them.
//! usage: bench_fleet [STAMPS] [LATENCY_MS] [TENANTS] (default 10000 50 1000000; STAMPS 0:
//! the import and the searches alone); bench_fleet window [STAMPS] [LATENCY_MS]: the
//! window over the simulated fleet while its health streams in (headless Chromium);
//! bench_fleet window-real [STAMPS] [LATENCY_MS]: the same in the real window
//! (tests/e2e/frame_rate.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod measure;
mod sim;

use measure::{arg, cpu_secs};
use std::time::{Duration, Instant};

use fleet_ops::{Fleet, HealthState};

/// `stampctl ARGS` on `catalogue`, timed from process start to its answer.
fn stampctl(catalogue: &std::path::Path, args: &[&str]) -> (Duration, Vec<u8>) {
    let program = sim::built("stampctl");
    let at = Instant::now();
    let out = std::process::Command::new(&program)
        .arg("--catalogue")
        .arg(catalogue)
        .args(["-o", "json"])
        .args(args)
        .env("STAMPFLEET_SECRETS", "file")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (build it: cargo build --release -p stampctl)",
                program.display()
            )
        });
    let took = at.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (took, out.stdout)
}

/// `stampctl tenant place`, timed from process start to its decision.
fn place(catalogue: &std::path::Path, tenant: &str) -> (Duration, String) {
    let (took, out) = stampctl(
        catalogue,
        &["tenant", "place", tenant, "--name", "Bench", "--size", "5"],
    );
    let decision: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let chosen = decision["outcome"]["stamp"]
        .as_str()
        .unwrap_or("none")
        .to_owned();
    (took, chosen)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some("window") {
        window(arg(2, 10_000), arg(3, 50)).await;
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("window-real") {
        real_window(arg(2, 10_000), arg(3, 50)).await;
        return;
    }
    let (stamps, latency, tenants) = (arg(1, 10_000), arg(2, 50), arg(3, 1_000_000));
    if stamps == 0 {
        // `bench_fleet 0 0 TENANTS`: the import and the searches alone.
        search(tenants).await;
        return;
    }
    let sim = sim::Sim::start(&["--latency-ms", &latency.to_string()]);
    let (_dir, catalogue, fleet) = sim.catalogue(stamps).await;
    println!("{stamps} simulated stamps, each answer {latency} ms late");

    for label in [
        "first round (connections opened)",
        "next round (connections kept)",
    ] {
        let (wall, cpu) = (Instant::now(), cpu_secs());
        let round = fleet.poll_health(0).await.unwrap();
        let (took, used) = (wall.elapsed().as_secs_f64(), cpu_secs() - cpu);
        let healthy = round
            .iter()
            .filter(|h| h.state == HealthState::Healthy)
            .count();
        println!(
            "health round, now, {label}: {took:.2} s, {healthy}/{} healthy, CPU {used:.2} s ({:.2} cores)",
            round.len(),
            used / took
        );
    }

    watcher(&fleet, stamps).await;

    for (what, args) in [
        ("stampctl info (open the catalogue)", &["info"][..]),
        ("stampctl overview", &["overview"][..]),
        (
            "stampctl stamp health from the cache",
            &["stamp", "health", "--max-age", "3600"][..],
        ),
    ] {
        let (took, _) = stampctl(&catalogue, args);
        println!("{what}: {} ms", took.as_millis());
    }
    for tenant in ["bench-1", "bench-2", "bench-3"] {
        let (took, chosen) = place(&catalogue, tenant);
        println!(
            "placement end to end (stampctl, health cache fresh): {} ms -> {chosen}",
            took.as_millis()
        );
    }
    let (wall, cpu) = (Instant::now(), cpu_secs());
    let round = fleet.poll_health(8).await.unwrap();
    let (took, used) = (wall.elapsed().as_secs_f64(), cpu_secs() - cpu);
    println!(
        "health round, before (8 at a time, as every decision did): {took:.2} s for {} stamps, CPU {used:.2} s",
        round.len()
    );

    search(tenants).await;
}

/// The health watcher as the window runs it (a round each 5 s): the first round asks
/// every stamp, each answers with a tag; from then on the stamps push (each holds one
/// open question, answered on a change or after 20 s) and a round reads their answers.
/// Its CPU over the 30 s after the first round, against polling every round.
async fn watcher(fleet: &Fleet, stamps: u64) {
    let (tx, mut rounds) = tokio::sync::mpsc::unbounded_channel();
    let (wall, cpu) = (Instant::now(), cpu_secs());
    let watching = {
        let fleet = fleet.clone();
        tokio::spawn(async move {
            fleet
                .watch_health(Duration::from_secs(5), 0, move |round| {
                    tx.send(round).is_ok()
                })
                .await;
        })
    };
    let first = rounds.recv().await.unwrap();
    let (took, used) = (wall.elapsed().as_secs_f64(), cpu_secs() - cpu);
    println!("health watcher, first round (asks all {stamps}): {took:.2} s, CPU {used:.2} s",);
    assert_eq!(first.len() as u64, stamps);
    let (wall, cpu) = (Instant::now(), cpu_secs());
    let mut pushed = 0;
    // What the window would be sent each round (only the stamps that changed).
    let mut delta = fleet_ops::HealthDelta::default();
    delta.next(first);
    let mut named = Vec::new();
    for _ in 0..6 {
        let round = rounds.recv().await.unwrap();
        pushed = round.iter().filter(|h| h.pushed).count();
        named.push(delta.next(round).changed.len());
    }
    let (took, used) = (wall.elapsed().as_secs_f64(), cpu_secs() - cpu);
    println!(
        "health watcher, next 6 rounds with push: {pushed}/{stamps} stamps pushing, CPU {used:.2} s over {took:.1} s ({:.3} cores); stamps named in each round's message to the window: {named:?}",
        used / took
    );
    drop(rounds);
    watching.await.unwrap();
    let mut ticks = tokio::time::interval(Duration::from_secs(5));
    ticks.tick().await;
    let (wall, cpu) = (Instant::now(), cpu_secs());
    for _ in 0..6 {
        fleet.poll_health(0).await.unwrap();
        ticks.tick().await;
    }
    let (took, used) = (wall.elapsed().as_secs_f64(), cpu_secs() - cpu);
    println!(
        "health watcher polling instead (6 rounds, 5 s apart): CPU {used:.2} s over {took:.1} s ({:.3} cores)",
        used / took
    );
}

/// `bench_fleet window STAMPS LATENCY`: the window (the built UI in headless Chromium
/// on `stampctl serve-ui`) over STAMPS simulated stamps, 2% of them reporting new
/// figures each round, while their health streams in (ui/bench/health-bench.mjs).
async fn window(stamps: u64, latency: u64) {
    let sim = sim::Sim::start(&["--latency-ms", &latency.to_string(), "--churn-percent", "2"]);
    let (_dir, catalogue, _fleet) = sim.catalogue(stamps).await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let stampctl = sim::built("stampctl");
    let status = std::process::Command::new("node")
        .arg(root.join("ui/bench/health-bench.mjs"))
        .arg(&catalogue)
        .args(["--stamps", &stamps.to_string()])
        .env("STAMPCTL", stampctl)
        .env("STAMPFLEET_SECRETS", "file")
        .status()
        .unwrap();
    assert!(status.success(), "health-bench.mjs failed");
}

/// The same fleet in the real window (the release app, WebKitGTK, under the Xvfb
/// display `.ci/bench-fleet` provides), through tests/e2e/frame_rate.rs.
async fn real_window(stamps: u64, latency: u64) {
    let sim = sim::Sim::start(&["--latency-ms", &latency.to_string(), "--churn-percent", "2"]);
    let (_dir, catalogue, _fleet) = sim.catalogue(stamps).await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let status = std::process::Command::new("cargo")
        .args(["test", "-q", "-p", "stampfleet-e2e", "--test", "frame_rate"])
        .args(["--", "--ignored", "--nocapture", "--test-threads=1"])
        .current_dir(&root)
        .env("STAMPFLEET_BENCH_CATALOGUE", &catalogue)
        .env("STAMPFLEET_BENCH_STAMPS", stamps.to_string())
        .env("STAMPFLEET_APP", root.join("target/release/stampfleet"))
        .status()
        .unwrap();
    assert!(status.success(), "tests/e2e/frame_rate.rs failed");
}

/// Import of a TENANTS-tenant catalogue, then substring searches (a page of 50 and the
/// count), each timed in this process: p50 and p99 of 40.
async fn search(tenants: u64) {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet::open(&dir.path().join("big.sqlite")).await.unwrap();
    let regions = fleet.regions().await.unwrap();
    let mut doc =
        fleet_core::synthetic::synthetic_fleet(&regions, 1000, tenants as u32, 11).unwrap();
    // Three tenants whose names hold text no other tenant's does ("q", "zq"): short
    // searches with a few matches, which the trigram index cannot serve.
    let n = doc.tenants.len();
    for (k, name) in [
        (n / 7, "Zqa Freight"),
        (n / 3, "Zqb Retail"),
        (n / 2, "Zqc Health"),
    ] {
        if let Some(t) = doc.tenants.get_mut(k) {
            t.display_name = name.to_owned();
        }
    }
    let text = serde_json::to_string(&doc).unwrap();
    let at = Instant::now();
    fleet.import_json("big.json", &text, false).await.unwrap();
    println!(
        "import of {tenants} tenants: {:.1} s",
        at.elapsed().as_secs_f64()
    );
    let mut took = Vec::new();
    let mut found = 0u64;
    let mut capped = 0;
    for i in 0..40usize {
        let t = &doc.tenants[(i * 24_989) % doc.tenants.len()];
        // Substrings of ids and names, as typed: 3 to 8 characters from inside.
        let source = if i % 2 == 0 {
            t.id.as_str()
        } else {
            t.display_name.as_str()
        };
        let chars: Vec<char> = source.chars().collect();
        let len = (3 + i % 6).min(chars.len());
        let start = (i * 7) % (chars.len() - len + 1);
        let needle: String = chars[start..start + len].iter().collect();
        let query = fleet_core::TenantQuery {
            text: Some(needle),
            limit: 50,
            ..Default::default()
        };
        let at = Instant::now();
        let page = fleet.tenants(&query).await.unwrap();
        took.push(at.elapsed());
        found += u64::from(page.total);
        capped += usize::from(page.capped);
    }
    took.sort_unstable();
    println!(
        "tenant search over {tenants} tenants (40 substrings of 3-8 characters, a page of 50 and the count up to {}; {capped} of 40 had more, the others {} matches on average): p50 {:.1} ms, p99 {:.1} ms",
        fleet_core::TenantQuery::COUNT_CAP,
        found.saturating_sub(capped as u64 * u64::from(fleet_core::TenantQuery::COUNT_CAP)) / (40 - capped as u64).max(1),
        took[20].as_secs_f64() * 1e3,
        took[39].as_secs_f64() * 1e3
    );
    // Shorter than a trigram: the index cannot help. The first reads every tenant's id
    // and name into memory (again after any change to them); the others search that.
    let mut short = Vec::new();
    for needle in ["x", "7", "42", "t0", "9", "nt", "x", "q", "zq"] {
        let query = fleet_core::TenantQuery {
            text: Some(needle.to_owned()),
            limit: 50,
            ..Default::default()
        };
        let at = Instant::now();
        let page = fleet.tenants(&query).await.unwrap();
        short.push((needle, at.elapsed(), page.total, page.capped));
    }
    for (i, (needle, took, total, capped)) in short.into_iter().enumerate() {
        println!(
            "  search {needle:?}: {:.1} ms, {total}{} matches{}",
            took.as_secs_f64() * 1e3,
            if capped { "+" } else { "" },
            if i == 0 {
                " (the first: the text read into memory)"
            } else {
                ""
            }
        );
    }
}
