//! Routing in the real window: HAProxy (real, started here) routes tenant traffic by
//! tenant id; the app keeps its maps in sync by itself; a tenant moved in the window
//! while clients read and write through HAProxy with a fleet-signed token loses no
//! request and no write; the Routing panel shows the router in sync at the table's
//! version, and the tenant's route shows the router agreeing with its new stamp.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fleet_core::TenantId;
use fleet_ops::Fleet;
use stampfleet_e2e::AppSession;
use testkit::haproxy::{free_port, Haproxy};
use testkit::router_traffic::{client, lost, Traffic};

const TENANT: &str = "contoso-prod";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_moved_in_the_window_while_clients_go_through_haproxy_loses_nothing() {
    let (dir, catalogue, app) = AppSession::start_on_demo().await;
    let fleet = Fleet::open(&catalogue).await.unwrap();
    let id = TenantId::new(TENANT).unwrap();
    let from = fleet.tenant(&id).await.unwrap().unwrap().stamp.unwrap();
    let to = fleet
        .move_targets(&id)
        .await
        .unwrap()
        .passing
        .first()
        .cloned()
        .expect("a stamp can take it");

    // The operator's router: configuration from Stampfleet, HAProxy started on it; the
    // app, which syncs attached routers every second, shows it in sync.
    let listen = format!("127.0.0.1:{}", free_port());
    let files = fleet
        .haproxy_config(&dir.path().join("router"), &listen, "local")
        .await
        .unwrap();
    let _proxy = Haproxy::start(std::path::Path::new(&files.config));
    let version = fleet.routing_status().await.unwrap().version;
    app.find(&format!(
        "[data-testid=router-row][data-name=local][data-state=in-sync][data-synced='{version}']"
    ))
    .await;

    // Two clients that know only the tenant's id, a fleet token and the router.
    let token = fleet.issue_tenant_token(&id, 3600).await.unwrap().token;
    let base = format!("http://{listen}");
    let stop = Arc::new(AtomicBool::new(false));
    let traffic = Arc::new(Mutex::new(Traffic::default()));
    let clients: Vec<_> = (0..2)
        .map(|_| {
            tokio::spawn(client(
                base.clone(),
                TENANT.to_owned(),
                token.clone(),
                stop.clone(),
                traffic.clone(),
                50_000,
            ))
        })
        .collect();

    // The move, in the window.
    let row = format!("[data-testid=tenant-row][data-tenant-id={TENANT}]");
    app.click(&format!(
        "[data-testid=stamp-row][data-stamp-id={from}] td.id"
    ))
    .await;
    app.find(&row).await;
    app.click(&format!("{row} [data-testid=move-button]")).await;
    app.click(&format!("[data-testid=move-target][data-stamp={to}] input"))
        .await;
    app.press("[data-testid=move-confirm]").await;
    app.find("[data-testid=move-done]").await;
    app.click("[data-testid=move-close]").await;

    // The router follows: in sync at the new version, and the tenant's route agrees.
    let version = fleet.routing_status().await.unwrap().version;
    app.find(&format!(
        "[data-testid=router-row][data-name=local][data-state=in-sync][data-synced='{version}']"
    ))
    .await;
    app.click(&format!(
        "[data-testid=stamp-row][data-stamp-id={to}] td.id"
    ))
    .await;
    app.click(&format!("{row} td")).await;
    app.find(&format!(
        "[data-testid=tenant-route][data-tenant={TENANT}][data-stamp={to}] [data-testid=tenant-route-router][data-router=local][data-agrees=true]"
    ))
    .await;
    for (selector, file) in [
        ("[data-testid=tenant-route]", "routing-tenant-route.png"),
        ("[data-testid=routing-panel]", "routing-panel.png"),
    ] {
        app.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'center'}); return true;",
                vec![serde_json::json!(selector)],
            )
            .await
            .unwrap();
        app.screenshot(file).await;
    }

    // Writes go on through the router after the move, then the clients stop.
    let before = traffic.lock().unwrap().acked.len();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while traffic.lock().unwrap().acked.len() < before + 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the clients stopped writing after the move"
        );
        // A probe of the real condition (more acknowledged writes), bounded by the deadline.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    let tokens = HashMap::from([(TENANT.to_owned(), token)]);
    let lost = lost(&base, &tokens, &traffic).await;
    let t = std::mem::take(&mut *traffic.lock().unwrap());
    assert!(
        t.failures.is_empty(),
        "{:?}",
        &t.failures[..t.failures.len().min(5)]
    );
    assert_eq!(lost, 0, "of {} acknowledged writes", t.acked.len());
    app.stop().await;
}
