//! The tenant the move fault suites move back and forth, and a client writing to it
//! that records every acknowledged write.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fleet_core::StampId;
use fleet_ops::Fleet;
use stamp_protocol::{ProvisionTenant, TenantState};

use crate::demo::{onboard_onto, small_tenant};

pub const TENANT: &str = "mover";

/// What the writer saw acknowledged: key -> value, and the stamp sequence of each ack in
/// the order they came.
#[derive(Default)]
pub struct Acks {
    pub values: HashMap<String, String>,
    pub seqs: Vec<u64>,
    pub redirects: u32,
}

/// Writes `w0`, `w1`, ... one at a time until stopped; follows 307 to the new home
/// (with the tenant's token there), retries 503 and connection failures. Every 50th
/// value is 68 KiB, so the stamp keeps it in a value file (64 KiB and more): the moves
/// carry both kinds.
pub async fn writer(fleet: Fleet, stop: Arc<AtomicBool>, acks: Arc<Mutex<Acks>>, home: String) {
    let size = |i: u64| if i % 50 == 49 { 68 * 1024 } else { 0 };
    write_until_stopped(fleet, stop, acks, home, ("w", size)).await;
}

/// `writer` with keys named `<prefix><i>` and every value padded to `size` bytes:
/// several of them write to one tenant at once.
pub async fn writer_sized(
    fleet: Fleet,
    stop: Arc<AtomicBool>,
    acks: Arc<Mutex<Acks>>,
    home: String,
    (prefix, size): (&str, usize),
) {
    write_until_stopped(fleet, stop, acks, home, (prefix, move |_| size)).await;
}

/// Writes `<prefix><i>` with values padded to `size(i)` bytes (0: short values).
async fn write_until_stopped(
    fleet: Fleet,
    stop: Arc<AtomicBool>,
    acks: Arc<Mutex<Acks>>,
    mut home: String,
    (prefix, size): (&str, impl Fn(u64) -> usize),
) {
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
        let key = format!("{prefix}{i}");
        let mut value = format!("v{i}");
        let size = size(i);
        if value.len() < size {
            value.push_str(&"x".repeat(size - value.len()));
        }
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
                // An answer cut after its status line is no acknowledgement: write again.
                let Ok(entry) = response.json::<stamp_protocol::KvEntry>().await else {
                    continue;
                };
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
pub async fn tenant_token(fleet: &Fleet, endpoint: &str) -> Option<String> {
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

/// Where the tenant's data is, by stamp: its state on each of the two stamps.
pub async fn states(fleet: &Fleet, stamps: &[StampId]) -> Vec<Option<TenantState>> {
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
pub async fn onboard_mover(fleet: &Fleet) -> (StampId, StampId) {
    let a = StampId::new("weu-02").unwrap();
    let b = StampId::new("use-01").unwrap();
    onboard_onto(fleet, small_tenant(TENANT, "Mover Ltd"), &a).await;
    (a, b)
}

/// Where the tenant lives now, by the routing table.
pub async fn home_of(fleet: &Fleet) -> StampId {
    let routes = fleet.routes().await.unwrap();
    let route = routes
        .routes
        .into_iter()
        .find(|r| r.tenant == TENANT)
        .unwrap();
    StampId::new(route.stamp).unwrap()
}

/// The `stampctl` arguments that move the tenant to `to` (the pair's stamps are in two
/// regions).
pub fn move_args(to: &StampId) -> [&str; 6] {
    [
        "tenant",
        "move",
        TENANT,
        "--to",
        to.as_str(),
        "--across-regions",
    ]
}

/// The one of the two stamps (`a`, `b`) that is not `home`.
pub fn other_than(home: &StampId, (a, b): (&StampId, &StampId)) -> StampId {
    if home == a {
        b.clone()
    } else {
        a.clone()
    }
}

/// Asserts that none of the last `last` moves is still running; `context` names the run.
pub async fn assert_no_move_running(fleet: &Fleet, last: u32, context: &str) {
    let moves = fleet.moves(last).await.unwrap();
    assert!(
        moves
            .iter()
            .all(|m| m.state != catalogue::OperationState::Running),
        "{context}: {moves:?}"
    );
}

/// How many acknowledged writes the tenant's client does not read back with their value.
pub async fn lost_writes(as_tenant: &stamp_client::StampClient, acks: &Acks) -> usize {
    let mut lost = 0;
    for (k, v) in &acks.values {
        match as_tenant.kv_get(TENANT, k).await {
            Ok(e) if &e.value == v => {}
            _ => lost += 1,
        }
    }
    lost
}

/// Asserts that the tenant is active on `home` and, on the other stamp of the pair,
/// absent or fenced: exactly one stamp serves it.
pub async fn assert_only_home_serves(
    fleet: &Fleet,
    home: &StampId,
    pair: (&StampId, &StampId),
    context: &str,
) {
    let st = states(fleet, &[home.clone(), other_than(home, pair)]).await;
    assert_eq!(st[0], Some(TenantState::Active), "{context}: home state");
    assert!(
        matches!(st[1], None | Some(TenantState::Fenced)),
        "{context}: the other stamp is {:?}",
        st[1]
    );
}
