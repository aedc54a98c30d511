//! Load generator for one stamp-agent on loopback: health reads and tenant key/value
//! writes, each for a bounded time and count, with N concurrent connections.
//! usage: load STAMP_AGENT_BINARY [SECONDS] [CONCURRENCY]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use testkit::wire::provisioned_token;
use testkit::Agent;

const ADMIN: &str = "load-admin-token-0123456789abcdef";
const MAX_REQUESTS: u64 = 2_000_000;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let binary = args
        .get(1)
        .expect("usage: load STAMP_AGENT_BINARY [SECONDS] [CONCURRENCY]")
        .clone();
    let seconds: u64 = args.get(2).map_or(5, |s| s.parse().expect("SECONDS"));
    let concurrency: usize = args.get(3).map_or(16, |s| s.parse().expect("CONCURRENCY"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t"), ADMIN).unwrap();
    let agent = Agent::spawn(
        Command::new(&binary)
            .args([
                "--stamp-id",
                "load-01",
                "--region",
                "local",
                "--template-version",
                "1.0.0",
                "--capacity",
                "1000000",
            ])
            .arg("--data-dir")
            .arg(dir.path().join("d"))
            .arg("--token-file")
            .arg(dir.path().join("t"))
            .env("STAMP_LOG", "warn"),
    );
    let base = agent.base.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let tenant = format!("{base}/v1/tenants/load");
    let tenant_token = provisioned_token(&http, &tenant, ADMIN, "setup", ("Load", 1)).await;

    println!("stamp-agent on {base}: {concurrency} connections, {seconds} s per workload");
    for workload in ["health", "kv-write"] {
        let counter = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut workers = Vec::new();
        for w in 0..concurrency {
            let (http, base, token, counter) = (
                http.clone(),
                base.clone(),
                tenant_token.clone(),
                counter.clone(),
            );
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    if n >= MAX_REQUESTS {
                        break;
                    }
                    let started = Instant::now();
                    let request = if workload == "health" {
                        http.get(format!("{base}/v1/health")).bearer_auth(ADMIN)
                    } else {
                        http.put(format!("{base}/v1/tenants/load/kv/k{w}-{}", n % 1000))
                            .bearer_auth(&token)
                            .header("idempotency-key", format!("w{n}"))
                            .json(&serde_json::json!({ "value": format!("value {n}") }))
                    };
                    match request.send().await {
                        Ok(r) if r.status().is_success() => latencies.push(started.elapsed()),
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            }));
        }
        let began = Instant::now();
        let mut latencies = Vec::new();
        let mut errors = 0;
        for w in workers {
            let (l, e) = w.await.unwrap();
            latencies.extend(l);
            errors += e;
        }
        let elapsed = began.elapsed().as_secs_f64();
        latencies.sort();
        let pct = |p: f64| {
            latencies
                .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{workload:>9}: {} ok, {errors} errors in {elapsed:.1} s = {:.0} requests/s; latency p50 {:.2} ms, p99 {:.2} ms",
            latencies.len(),
            latencies.len() as f64 / elapsed,
            pct(0.50).as_secs_f64() * 1000.0,
            pct(0.99).as_secs_f64() * 1000.0
        );
    }
    agent.terminate();
}
