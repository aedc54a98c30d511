//! A tenant moved in the real window while a client keeps writing to it: the tenant's
//! row is dropped on another stamp's row (drag events dispatched in the webview: a
//! native pointer drag cannot be driven through WebKitWebDriver), the Move dialog opens
//! on that target, the move shows its phases to done, and every write the client saw
//! acknowledged is on the new stamp, which the catalogue and the routes now name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fleet_core::{StampId, TenantId};
use fleet_ops::Fleet;
use stamp_protocol::ProvisionTenant;
use stampfleet_e2e::AppSession;

const TENANT: &str = "contoso-prod";

const DROP_TENANT_ON_STAMP: &str = r#"
const [tenant, stamp] = arguments;
const row = document.querySelector(`[data-testid=tenant-row][data-tenant-id="${tenant}"]`);
const target = document.querySelector(`[data-testid=stamp-row][data-stamp-id="${stamp}"]`);
if (!row || !target) return `missing ${row ? "" : "tenant row"} ${target ? "" : "stamp row"}`;
const data = new DataTransfer();
const fire = (el, type) =>
  el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
fire(row, "dragstart");
fire(target, "dragenter");
fire(target, "dragover");
fire(target, "drop");
fire(row, "dragend");
return "dropped";
"#;

/// The tenant's token on the stamp at `endpoint` (a repeated provision answers it).
async fn token_at(fleet: &Fleet, endpoint: &str, name: &str, size: u32) -> String {
    let overview = fleet.overview().await.unwrap();
    let stamp = overview
        .stamps
        .iter()
        .find(|s| s.stamp.endpoint.as_deref() == Some(endpoint))
        .unwrap();
    let request = ProvisionTenant {
        display_name: name.to_owned(),
        size_units: size,
    };
    fleet
        .stamp_client(&stamp.stamp.id)
        .await
        .unwrap()
        .provision_tenant(TENANT, &request, &format!("e2e-token-{}", stamp.stamp.id))
        .await
        .unwrap()
        .tenant_token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_dragged_to_another_stamp_moves_while_a_client_writes() {
    let (_dir, catalogue, app) = AppSession::start_on_demo().await;

    let fleet = Fleet::open(&catalogue).await.unwrap();
    let id = TenantId::new(TENANT).unwrap();
    let view = fleet.tenant(&id).await.unwrap().unwrap();
    let from = view.stamp.clone().unwrap();
    let targets = fleet.move_targets(&id).await.unwrap();
    let to: StampId = targets
        .passing
        .first()
        .cloned()
        .expect("a stamp can take it");
    let (name, size) = (view.tenant.display_name.clone(), view.tenant.size_units);

    // A client writing to the tenant all along, following the move's redirect.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let redirects = Arc::new(Mutex::new(0u32));
    let writer = {
        let (fleet, stop, acked, redirects) = (
            fleet.clone(),
            stop.clone(),
            acked.clone(),
            redirects.clone(),
        );
        let mut home = fleet
            .stamp_client(&from)
            .await
            .unwrap()
            .endpoint()
            .to_owned();
        let (name, size) = (name.clone(), size);
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut token = token_at(&fleet, &home, &name, size).await;
            let mut i = 0u32;
            while !stop.load(Ordering::SeqCst) && i < 100_000 {
                let (key, value) = (format!("e2e-{i}"), format!("value {i}"));
                let sent = http
                    .put(format!("{home}/v1/tenants/{TENANT}/kv/{key}"))
                    .bearer_auth(&token)
                    .header("idempotency-key", format!("{key}-{home}"))
                    .json(&serde_json::json!({ "value": value }))
                    .send()
                    .await;
                let Ok(response) = sent else { continue };
                match response.status().as_u16() {
                    200 => {
                        acked.lock().unwrap().push((key, value));
                        i += 1;
                    }
                    307 => {
                        let location = response.headers()["location"].to_str().unwrap().to_owned();
                        home = location.split("/v1/").next().unwrap().to_owned();
                        token = token_at(&fleet, &home, &name, size).await;
                        *redirects.lock().unwrap() += 1;
                    }
                    503 => tokio::time::sleep(std::time::Duration::from_millis(2)).await,
                    other => panic!("write {key}: {other}"),
                }
            }
        })
    };

    // Show the source stamp's tenants, then drop the tenant on the target's row.
    app.click(&format!("[data-testid=stamp-row][data-stamp-id={from}] td"))
        .await;
    app.find(&format!(
        "[data-testid=tenant-row][data-tenant-id={TENANT}]"
    ))
    .await;
    let said = app
        .client
        .execute(
            DROP_TENANT_ON_STAMP,
            vec![serde_json::json!(TENANT), serde_json::json!(to.as_str())],
        )
        .await
        .unwrap();
    assert_eq!(said, serde_json::json!("dropped"));
    app.find("[data-testid=move-dialog]").await;
    app.find(&format!("[data-testid=move-target][data-stamp={to}]"))
        .await;
    app.press("[data-testid=move-confirm]").await;
    // Visible progress, then done with the time writes were paused.
    app.find("[data-testid=move-progress][data-phase]").await;
    let done = app.find("[data-testid=move-done]").await;
    let said = done.text().await.unwrap();
    assert!(
        said.contains(to.as_str()) && said.contains("paused"),
        "{said}"
    );
    app.screenshot("moved.png").await;

    // The client keeps writing after the cut-over, on the new stamp.
    let wrote_before = acked.lock().unwrap().len();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while acked.lock().unwrap().len() < wrote_before + 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the client stopped writing after the move"
        );
        // A probe of the real condition (more acknowledged writes), bounded by the deadline.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(
        *redirects.lock().unwrap() > 0,
        "the client was never redirected"
    );

    let (stamp, _) = fleet_ops_binding(&fleet, &id).await;
    assert_eq!(stamp, to);
    let routes = fleet.routes().await.unwrap();
    assert!(routes
        .routes
        .iter()
        .any(|r| r.tenant == TENANT && r.stamp == to.as_str()));
    let target = fleet.stamp_client(&to).await.unwrap();
    let token = token_at(&fleet, target.endpoint(), &name, size).await;
    let as_tenant = target.with_token(token);
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 20);
    let mut lost = Vec::new();
    for (key, value) in &acked {
        match as_tenant.kv_get(TENANT, key).await {
            Ok(e) if &e.value == value => {}
            other => lost.push((key.clone(), format!("{other:?}"))),
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes lost: {lost:?}",
        lost.len(),
        acked.len()
    );
    app.stop().await;
}

async fn fleet_ops_binding(fleet: &Fleet, id: &TenantId) -> (StampId, ()) {
    let view = fleet.tenant(id).await.unwrap().unwrap();
    (view.stamp.unwrap(), ())
}
