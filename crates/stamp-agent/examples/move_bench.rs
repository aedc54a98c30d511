//! Move benchmark on real local agents (the demo fleet):
//! 1. one tenant holding MB megabytes moved between two agents and back, with 100
//!    writes/s going on, each move against a plain `cp` of a file holding the same bytes
//!    on the same disk, run just before and just after it;
//! 2. N tenants moved at once (each with its own writer), freeze windows p50/p99/max.
//!
//! usage: cargo run --release -p stamp-agent --example move_bench -- [MB] [CONCURRENT]
//! (needs `cargo build --release -p stamp-agent` first; data goes under target/bench-moves)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fleet_core::{StampId, TenantId};
use fleet_ops::{Fleet, MoveTenant};
use futures_util::StreamExt;
use stamp_client::StampClient;
use stamp_protocol::ProvisionTenant;
use testkit::demo::{onboard_onto, small_tenant};

/// Moves of the big tenant (back and forth), each against the cp just before and after.
const ROUNDS: usize = 5;

async fn onboard(fleet: &Fleet, id: &str, on: &StampId) -> StampClient {
    onboard_onto(fleet, small_tenant(id, &format!("{id} Ltd")), on).await;
    let admin = fleet.stamp_client(on).await.unwrap();
    let p = admin
        .provision_tenant(
            id,
            &ProvisionTenant {
                display_name: format!("{id} Ltd"),
                size_units: 5,
            },
            &format!("bench-{id}"),
        )
        .await
        .unwrap();
    admin.with_token(p.tenant_token)
}

/// Writes to `id` every `every` until stopped (through a redirect, once, by re-reading
/// the tenant's token at its new home); returns the writes acknowledged.
fn writer(
    fleet: Fleet,
    id: String,
    client: StampClient,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<u32> {
    tokio::spawn(async move {
        let mut client = client;
        let mut tick = tokio::time::interval(every);
        let mut n = 0u32;
        while !stop.load(Ordering::SeqCst) {
            tick.tick().await;
            match client
                .kv_put(&id, &format!("w{n}"), "x", &format!("{id}-w{n}"))
                .await
            {
                Ok(_) => n += 1,
                Err(_) => {
                    // Moved (307) or frozen (503): find its home and continue there.
                    let view = fleet
                        .tenant(&TenantId::new(id.as_str()).unwrap())
                        .await
                        .unwrap()
                        .unwrap();
                    let admin = fleet
                        .stamp_client(view.stamp.as_ref().unwrap())
                        .await
                        .unwrap();
                    if let Ok(p) = admin
                        .provision_tenant(
                            &id,
                            &ProvisionTenant {
                                display_name: format!("{id} Ltd"),
                                size_units: 5,
                            },
                            &format!("rebind-{id}-{n}"),
                        )
                        .await
                    {
                        client = admin.with_token(p.tenant_token);
                    }
                }
            }
        }
        n
    })
}

fn quantile(sorted: &[u64], q: f64) -> u64 {
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let megabytes: usize = args.next().map_or(1000, |a| a.parse().unwrap());
    let concurrent: usize = args.next().map_or(20, |a| a.parse().unwrap());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-moves");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let agent = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/stamp-agent");
    assert!(
        agent.exists(),
        "build it first: cargo build --release -p stamp-agent"
    );
    std::env::set_var("STAMPFLEET_AGENT", &agent);
    std::env::set_var("STAMPFLEET_SECRETS", "file");
    let fleet = Fleet::open(&root.join("c.sqlite")).await.unwrap();
    fleet.create_demo(true).await.unwrap();
    let (from, to) = (
        StampId::new("use-01").unwrap(),
        StampId::new("weu-02").unwrap(),
    );

    // 1. One big tenant.
    let big = onboard(&fleet, "bulk-data", &from).await;
    let value = "v".repeat(1_000_000);
    let t = Instant::now();
    for i in 0..megabytes {
        big.kv_put(
            "bulk-data",
            &format!("blob-{i:05}"),
            &value,
            &format!("fill-{i}"),
        )
        .await
        .unwrap();
    }
    println!(
        "filled {megabytes} x 1 MB in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // The same bytes as a plain file on the same disk: what `cp` is timed on.
    let values_file = root.join("values.bin");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&values_file).unwrap());
        for i in 0..megabytes {
            f.write_all(format!("blob-{i:05}").as_bytes()).unwrap();
            f.write_all(value.as_bytes()).unwrap();
        }
        f.flush().unwrap();
    }
    let bytes = std::fs::metadata(&values_file).unwrap().len();
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "\none tenant, {megabytes} MB of values, moved back and forth (the copy left behind \
         removed each time), 100 writes/s throughout; a cp of a file of the same {:.0} MB just \
         before and just after each move:",
        mb(bytes)
    );
    let stop = Arc::new(AtomicBool::new(false));
    let w = writer(
        fleet.clone(),
        "bulk-data".into(),
        big,
        Duration::from_millis(10),
        stop.clone(),
    );
    let copy = root.join("cp-copy");
    let (mut from, mut to) = (from, to);
    let mut ratios = Vec::new();
    let mut cp_before = cp_once(&values_file, &copy);
    for round in 1..=ROUNDS {
        let cpu = CpuTime::now();
        let (copy_secs, copied, total, freeze_ms) = move_big(&fleet, &to).await;
        let busy = cpu.busy_cores_since();
        let cp_after = cp_once(&values_file, &copy);
        // A WAL keeps the largest size it reached until its stamp stops.
        let wal = root
            .join("stamps")
            .join(to.as_str())
            .join("data/stamp.sqlite-wal");
        let wal_mb = std::fs::metadata(&wal).map_or(0, |m| m.len()) / 1_000_000;
        // The next move copies everything again: its target must not hold a copy.
        fleet.clean_up_moves(0).await.unwrap();
        let cp_rate = |(cp, _): (f64, f64)| mb(bytes) / cp;
        let cp_sync_rate = |(cp, sync): (f64, f64)| mb(bytes) / (cp + sync);
        let cp_mean = (cp_rate(cp_before) + cp_rate(cp_after)) / 2.0;
        let cp_sync_mean = (cp_sync_rate(cp_before) + cp_sync_rate(cp_after)) / 2.0;
        let rate = mb(copied) / copy_secs;
        ratios.push((100.0 * rate / cp_mean, 100.0 * rate / cp_sync_mean));
        println!(
            "  {round}. {from} -> {to}: copy {copy_secs:.2} s = {rate:.0} MB/s; cp {:.0} and {:.0} MB/s \
             (cp + sync {:.0} and {:.0}): {:.0}% of cp, {:.0}% of cp + sync; whole move {total:.2} s, \
             writes paused {freeze_ms} ms; the target's WAL at most {wal_mb} MB; \
             CPU busy {busy:.2} of {} cores",
            cp_rate(cp_before),
            cp_rate(cp_after),
            cp_sync_rate(cp_before),
            cp_sync_rate(cp_after),
            100.0 * rate / cp_mean,
            100.0 * rate / cp_sync_mean,
            CpuTime::cores(),
        );
        cp_before = cp_after;
        std::mem::swap(&mut from, &mut to);
    }
    println!(
        "  median of the {ROUNDS} moves: {:.0}% of cp, {:.0}% of cp + sync",
        median(ratios.iter().map(|r| r.0).collect()),
        median(ratios.iter().map(|r| r.1).collect())
    );
    stop.store(true, Ordering::SeqCst);
    let writes = w.await.unwrap();
    println!("  {writes} writes acknowledged during the moves");

    let (from, to) = (
        StampId::new("use-01").unwrap(),
        StampId::new("weu-02").unwrap(),
    );

    // 2. Many tenants at once (skipped with CONCURRENT 0).
    if concurrent == 0 {
        fleet.stop_local_agents().await.unwrap();
        return;
    }
    let mut clients = Vec::new();
    for i in 0..concurrent {
        let id = format!("many-{i:02}");
        let c = onboard(&fleet, &id, &from).await;
        for k in 0..200 {
            c.kv_put(
                &id,
                &format!("k{k}"),
                "some value",
                &format!("{id}-fill-{k}"),
            )
            .await
            .unwrap();
        }
        clients.push((id, c));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let per_tenant = Duration::from_millis((1000 * concurrent as u64 / 100).max(1));
    let writers: Vec<_> = clients
        .iter()
        .map(|(id, c)| {
            writer(
                fleet.clone(),
                id.clone(),
                c.clone(),
                per_tenant,
                stop.clone(),
            )
        })
        .collect();
    let t = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(clients.iter().map(|(id, _)| {
        let fleet = fleet.clone();
        let to = to.clone();
        let id = id.clone();
        async move {
            fleet
                .move_tenant(
                    &MoveTenant {
                        tenant: TenantId::new(id.as_str()).unwrap(),
                        to,
                    },
                    &|_| {},
                )
                .await
        }
    }))
    .buffer_unordered(concurrent)
    .collect()
    .await;
    let secs = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::SeqCst);
    let mut writes = 0;
    for w in writers {
        writes += w.await.unwrap();
    }
    let failed = results.iter().filter(|r| r.is_err()).count();
    let mut freezes: Vec<u64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().and_then(|d| d.freeze_ms))
        .collect();
    freezes.sort_unstable();
    println!("\n{concurrent} tenants moved at once (200 keys each), 100 writes/s in all:");
    println!("  all done in {secs:.2} s, {failed} failed; {writes} writes acknowledged");
    if !freezes.is_empty() {
        println!(
            "  writes paused per move: p50 {} ms, p99 {} ms, max {} ms",
            quantile(&freezes, 0.5),
            quantile(&freezes, 0.99),
            freezes[freezes.len() - 1]
        );
    }
    fleet.stop_local_agents().await.unwrap();
}

/// Moves "bulk-data" to `to`: (copy phase seconds, bytes copied, whole move seconds,
/// writes refused in ms). The copy phase ends where the catch-up after the freeze begins.
async fn move_big(fleet: &Fleet, to: &StampId) -> (f64, u64, f64, u64) {
    let started = Instant::now();
    let copied_at = std::sync::Mutex::new(None::<(Instant, u64)>);
    let done = fleet
        .move_tenant(
            &MoveTenant {
                tenant: TenantId::new("bulk-data").unwrap(),
                to: to.clone(),
            },
            &|p| {
                if p.phase == catalogue::MovePhase::CatchingUp {
                    let mut c = copied_at.lock().unwrap();
                    if c.is_none() {
                        *c = Some((Instant::now(), p.copied_bytes));
                    }
                }
            },
        )
        .await
        .unwrap();
    let total = started.elapsed().as_secs_f64();
    let (copy_end, copied) = copied_at
        .lock()
        .unwrap()
        .unwrap_or((Instant::now(), done.copied_bytes));
    let copy_secs = copy_end.duration_since(started).as_secs_f64();
    (copy_secs, copied, total, done.freeze_ms.unwrap_or(0))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `cp` of `file` to `copy` after a sync, then a sync: (cp seconds, sync seconds).
fn cp_once(file: &Path, copy: &Path) -> (f64, f64) {
    std::process::Command::new("sync").status().unwrap();
    let t = Instant::now();
    let ok = std::process::Command::new("cp")
        .arg(file)
        .arg(copy)
        .status()
        .unwrap();
    assert!(ok.success());
    let cp_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::process::Command::new("sync").status().unwrap();
    let sync_secs = t.elapsed().as_secs_f64();
    std::fs::remove_file(copy).unwrap();
    (cp_secs, sync_secs)
}

/// The machine's CPU time from /proc/stat (jiffies busy and in all), to say how much of
/// the machine a move kept busy: a move below the disk's speed with cores idle waits on
/// itself, one with every core busy is short of CPU.
struct CpuTime {
    busy: u64,
    all: u64,
}

impl CpuTime {
    fn now() -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        let all: u64 = fields.iter().sum();
        // idle and iowait
        let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
        Self {
            busy: all - idle,
            all,
        }
    }

    fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// Cores busy on average since `self`.
    fn busy_cores_since(&self) -> f64 {
        let now = Self::now();
        let all = (now.all - self.all).max(1) as f64;
        (now.busy - self.busy) as f64 / all * Self::cores() as f64
    }
}
