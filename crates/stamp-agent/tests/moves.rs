//! Tenant moves against real local agents, with a writer that keeps writing through
//! every move (following redirects) and records each acknowledged write. Randomized
//! runs kill the orchestrator (a real `stampctl` process) at every journal step, kill
//! stamp agents, then recover; after each run every acknowledged write must be on the
//! tenant's home, exactly one stamp must serve the tenant, and the binding and the
//! routing table must agree with where the data is.
//! `STAMPFLEET_MOVE_RUNS=1000` makes it a soak (it prints the counts). It runs the
//! `stampctl` built beside the agent: `cargo test --workspace` builds it; alone, run
//! `cargo build -p stampctl` first.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fleet_core::{Isolation, Residency, StampId, Tenant, TenantId, Tier};
use fleet_ops::{Fleet, OnboardTenant, PlaceTenant};
use stamp_protocol::{ProvisionTenant, TenantState};

const TENANT: &str = "mover";
const STEPS: [&str; 9] = [
    "planned",
    "importing",
    "freezing",
    "catching-up",
    "verifying",
    "flipped",
    "activating",
    "fencing",
    "rolling-back",
];

fn stampctl() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_stamp-agent")).with_file_name("stampctl")
}

struct StopAgents(String);
impl Drop for StopAgents {
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args(["-TERM", "-f", "--", &self.0])
            .status();
    }
}

/// A tiny deterministic generator (xorshift), so a failing run can be replayed by seed.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What the writer saw acknowledged: key -> value, and the stamp sequence of each ack in
/// the order they came.
#[derive(Default)]
struct Acks {
    values: HashMap<String, String>,
    seqs: Vec<u64>,
    redirects: u32,
}

/// Writes `w0`, `w1`, ... one at a time until stopped; follows 307 to the new home
/// (with the tenant's token there), retries 503 and connection failures.
async fn writer(fleet: Fleet, stop: Arc<AtomicBool>, acks: Arc<Mutex<Acks>>, mut home: String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut tokens: HashMap<String, String> = HashMap::new();
    let mut i = 0u64;
    let mut attempts = 0u32;
    while !stop.load(Ordering::SeqCst) && i < 200_000 {
        if !tokens.contains_key(&home) {
            match tenant_token(&fleet, &home).await {
                Some(t) => {
                    tokens.insert(home.clone(), t);
                }
                None => {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    continue;
                }
            }
        }
        let key = format!("w{i}");
        let value = format!("v{i}");
        let sent = http
            .put(format!("{home}/v1/tenants/{TENANT}/kv/{key}"))
            .bearer_auth(&tokens[&home])
            .header("idempotency-key", format!("{key}-{attempts}"))
            .json(&serde_json::json!({ "value": value }))
            .send()
            .await;
        attempts += 1;
        let Ok(response) = sent else {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            continue;
        };
        match response.status().as_u16() {
            200 => {
                let entry: stamp_protocol::KvEntry = response.json().await.unwrap();
                let mut a = acks.lock().unwrap();
                a.values.insert(key, value);
                a.seqs.push(entry.seq);
                i += 1;
            }
            307 => {
                let location = response.headers()["location"].to_str().unwrap().to_owned();
                home = location
                    .split("/v1/")
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_owned();
                acks.lock().unwrap().redirects += 1;
            }
            503 | 502 => tokio::time::sleep(std::time::Duration::from_millis(2)).await,
            other => panic!(
                "write {key} to {home}: {other}: {}",
                response.text().await.unwrap_or_default()
            ),
        }
    }
}

/// The tenant's token on the stamp at `endpoint` (a repeated provision answers it).
async fn tenant_token(fleet: &Fleet, endpoint: &str) -> Option<String> {
    let overview = fleet.overview().await.ok()?;
    let stamp = overview
        .stamps
        .iter()
        .find(|s| s.stamp.endpoint.as_deref() == Some(endpoint))?;
    let client = fleet.stamp_client(&stamp.stamp.id).await.ok()?;
    let request = ProvisionTenant {
        display_name: "Mover Ltd".to_owned(),
        size_units: 5,
    };
    client
        .provision_tenant(TENANT, &request, "writer-token")
        .await
        .ok()
        .map(|p| p.tenant_token)
}

fn run_stampctl(catalogue: &Path, args: &[&str], crash_at: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(stampctl());
    cmd.arg("--catalogue").arg(catalogue).args(args);
    cmd.env("STAMPFLEET_AGENT", env!("CARGO_BIN_EXE_stamp-agent"))
        .env("STAMPFLEET_SECRETS", "file")
        .env_remove("STAMPFLEET_CATALOGUE");
    match crash_at {
        Some(step) => cmd.env("STAMPFLEET_CRASH_AT", step),
        None => cmd.env_remove("STAMPFLEET_CRASH_AT"),
    };
    cmd.output().unwrap()
}

/// Where the tenant's data is, by stamp: its state on each of the two stamps.
async fn states(fleet: &Fleet, stamps: &[StampId]) -> Vec<Option<TenantState>> {
    let mut out = Vec::new();
    for s in stamps {
        let client = fleet.stamp_client(s).await.unwrap();
        let tenants = client.tenants().await.unwrap();
        out.push(tenants.iter().find(|t| t.id == TENANT).map(|t| t.state));
    }
    out
}

/// Onboards the tenant the fault tests move back and forth, on weu-02; returns the two
/// stamps it moves between.
async fn onboard_mover(fleet: &Fleet) -> (StampId, StampId) {
    let a = StampId::new("weu-02").unwrap();
    let b = StampId::new("use-01").unwrap();
    let tenant = Tenant {
        id: TenantId::new(TENANT).unwrap(),
        display_name: "Mover Ltd".to_owned(),
        tier: Tier::Standard,
        size_units: 5,
        residency: Residency::default(),
        isolation: Isolation::Shared,
        pinned: false,
        group: None,
    };
    fleet
        .onboard_tenant(
            &OnboardTenant {
                place: PlaceTenant {
                    tenant,
                    preferred_regions: Vec::new(),
                    home: None,
                    policy: None,
                },
                stamp: Some(a.clone()),
            },
            &|_| {},
        )
        .await
        .unwrap();
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn randomized_moves_killed_anywhere_lose_no_acknowledged_write() {
    support::use_built_agent();
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(format!("--data-dir {}", dir.path().display()));
    let catalogue = dir.path().join("c.sqlite");
    let fleet = Fleet::open(&catalogue).await.unwrap();
    fleet.create_demo(true).await.unwrap();
    let (a, b) = onboard_mover(&fleet).await;
    let endpoint_of = |s: &StampId| {
        let fleet = fleet.clone();
        let s = s.clone();
        async move { fleet.stamp_client(&s).await.unwrap().endpoint().to_owned() }
    };

    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(Mutex::new(Acks::default()));
    let writing = tokio::spawn(writer(
        fleet.clone(),
        stop.clone(),
        acks.clone(),
        endpoint_of(&a).await,
    ));

    let runs: u32 = std::env::var("STAMPFLEET_MOVE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut rng = Rng(0x5eed_0001);
    let (mut moved, mut rolled_back, mut crashed, mut agent_kills) = (0u32, 0u32, 0u32, 0u32);
    for run in 0..runs {
        let (home, _) = fleet
            .routes()
            .await
            .map(|r| {
                let route = r.routes.into_iter().find(|r| r.tenant == TENANT).unwrap();
                (StampId::new(route.stamp).unwrap(), r.version)
            })
            .unwrap();
        let other = if home == a { b.clone() } else { a.clone() };
        // One run in three moves cleanly; the rest crash at a random journal step.
        let crash = (rng.below(3) != 0).then(|| STEPS[rng.below(STEPS.len() as u64) as usize]);
        let out = run_stampctl(
            &catalogue,
            &["tenant", "move", TENANT, "--to", other.as_str()],
            crash,
        );
        if !out.status.success() {
            if crash.is_none() {
                eprintln!(
                    "run {run}: the move failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                        .lines()
                        .last()
                        .unwrap_or("")
                );
            }
            crashed += 1;
            // Sometimes a stamp dies too before the recovery.
            if rng.below(4) == 0 {
                agent_kills += 1;
                let victim = if rng.below(2) == 0 { &home } else { &other };
                let pattern = format!(
                    "--data-dir {}",
                    dir.path().join("stamps").join(victim.as_str()).display()
                );
                let _ = Command::new("pkill")
                    .args(["-KILL", "-f", "--", &pattern])
                    .status();
            }
            let forward = rng.below(2) == 0;
            // `resume` restarts dead agents and rolls back; `move resume` then finishes.
            let out = run_stampctl(&catalogue, &["resume"], None);
            assert!(
                out.status.success(),
                "run {run}: resume: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if forward {
                let out = run_stampctl(&catalogue, &["move", "resume"], None);
                assert!(
                    out.status.success(),
                    "run {run}: move resume: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        // No move is left running, and the data, binding and routes agree.
        let running = fleet.moves(5).await.unwrap();
        assert!(
            running.iter().all(|m| m.state != "running"),
            "run {run} (crash {crash:?}): {running:?}"
        );
        let routes = fleet.routes().await.unwrap();
        let route = routes.routes.iter().find(|r| r.tenant == TENANT).unwrap();
        let now_home = StampId::new(route.stamp.clone()).unwrap();
        assert_eq!(
            route.endpoint.as_deref(),
            Some(endpoint_of(&now_home).await.as_str())
        );
        if now_home == home {
            rolled_back += 1
        } else {
            moved += 1
        }
        let st = states(
            &fleet,
            &[
                now_home.clone(),
                if now_home == a { b.clone() } else { a.clone() },
            ],
        )
        .await;
        assert_eq!(
            st[0],
            Some(TenantState::Active),
            "run {run} (crash {crash:?}): home state"
        );
        assert!(
            matches!(st[1], None | Some(TenantState::Fenced)),
            "run {run} (crash {crash:?}): the other stamp is {:?}",
            st[1]
        );

        // Every write acknowledged so far is on the home, with its value.
        let acked: Vec<(String, String)> = acks
            .lock()
            .unwrap()
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let client = fleet.stamp_client(&now_home).await.unwrap();
        let token = tenant_token(&fleet, &endpoint_of(&now_home).await)
            .await
            .unwrap();
        let as_tenant = client.with_token(token);
        let sample = acked.len().min(20);
        for (k, v) in acked.iter().skip(acked.len() - sample) {
            let entry = as_tenant
                .kv_get(TENANT, k)
                .await
                .unwrap_or_else(|e| panic!("run {run} (crash {crash:?}): {k} lost: {e}"));
            assert_eq!(&entry.value, v);
        }
    }
    stop.store(true, Ordering::SeqCst);
    writing.await.unwrap();

    // All of them, at the end; and the stamps' sequence numbers only ever grew (no two
    // stamps accepted writes in overlapping time).
    let (home, _) = fleet
        .routes()
        .await
        .map(|r| {
            let route = r.routes.into_iter().find(|r| r.tenant == TENANT).unwrap();
            (StampId::new(route.stamp).unwrap(), r.version)
        })
        .unwrap();
    let client = fleet.stamp_client(&home).await.unwrap();
    let token = tenant_token(&fleet, client.endpoint()).await.unwrap();
    let as_tenant = client.with_token(token);
    let a_ = std::mem::take(&mut *acks.lock().unwrap());
    let mut lost = 0;
    for (k, v) in &a_.values {
        match as_tenant.kv_get(TENANT, k).await {
            Ok(e) if &e.value == v => {}
            _ => lost += 1,
        }
    }
    assert!(
        a_.seqs.windows(2).all(|w| w[0] < w[1]),
        "sequence numbers went backwards"
    );
    println!(
        "{runs} runs: {moved} moved, {rolled_back} rolled back, {crashed} orchestrator kills, {agent_kills} agent kills; {} acknowledged writes, {} redirects followed, {lost} lost",
        a_.values.len(),
        a_.redirects
    );
    assert_eq!(lost, 0);
    assert!(a_.redirects > 0 && moved > 0 && rolled_back > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draining_a_stamp_moves_its_tenants_several_at_once_and_cleanup_removes_the_copies() {
    support::use_built_agent();
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(format!("--data-dir {}", dir.path().display()));
    let fleet = Fleet::open(&dir.path().join("c.sqlite")).await.unwrap();
    fleet.create_demo(true).await.unwrap();
    let drained = StampId::new("weu-02").unwrap();
    let before = fleet
        .stamp_client(&drained)
        .await
        .unwrap()
        .tenants()
        .await
        .unwrap();
    assert!(before.len() >= 3, "the demo stamp holds tenants");

    let events = Mutex::new(0u32);
    let done = fleet
        .drain_stamp(
            &fleet_ops::DrainStamp {
                stamp: drained.clone(),
                concurrency: Some(3),
            },
            &|_| *events.lock().unwrap() += 1,
        )
        .await
        .unwrap();
    assert_eq!(done.failed, 0, "{:?}", done.items);
    assert_eq!(done.items.len(), before.len());
    assert!(done.moved > 0);
    assert!(*events.lock().unwrap() > done.moved);
    let routes = fleet.routes().await.unwrap();
    for item in &done.items {
        let route = routes
            .routes
            .iter()
            .find(|r| r.tenant == item.tenant.as_str())
            .unwrap();
        match item.state.as_str() {
            "moved" => {
                let to = item.to.clone().unwrap();
                assert_eq!(route.stamp, to.as_str());
                let there = fleet
                    .stamp_client(&to)
                    .await
                    .unwrap()
                    .tenants()
                    .await
                    .unwrap();
                let t = there.iter().find(|t| t.id == item.tenant.as_str()).unwrap();
                assert_eq!(t.state, TenantState::Active);
            }
            "stays" => {
                assert_eq!(route.stamp, drained.as_str());
                assert!(!item.message.is_empty());
            }
            other => panic!("{}: {other}", item.tenant),
        }
    }
    let status = fleet.overview().await.unwrap();
    let s = status
        .stamps
        .iter()
        .find(|s| s.stamp.id == drained)
        .unwrap();
    assert_eq!(s.stamp.status, fleet_core::StampStatus::Draining);

    // Cleanup after the window removes the fenced copies; the journal says so.
    let fenced = |list: &[stamp_protocol::TenantOnStamp]| {
        list.iter()
            .filter(|t| t.state == TenantState::Fenced)
            .count()
    };
    let source = fleet.stamp_client(&drained).await.unwrap();
    assert_eq!(
        fenced(&source.tenants().await.unwrap()),
        done.moved as usize
    );
    let removed = fleet.clean_up_moves(0).await.unwrap();
    assert_eq!(removed.len(), done.moved as usize);
    assert_eq!(fenced(&source.tenants().await.unwrap()), 0);
    assert!(fleet
        .moves(100)
        .await
        .unwrap()
        .iter()
        .all(|m| m.step == "cleaned"));
}

/// Where the tenant lives now, by the routing table.
async fn home_of(fleet: &Fleet) -> StampId {
    let routes = fleet.routes().await.unwrap();
    let route = routes
        .routes
        .into_iter()
        .find(|r| r.tenant == TENANT)
        .unwrap();
    StampId::new(route.stamp).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_through_a_faulty_network_lose_no_acknowledged_write() {
    support::use_built_agent();
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(format!("--data-dir {}", dir.path().display()));
    let path = dir.path().join("c.sqlite");
    let fleet = Fleet::open(&path).await.unwrap();
    fleet.create_demo(true).await.unwrap();
    let (a, b) = onboard_mover(&fleet).await;
    // Every call to either stamp, the app's and the other stamp's and the writer's, now
    // goes through a proxy that refuses, fails (503), delays or cuts connections.
    let faults = support::fault_proxy::Faults {
        refuse: 8,
        error_503: 8,
        cut: 6,
        max_delay_ms: 15,
    };
    let mut proxies = Vec::new();
    let mut real_endpoints = HashMap::new();
    for (i, s) in [&a, &b].into_iter().enumerate() {
        let real = fleet.stamp_client(s).await.unwrap().endpoint().to_owned();
        let upstream = real.trim_start_matches("http://").parse().unwrap();
        let proxy = support::fault_proxy::start(upstream, 0xfa17 + i as u64, faults).await;
        fleet.set_stamp_endpoint(s, &proxy.url).await.unwrap();
        real_endpoints.insert(s.clone(), real);
        proxies.push(proxy);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(Mutex::new(Acks::default()));
    let start_at = fleet.stamp_client(&a).await.unwrap().endpoint().to_owned();
    let writing = tokio::spawn(writer(fleet.clone(), stop.clone(), acks.clone(), start_at));

    let runs: u32 = std::env::var("STAMPFLEET_MOVE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(60, |n: u32| n / 3);
    let (mut moved, mut failed_first) = (0u32, 0u32);
    for run in 0..runs {
        let home = home_of(&fleet).await;
        let other = if home == a { b.clone() } else { a.clone() };
        let out = run_stampctl(
            &path,
            &["tenant", "move", TENANT, "--to", other.as_str()],
            None,
        );
        if !out.status.success() {
            failed_first += 1;
            // A rollback that failed too leaves the move running: finish it.
            for _ in 0..20 {
                if fleet
                    .moves(1)
                    .await
                    .unwrap()
                    .iter()
                    .all(|m| m.state != "running")
                {
                    break;
                }
                run_stampctl(&path, &["move", "resume"], None);
            }
        }
        let moves = fleet.moves(3).await.unwrap();
        assert!(
            moves.iter().all(|m| m.state != "running"),
            "run {run}: {moves:?}"
        );
        let now = home_of(&fleet).await;
        if now != home {
            moved += 1;
        }
        let other_now = if now == a { b.clone() } else { a.clone() };
        // The states, asked past the proxies' faults (retried).
        let mut st = None;
        for _ in 0..20 {
            if let (Ok(x), Ok(y)) = (
                fleet.stamp_client(&now).await.unwrap().tenants().await,
                fleet
                    .stamp_client(&other_now)
                    .await
                    .unwrap()
                    .tenants()
                    .await,
            ) {
                let of = |l: &[stamp_protocol::TenantOnStamp]| {
                    l.iter().find(|t| t.id == TENANT).map(|t| t.state)
                };
                st = Some((of(&x), of(&y)));
                break;
            }
        }
        let (here, there) = st.expect("the stamps answer past the faults");
        assert_eq!(
            here,
            Some(TenantState::Active),
            "run {run}: {now} is home (again: {}); audit: {:?}; moves: {:#?}; stampctl: {} {}; first try: {}",
            home_of(&fleet).await,
            fleet.audit(20).await.unwrap().iter().filter(|e| e.entity == "binding" && e.entity_id == TENANT).map(|e| (e.id, e.actor.clone(), e.after.clone())).collect::<Vec<_>>(),
            fleet.moves(3).await.unwrap(),
            String::from_utf8_lossy(&run_stampctl(&path, &["move", "list"], None).stdout),
            String::from_utf8_lossy(
                &run_stampctl(&path, &["tenant", "list", "--search", "mover"], None).stdout
            ),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            matches!(there, None | Some(TenantState::Fenced)),
            "run {run}: {there:?}"
        );
    }
    stop.store(true, Ordering::SeqCst);
    writing.await.unwrap();
    let injected: u32 = proxies
        .iter()
        .map(|p| {
            p.counts.refused.load(Ordering::Relaxed)
                + p.counts.errors.load(Ordering::Relaxed)
                + p.counts.cut.load(Ordering::Relaxed)
        })
        .sum();
    let connections: u32 = proxies
        .iter()
        .map(|p| p.counts.connections.load(Ordering::Relaxed))
        .sum();
    drop(proxies);
    // Past the proxies now: every acknowledged write is on the home.
    let home = home_of(&fleet).await;
    let a_ = std::mem::take(&mut *acks.lock().unwrap());
    let client = fleet.stamp_client(&home).await.unwrap();
    let base = real_endpoints[&home].clone();
    let admin = stamp_client::StampClient::new(
        &base,
        client.token().to_owned(),
        stamp_client::ClientOptions::default(),
    )
    .unwrap();
    let token = admin
        .provision_tenant(
            TENANT,
            &ProvisionTenant {
                display_name: "Mover Ltd".to_owned(),
                size_units: 5,
            },
            "final-check",
        )
        .await
        .unwrap()
        .tenant_token;
    let as_tenant = admin.with_token(token);
    let mut lost = 0;
    for (k, v) in &a_.values {
        match as_tenant.kv_get(TENANT, k).await {
            Ok(e) if &e.value == v => {}
            _ => lost += 1,
        }
    }
    println!(
        "{runs} runs through faulty proxies ({injected} of {connections} connections refused, failed or cut): {moved} moved, {failed_first} needed recovery; {} acknowledged writes, {} redirects, {lost} lost",
        a_.values.len(),
        a_.redirects
    );
    assert_eq!(lost, 0);
    assert!(moved > 0 && a_.redirects > 0 && injected > 0);
}
