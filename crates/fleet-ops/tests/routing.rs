//! Routing for real, with a real HAProxy and the demo fleet's real agents: tenant
//! clients that know only their tenant's id and a fleet-signed token read and write
//! through HAProxy while 20 moves and a drain run, with no failed request (after
//! honouring Retry-After and following redirects) and no lost acknowledged write; the
//! lag from each binding flip to HAProxy's map is measured; a restarted router is
//! resynced. Fleet tokens: the same token on every stamp that holds the tenant; another
//! key's, an expired or a retired key's token is 401 everywhere; a tenant's token never
//! opens another tenant's data (403).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fleet_core::{StampId, TenantId};
use fleet_ops::{DrainStamp, Fleet, MoveTenant, RouterSyncer};
use stamp_protocol::fleet_token;
use testkit::demo::{demo_fleet, onboard_onto, small_tenant};
use testkit::haproxy::{free_port, Haproxy};
use testkit::router_traffic::{client, lost, TenantClient, Traffic};

fn id(s: &str) -> StampId {
    StampId::new(s).unwrap()
}

/// Writes the router's files into `dir/router`, attaches it, starts HAProxy on them.
async fn router(fleet: &Fleet, dir: &std::path::Path) -> (Haproxy, String) {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let files = fleet
        .haproxy_config(&dir.join("router"), &listen, "local")
        .await
        .unwrap();
    assert!(files.unroutable.is_empty(), "{:?}", files.unroutable);
    let proxy = Haproxy::start(std::path::Path::new(&files.config));
    (proxy, format!("http://{listen}"))
}

/// Every tenant's route as each router has it agrees with the catalogue.
async fn routes_agree(fleet: &Fleet, tenants: &[String]) {
    for t in tenants {
        let route = fleet
            .tenant_route(&TenantId::new(t).unwrap())
            .await
            .unwrap();
        assert!(
            route.routers.iter().all(|r| r.agrees),
            "{t}: catalogue {:?}, routers {:?}",
            route.stamp,
            route.routers
        );
    }
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_through_haproxy_see_no_failure_while_20_moves_and_a_drain_run() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _, _stop) = demo_fleet(dir.path(), true).await;
    let tenants: Vec<String> = (1..=4).map(|i| format!("client-{i}")).collect();
    for t in &tenants {
        onboard_onto(&fleet, small_tenant(t, "Client Ltd"), &id("weu-02")).await;
    }
    let (_proxy, base) = router(&fleet, dir.path()).await;
    let first = RouterSyncer::default().sync(&fleet, false).await.unwrap();
    assert_eq!(
        (first[0].kind.as_str(), first[0].error.as_deref()),
        ("full", None)
    );
    routes_agree(&fleet, &tenants).await;

    let mut tokens = HashMap::new();
    for t in &tenants {
        let issued = fleet
            .issue_tenant_token(&TenantId::new(t).unwrap(), 3600)
            .await
            .unwrap();
        tokens.insert(t.clone(), issued.token);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let traffic = Arc::new(Mutex::new(Traffic::default()));
    let clients: Vec<_> = tenants
        .iter()
        .map(|t| {
            tokio::spawn(client(
                base.clone(),
                t.clone(),
                tokens[t].clone(),
                stop.clone(),
                traffic.clone(),
                20_000,
            ))
        })
        .collect();

    // 20 moves between the two West Europe stamps, each client's tenant in turn.
    let mut lags = Vec::new();
    for m in 0..20 {
        let tenant = TenantId::new(&tenants[m % tenants.len()]).unwrap();
        let route = fleet.tenant_route(&tenant).await.unwrap();
        let to = if route.stamp == Some(id("weu-02")) {
            id("weu-01")
        } else {
            id("weu-02")
        };
        let done = fleet
            .move_tenant(&MoveTenant { tenant, to }, &|_| {})
            .await
            .unwrap();
        assert_eq!(done.phase, fleet_ops::catalogue::MovePhase::Done);
        let status = fleet.routing_status().await.unwrap();
        let router = &status.routers[0].router;
        assert_eq!(router.last_error, None);
        lags.push(router.lag_ms.expect("the move pushed its route"));
    }
    // Then weu-02 drains, three moves at a time: its demo tenants and the clients there.
    let drained = fleet
        .drain_stamp(
            &DrainStamp {
                stamp: id("weu-02"),
                concurrency: Some(3),
                keep: Vec::new(),
            },
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(drained.failed, 0, "{:?}", drained.items);
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }

    let lost = lost(&base, &tokens, &traffic).await;
    let t = std::mem::take(&mut *traffic.lock().unwrap());
    lags.sort_unstable();
    println!(
        "through HAProxy: {} acknowledged writes, {} reads, {} retries after 503, {} redirects followed, {} failed, {lost} lost; flip to map p50 {} ms, p99 {} ms, max {} ms over {} moves",
        t.acked.len(),
        t.reads,
        t.retries,
        t.redirects,
        t.failures.len(),
        percentile(&lags, 0.5),
        percentile(&lags, 0.99),
        lags[lags.len() - 1],
        lags.len()
    );
    assert!(
        t.failures.is_empty(),
        "{:?}",
        &t.failures[..t.failures.len().min(5)]
    );
    assert_eq!(lost, 0);
    assert!(t.acked.len() >= 20, "the clients wrote during the moves");
    // The sync after the drain leaves every route as the catalogue has it.
    RouterSyncer::default().sync(&fleet, false).await.unwrap();
    routes_agree(&fleet, &tenants).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_that_restarts_is_resynced_and_a_gap_sends_whole_maps() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _, _stop) = demo_fleet(dir.path(), true).await;
    let tenant = "restart-1".to_owned();
    onboard_onto(&fleet, small_tenant(&tenant, "Restart Ltd"), &id("weu-02")).await;
    let (mut proxy, base) = router(&fleet, dir.path()).await;
    let mut syncer = RouterSyncer::default();
    assert_eq!(syncer.sync(&fleet, false).await.unwrap()[0].kind, "full");
    assert_eq!(syncer.sync(&fleet, false).await.unwrap()[0].kind, "current");
    let token = fleet
        .issue_tenant_token(&TenantId::new(&tenant).unwrap(), 600)
        .await
        .unwrap()
        .token;

    // The router is down while the tenant moves: the move goes on, the router is
    // recorded as failing.
    proxy.stop();
    fleet
        .move_tenant(
            &MoveTenant {
                tenant: TenantId::new(&tenant).unwrap(),
                to: id("weu-01"),
            },
            &|_| {},
        )
        .await
        .unwrap();
    let status = fleet.routing_status().await.unwrap();
    assert!(
        status.routers[0].router.last_error.is_some(),
        "{:?}",
        status.routers[0]
    );
    // Back up, from its map files (written at the full sync: the tenant on weu-02).
    proxy.restart();
    let said = fleet
        .tenant_route(&TenantId::new(&tenant).unwrap())
        .await
        .unwrap();
    assert_eq!(said.routers[0].stamp.as_deref(), Some("weu-02"));
    let outcome = &syncer.sync(&fleet, false).await.unwrap()[0];
    assert_eq!(
        (outcome.kind.as_str(), outcome.error.as_deref()),
        ("changes", None)
    );
    routes_agree(&fleet, std::slice::from_ref(&tenant)).await;
    let status = fleet.routing_status().await.unwrap();
    assert_eq!(
        (
            status.routers[0].behind,
            status.routers[0].router.last_error.as_deref()
        ),
        (Some(0), None)
    );
    // Traffic goes straight to the new stamp.
    let traffic = Mutex::new(Traffic::default());
    let path = format!("/v1/tenants/{tenant}/kv/after-restart");
    let body = serde_json::json!({ "value": "here" });
    TenantClient::new(&base, &tenant, &token)
        .send(reqwest::Method::PUT, &path, Some(&body), &traffic)
        .await
        .unwrap();
    assert_eq!(
        traffic.lock().unwrap().redirects,
        0,
        "the map sent it to its stamp"
    );

    // A syncer that did not write these maps (the app started again) sends them whole.
    let outcome = &RouterSyncer::default().sync(&fleet, false).await.unwrap()[0];
    assert_eq!(outcome.kind, "full");
    routes_agree(&fleet, std::slice::from_ref(&tenant)).await;
}

#[tokio::test]
async fn fleet_tokens_hold_on_every_stamp_and_open_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _, _stop) = demo_fleet(dir.path(), true).await;
    onboard_onto(&fleet, small_tenant("alpha", "Alpha"), &id("weu-01")).await;
    onboard_onto(&fleet, small_tenant("beta", "Beta"), &id("weu-02")).await;
    let alpha = TenantId::new("alpha").unwrap();
    let issued = fleet.issue_tenant_token(&alpha, 600).await.unwrap();
    let stamps: Vec<StampId> = fleet
        .overview()
        .await
        .unwrap()
        .stamps
        .into_iter()
        .map(|s| s.stamp.id)
        .collect();
    let status_on = |stamp: StampId, token: String, tenant: &'static str| {
        let fleet = fleet.clone();
        async move {
            let client = fleet.stamp_client(&stamp).await.unwrap().with_token(token);
            use stamp_client::ClientError as E;
            match client.kv_get(tenant, "k").await {
                Ok(_) => 200,
                Err(E::Unauthorized { .. }) => 401,
                Err(E::Forbidden { .. }) => 403,
                Err(E::NotFound { .. }) => 404,
                Err(E::Rejected { status, .. }) => status,
                Err(e) => panic!("{stamp}: {e}"),
            }
        }
    };
    // Every stamp took the key when the first token was issued: alpha's token is
    // alpha's everywhere (its data where it lives, 404 elsewhere, never 401), never beta's.
    let home = fleet
        .stamp_client(&id("weu-01"))
        .await
        .unwrap()
        .with_token(issued.token.clone());
    home.kv_put("alpha", "k", "home", "first").await.unwrap();
    for s in &stamps {
        let own = status_on(s.clone(), issued.token.clone(), "alpha").await;
        let expected = if s == &id("weu-01") { 200 } else { 404 };
        assert_eq!(own, expected, "alpha's token for alpha on {s}");
        assert_eq!(
            status_on(s.clone(), issued.token.clone(), "beta").await,
            403,
            "on {s}"
        );
    }
    // A stamp provisioned from now on is given the keys in use.
    let new_stamp = testkit::demo::standard_stamp(
        "fra-09",
        "aws-eu-central-1",
        None,
        fleet_ops::ProviderConfig::Local,
    );
    fleet.provision_stamp(&new_stamp, &|_| {}).await.unwrap();
    let keys = fleet
        .stamp_client(&id("fra-09"))
        .await
        .unwrap()
        .fleet_keys()
        .await
        .unwrap()
        .keys;
    assert_eq!(keys, vec![issued.kid.clone()]);

    // Alpha moves: the same token writes on its new stamp.
    fleet
        .move_tenant(
            &MoveTenant {
                tenant: alpha.clone(),
                to: id("weu-02"),
            },
            &|_| {},
        )
        .await
        .unwrap();
    let on_new = fleet
        .stamp_client(&id("weu-02"))
        .await
        .unwrap()
        .with_token(issued.token.clone());
    on_new
        .kv_put("alpha", "k", "moved", "after-move")
        .await
        .unwrap();

    // A key the stamps were not given, under a known id: 401 on every stamp. A test key
    // the stamps were given (admin, through the Stamp API): its live token opens alpha,
    // the same token expired does not.
    let stranger = fleet_token::generate_key().unwrap();
    let public = fleet_token::public_key_text(&stranger).unwrap();
    let forged = fleet_token::sign(&stranger, &issued.kid, "alpha", issued.expires).unwrap();
    let live = fleet_token::sign(&stranger, "testkey", "alpha", issued.expires).unwrap();
    let expired = fleet_token::sign(&stranger, "testkey", "alpha", 1_000_000_000).unwrap();
    for s in &stamps {
        let admin = fleet.stamp_client(s).await.unwrap();
        admin
            .put_fleet_key("testkey", &public, &format!("test-{s}"))
            .await
            .unwrap();
        assert_eq!(
            status_on(s.clone(), forged.clone(), "alpha").await,
            401,
            "forged on {s}"
        );
        assert_eq!(
            status_on(s.clone(), expired.clone(), "alpha").await,
            401,
            "expired on {s}"
        );
        assert_ne!(
            status_on(s.clone(), live.clone(), "alpha").await,
            401,
            "live on {s}"
        );
    }

    // Rotation: the old token verifies until its key is retired, then 401 everywhere.
    let (newer, outcomes) = fleet.rotate_fleet_key().await.unwrap();
    assert!(outcomes.iter().all(|o| o.error.is_none()), "{outcomes:?}");
    let fresh = fleet.issue_tenant_token(&alpha, 600).await.unwrap();
    assert_eq!(fresh.kid, newer);
    assert_eq!(
        status_on(id("weu-02"), issued.token.clone(), "alpha").await,
        200
    );
    let e = fleet.retire_fleet_key(&newer).await.unwrap_err();
    assert!(
        e.message.contains("rotate to a new key first"),
        "{}",
        e.message
    );
    fleet.retire_fleet_key(&issued.kid).await.unwrap();
    for s in &stamps {
        assert_eq!(
            status_on(s.clone(), issued.token.clone(), "alpha").await,
            401,
            "retired on {s}"
        );
    }
    assert_eq!(
        status_on(id("weu-02"), fresh.token.clone(), "alpha").await,
        200
    );
}
