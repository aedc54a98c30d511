//! Routing benchmark, with a real HAProxy and a real stamp agent: a routing table of
//! TENANTS tenants on STAMPS stamps (every stamp's endpoint is the one agent): the
//! initial full sync of HAProxy's maps through its Runtime API; one route's latency from
//! the push after a flip to HAProxy's map (p50/p99/max of 1,000); then requests/s and
//! latency of REQUESTS reads over CONNECTIONS connections, straight to the stamp and
//! through HAProxy. Used by `.ci/bench-routing`.
//! usage: bench_routing [TENANTS] [STAMPS] [REQUESTS] [CONNECTIONS]
//!        (default 1000000 100 20000 16)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod measure;

use measure::arg;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fleet_core::{Binding, StampStatus, TemplateVersion, TenantId};
use fleet_ops::{Fleet, RouterSyncer};
use testkit::haproxy::{free_port, Haproxy};

const ADMIN: &str = "bench-admin-token-0123456789abcdef";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `total` GETs of `url` (with `tenant` in `X-Tenant` when given) over `connections`
/// keep-alive connections: requests/s and the sorted latencies.
async fn load(
    url: &str,
    token: &str,
    tenant: Option<&str>,
    total: u64,
    connections: u64,
) -> (f64, Vec<Duration>) {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (url, token, tenant, next) = (
            url.to_owned(),
            token.to_owned(),
            tenant.map(str::to_owned),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let mut seen = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let mut request = http.get(&url).bearer_auth(&token);
                if let Some(t) = &tenant {
                    request = request.header("x-tenant", t);
                }
                let at = Instant::now();
                let answer = request.send().await.unwrap();
                assert_eq!(answer.status(), 200, "{url}");
                answer.bytes().await.unwrap();
                seen.push(at.elapsed());
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort_unstable();
    (rate, all)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (tenants, stamps, requests, connections) =
        (arg(1, 1_000_000), arg(2, 100), arg(3, 20_000), arg(4, 16));
    testkit::use_built_agent();
    std::env::set_var("STAMPFLEET_SECRETS", "file");
    let dir = tempfile::tempdir().unwrap();
    let agent = testkit::Agent::start(dir.path(), "bench-00", "bench", 1_000_000, ADMIN);
    let admin = stamp_client::StampClient::new(
        &agent.base,
        ADMIN.to_owned(),
        stamp_client::ClientOptions::default(),
    )
    .unwrap();
    let provisioned = admin
        .provision_tenant(
            "bench",
            &stamp_protocol::ProvisionTenant {
                display_name: "Bench".into(),
                size_units: 1,
            },
            "bench",
        )
        .await
        .unwrap();
    let as_tenant = admin.with_token(provisioned.tenant_token.clone());
    as_tenant
        .kv_put("bench", "k", "a value", "bench-k")
        .await
        .unwrap();

    let fleet = Fleet::open(&dir.path().join("c.sqlite")).await.unwrap();
    let regions = fleet.regions().await.unwrap();
    let mut doc = fleet_core::synthetic::synthetic_fleet(
        &regions[..20.min(regions.len())],
        stamps as u32,
        tenants as u32,
        7,
    )
    .unwrap();
    for s in &mut doc.stamps {
        s.status = StampStatus::Active;
        s.template_version = TemplateVersion::new("1.4.0").unwrap();
        s.endpoint = Some(agent.base.clone());
    }
    let first = doc.stamps[0].id.clone();
    let mut bench = doc.tenants[0].clone();
    bench.id = TenantId::new("bench").unwrap();
    doc.tenants.push(bench);
    doc.bindings.push(Binding {
        tenant: TenantId::new("bench").unwrap(),
        stamp: first.clone(),
        version: 1,
    });
    let at = Instant::now();
    fleet
        .import_json("bench.json", &serde_json::to_string(&doc).unwrap(), false)
        .await
        .unwrap();
    println!(
        "catalogue of {} tenants on {stamps} stamps imported in {:.1} s",
        doc.tenants.len(),
        at.elapsed().as_secs_f64()
    );

    let listen = format!("127.0.0.1:{}", free_port());
    let at = Instant::now();
    let files = fleet
        .haproxy_config(&dir.path().join("router"), &listen, "bench")
        .await
        .unwrap();
    println!(
        "haproxy-config: configuration and maps ({} tenants) written in {:.2} s",
        files.tenants,
        at.elapsed().as_secs_f64()
    );
    let at = Instant::now();
    let _proxy = Haproxy::start(std::path::Path::new(&files.config));
    println!(
        "HAProxy started on those map files in {:.2} s",
        at.elapsed().as_secs_f64()
    );

    let at = Instant::now();
    let outcome = RouterSyncer::default().sync(&fleet, true).await.unwrap();
    assert_eq!(outcome[0].error, None);
    println!(
        "initial sync through the Runtime API (whole maps, atomic): {} routes in {:.2} s",
        outcome[0].sent,
        at.elapsed().as_secs_f64()
    );

    // One route at a time, as a move pushes it after its flip: there and back.
    let other = doc.stamps[1 % doc.stamps.len()].id.clone();
    let mut lags = Vec::new();
    for i in 0..500 {
        let t = &doc.tenants[(i * 7919) % (doc.tenants.len() - 1)];
        let home = doc
            .bindings
            .iter()
            .find(|b| b.tenant == t.id)
            .map(|b| b.stamp.clone())
            .unwrap_or(first.clone());
        for to in [&other, &home] {
            let at = Instant::now();
            fleet.push_route(&t.id, to, at).await;
            lags.push(at.elapsed());
        }
    }
    let status = fleet.routing_status().await.unwrap();
    assert_eq!(status.routers[0].router.last_error, None);
    lags.sort_unstable();
    println!(
        "route pushed to HAProxy's map after a flip ({} pushes): p50 {}, p99 {}, max {}",
        lags.len(),
        ms(percentile(&lags, 0.5)),
        ms(percentile(&lags, 0.99)),
        ms(lags[lags.len() - 1])
    );

    let token = provisioned.tenant_token;
    let direct_url = format!("{}/v1/tenants/bench/kv/k", agent.base);
    let routed_url = format!("http://{listen}/v1/tenants/bench/kv/k");
    load(&direct_url, &token, None, requests / 10, connections).await;
    let (direct_rate, direct) = load(&direct_url, &token, None, requests, connections).await;
    let (routed_rate, routed) =
        load(&routed_url, &token, Some("bench"), requests, connections).await;
    println!(
        "{requests} reads over {connections} connections: straight to the stamp {direct_rate:.0}/s (p50 {}, p99 {}); through HAProxy ({} routes in its map) {routed_rate:.0}/s (p50 {}, p99 {}); added p99 {}",
        ms(percentile(&direct, 0.5)),
        ms(percentile(&direct, 0.99)),
        doc.tenants.len(),
        ms(percentile(&routed, 0.5)),
        ms(percentile(&routed, 0.99)),
        ms(percentile(&routed, 0.99).saturating_sub(percentile(&direct, 0.99)))
    );
}
