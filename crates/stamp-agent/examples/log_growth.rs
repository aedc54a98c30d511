//! Benchmark of the stamp's file size under a steady writer: WRITES writes (default
//! 1,000,000) to the same 100 keys of one tenant, each with its own Idempotency-Key,
//! 16 at a time, through one real stamp-agent on loopback (release build). Prints the
//! data directory's size and the rows of the change log and the idempotency table every
//! tenth of the way: with the log trimmed and idempotency keys capped per caller, the
//! size levels off instead of growing with the writes.
//! usage: log_growth STAMP_AGENT_BINARY [WRITES]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use testkit::wire::provisioned_token;
use testkit::Agent;

const ADMIN: &str = "growth-admin-token-0123456789abcdef";
const CONCURRENCY: u64 = 16;

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum()
}

async fn rows(db: &Path) -> (i64, i64) {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let (changes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM changes")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM idempotency")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    (changes, keys)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let binary = args
        .get(1)
        .expect("usage: log_growth STAMP_AGENT_BINARY [WRITES]");
    let writes: u64 = args
        .get(2)
        .map_or(1_000_000, |s| s.parse().expect("WRITES"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t"), ADMIN).unwrap();
    let data = dir.path().join("d");
    let agent = Agent::spawn(
        Command::new(binary)
            .args(["--stamp-id", "growth-01", "--region", "local"])
            .args(["--template-version", "1.0.0", "--capacity", "1000000"])
            .arg("--data-dir")
            .arg(&data)
            .arg("--token-file")
            .arg(dir.path().join("t"))
            .env("STAMP_LOG", "warn"),
    );
    let base = agent.base.clone();
    let http = reqwest::Client::new();
    let tenant = format!("{base}/v1/tenants/growth");
    let token = provisioned_token(&http, &tenant, ADMIN, "setup", ("Growth", 1)).await;
    println!("{writes} writes to 100 keys, {CONCURRENCY} at a time (defaults: log >= 10,000 entries or 24 h, 10,000 keys per caller)");
    println!(
        "{:>10} {:>12} {:>12} {:>14}",
        "writes", "dir MiB", "log rows", "idem. rows"
    );
    let next = Arc::new(AtomicU64::new(0));
    let step = (writes / 10).max(1);
    for checkpoint in 1..=10u64 {
        let until = (checkpoint * step).min(writes);
        let mut workers = Vec::new();
        for _ in 0..CONCURRENCY {
            let (http, base, token, next) =
                (http.clone(), base.clone(), token.clone(), next.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= until {
                        next.fetch_sub(1, Ordering::Relaxed);
                        break;
                    }
                    let r = http
                        .put(format!("{base}/v1/tenants/growth/kv/k{}", n % 100))
                        .bearer_auth(&token)
                        .header("idempotency-key", format!("w{n}"))
                        .json(&serde_json::json!({ "value": format!("value {n} of a steady writer") }))
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success(), "write {n}: {}", r.status());
                }
            }));
        }
        for w in workers {
            w.await.unwrap();
        }
        let (log, keys) = rows(&data.join("stamp.sqlite")).await;
        println!(
            "{until:>10} {:>12.1} {log:>12} {keys:>14}",
            dir_bytes(&data) as f64 / (1024.0 * 1024.0)
        );
        if until == writes {
            break;
        }
    }
    agent.terminate();
}
