//! Tenant moves against real local agents, with a writer that keeps writing through
//! every move (following redirects) and records each acknowledged write. Randomized
//! runs kill the orchestrator (a real `stampctl` process) at every journal step, kill
//! stamp agents, then recover; after each run every acknowledged write must be on the
//! tenant's home, exactly one stamp must serve the tenant, and the binding and the
//! routing table must agree with where the data is.
//! `STAMPFLEET_MOVE_RUNS=1000` makes it a soak (it prints the counts). It runs the
//! `stampctl` built beside the agent: `cargo test --workspace` builds it; alone, run
//! `cargo build -p stampctl` first. The same through fault proxies: `moves_network.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fleet_core::StampId;
use stamp_protocol::TenantState;
use support::demo::demo_fleet;
use support::mover::{
    assert_no_move_running, assert_only_home_serves, home_of, lost_writes, move_args,
    onboard_mover, other_than, states, tenant_token, writer, writer_sized, Acks, TENANT,
};
use support::{assert_succeeded, stampctl as run_stampctl};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn randomized_moves_killed_anywhere_lose_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, catalogue, _stop) = demo_fleet(dir.path(), true).await;
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
        let home = home_of(&fleet).await;
        let other = other_than(&home, (&a, &b));
        // One run in three moves cleanly; the rest crash at a random journal step.
        let crash = (rng.below(3) != 0).then(|| STEPS[rng.below(STEPS.len() as u64) as usize]);
        let out = run_stampctl(&catalogue, &move_args(&other), crash);
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
                    fleet.home().join("stamps").join(victim.as_str()).display()
                );
                let _ = Command::new("pkill")
                    .args(["-KILL", "-f", "--", &pattern])
                    .status();
            }
            let forward = rng.below(2) == 0;
            // `resume` restarts dead agents and rolls back; `move resume` then finishes.
            let out = run_stampctl(&catalogue, &["resume"], None);
            assert_succeeded(&out, &format!("run {run}: resume"));
            if forward {
                let out = run_stampctl(&catalogue, &["move", "resume"], None);
                assert_succeeded(&out, &format!("run {run}: move resume"));
            }
        }
        // No move is left running, and the data, binding and routes agree.
        assert_no_move_running(&fleet, 5, &format!("run {run} (crash {crash:?})")).await;
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
        let context = format!("run {run} (crash {crash:?})");
        assert_only_home_serves(&fleet, &now_home, (&a, &b), &context).await;

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
    let home = home_of(&fleet).await;
    let client = fleet.stamp_client(&home).await.unwrap();
    let token = tenant_token(&fleet, client.endpoint()).await.unwrap();
    let as_tenant = client.with_token(token);
    let a_ = std::mem::take(&mut *acks.lock().unwrap());
    let lost = lost_writes(&as_tenant, &a_).await;
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
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _, _stop) = demo_fleet(dir.path(), true).await;
    let drained = StampId::new("weu-02").unwrap();
    let before = fleet
        .stamp_client(&drained)
        .await
        .unwrap()
        .tenants()
        .await
        .unwrap();
    assert!(before.len() >= 3, "the demo stamp holds tenants");
    // The operator unticks one tenant in the preview: it stays.
    let preview = fleet.preview_drain(&drained).await.unwrap();
    let kept = preview
        .items
        .iter()
        .find(|i| i.to.is_some())
        .unwrap()
        .tenant
        .clone();

    let events = Mutex::new(0u32);
    let done = fleet
        .drain_stamp(
            &fleet_ops::DrainStamp {
                stamp: drained.clone(),
                concurrency: Some(3),
                keep: vec![kept.clone()],
            },
            &|_| *events.lock().unwrap() += 1,
        )
        .await
        .unwrap();
    assert_eq!(done.failed, 0, "{:?}", done.items);
    let kept_item = done.items.iter().find(|i| i.tenant == kept).unwrap();
    assert_eq!(kept_item.state, "stays", "{kept_item:?}");
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
                // weu-01, in the same region, has room under the high band for all of
                // them: nobody leaves West Europe.
                assert_eq!(to.as_str(), "weu-01", "{}: {}", item.tenant, item.message);
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
                if item.tenant == kept {
                    assert_eq!(item.message, "kept on weu-02 by the operator");
                }
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
        .all(|m| m.step == catalogue::MovePhase::Cleaned));
}

/// A tenant writing ~900 KB values all through its move: change pages are capped by
/// bytes (a page of such values used to pass the 8 MiB answer limit: 502, then a
/// rollback, every time), the catch-up freezes once the lag stops shrinking, and the
/// move ends with every acknowledged write on the new stamp.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_writing_large_values_is_moved_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _, _stop) = demo_fleet(dir.path(), true).await;
    let (a, b) = onboard_mover(&fleet).await;
    let from = fleet.stamp_client(&a).await.unwrap().endpoint().to_owned();
    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(Mutex::new(Acks::default()));
    // Four writers at once: changes pile up faster than a page can carry them.
    let writers: Vec<_> = ["a", "b", "c", "d"]
        .into_iter()
        .map(|prefix| {
            tokio::spawn(writer_sized(
                fleet.clone(),
                stop.clone(),
                acks.clone(),
                from.clone(),
                (prefix, 900 * 1024),
            ))
        })
        .collect();
    // Some large values are on the source before the move starts (bounded wait).
    for _ in 0..2000 {
        if acks.lock().unwrap().values.len() >= 24 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(acks.lock().unwrap().values.len() >= 24, "the writers wrote");

    let done = fleet
        .move_tenant(
            &fleet_ops::MoveTenant {
                tenant: fleet_core::TenantId::new(TENANT).unwrap(),
                to: b.clone(),
            },
            &|_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("the move failed: {}", e.message));
    assert_eq!(done.phase, catalogue::MovePhase::Done, "{done:?}");
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }

    let client = fleet.stamp_client(&b).await.unwrap();
    let token = tenant_token(&fleet, client.endpoint()).await.unwrap();
    let as_tenant = client.with_token(token);
    let acked = std::mem::take(&mut *acks.lock().unwrap());
    assert!(acked.values.len() >= 24);
    for (k, v) in &acked.values {
        let entry = as_tenant
            .kv_get(TENANT, k)
            .await
            .unwrap_or_else(|e| panic!("{k} lost: {e}"));
        assert!(entry.value == *v, "{k}: another value");
    }
}

/// The catalogue becomes unwritable (a full disk, as the test hook makes it) right after
/// each step of a move: before the cut-over the move is undone on the stamps anyway
/// (the source takes writes again, the target keeps no copy), after it the target
/// serves; either way exactly one stamp takes the tenant's writes, and `resume` closes
/// the journal so the binding, the routes and the data agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_that_fails_mid_move_never_leaves_the_tenant_frozen() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, catalogue, _stop) = demo_fleet(dir.path(), true).await;
    let (a, b) = onboard_mover(&fleet).await;
    let steps = &STEPS[..STEPS.len() - 1]; // all but rolling-back, which a fault reaches
    for step in steps {
        let home = home_of(&fleet).await;
        let other = other_than(&home, (&a, &b));
        let out = Command::new(support::stampctl_path())
            .arg("--catalogue")
            .arg(&catalogue)
            .args(move_args(&other))
            .env("STAMPFLEET_AGENT", support::agent_program())
            .env("STAMPFLEET_SECRETS", "file")
            .env("STAMPFLEET_FAIL_WRITES_AT", step)
            .env_remove("STAMPFLEET_CRASH_AT")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{step}: {said}");
        // At most one stamp takes the tenant's writes, whatever the catalogue says.
        let st = states(&fleet, &[home.clone(), other.clone()]).await;
        let active = st
            .iter()
            .filter(|s| **s == Some(TenantState::Active))
            .count();
        assert_eq!(active, 1, "{step}: {st:?}; {said}");
        if *step != "flipped" && *step != "activating" && *step != "fencing" {
            assert_eq!(
                st[0],
                Some(TenantState::Active),
                "{step}: the source is writable"
            );
            assert_eq!(st[1], None, "{step}: the target keeps no copy");
        }
        assert_succeeded(&run_stampctl(&catalogue, &["resume"], None), step);
        assert_no_move_running(&fleet, 5, step).await;
        let now = home_of(&fleet).await;
        assert_only_home_serves(&fleet, &now, (&a, &b), &format!("{step}, after resume")).await;
    }
}
