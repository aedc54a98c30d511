//! Tenant moves through a faulty network: every call to the two stamps (the app's, the
//! stamps' own pulls, the writer's) goes through loopback proxies that refuse, fail
//! (503), delay or cut connections. Every acknowledged write must end on the tenant's
//! home, with exactly one stamp serving it. Runs the `stampctl` built beside the agent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use stamp_protocol::{ProvisionTenant, TenantState};
use support::demo::demo_fleet;
use support::mover::{
    assert_no_move_running, home_of, lost_writes, move_args, onboard_mover, other_than, writer,
    Acks, TENANT,
};
use support::stampctl as run_stampctl;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_through_a_faulty_network_lose_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, path, _stop) = demo_fleet(dir.path(), true).await;
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
        let other = other_than(&home, (&a, &b));
        let out = run_stampctl(&path, &move_args(&other), None);
        if !out.status.success() {
            failed_first += 1;
            // A rollback that failed too leaves the move running: finish it.
            for _ in 0..20 {
                if fleet
                    .moves(1)
                    .await
                    .unwrap()
                    .iter()
                    .all(|m| m.state != catalogue::OperationState::Running)
                {
                    break;
                }
                run_stampctl(&path, &["move", "resume"], None);
            }
        }
        assert_no_move_running(&fleet, 3, &format!("run {run}")).await;
        let now = home_of(&fleet).await;
        if now != home {
            moved += 1;
        }
        let other_now = other_than(&now, (&a, &b));
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
            fleet.audit(20).await.unwrap().iter().filter(|e| e.entity == "binding" && e.entity_id == TENANT).map(|e| (e.id, e.via.clone(), e.after.clone())).collect::<Vec<_>>(),
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
    let lost = lost_writes(&as_tenant, &a_).await;
    println!(
        "{runs} runs through faulty proxies ({injected} of {connections} connections refused, failed or cut): {moved} moved, {failed_first} needed recovery; {} acknowledged writes, {} redirects, {lost} lost",
        a_.values.len(),
        a_.redirects
    );
    assert_eq!(lost, 0);
    assert!(moved > 0 && a_.redirects > 0 && injected > 0);
}
