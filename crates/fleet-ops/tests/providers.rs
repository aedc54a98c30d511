//! The command and http providers: an operator's command (a shell script standing in
//! for terraform) and a provisioning service on loopback, each handing back a real
//! stamp-agent; plus failure, timeout and garbage output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Once};

use axum::routing::{get, post};
use axum::{Json, Router};
use fleet_core::{StampId, StampStatus};
use fleet_ops::{Fleet, HealthState, NewStamp, ProviderConfig};
use serde_json::{json, Value};

use support::Agent;
use testkit as support;

const TOKEN: &str = "provider-made-admin-token-0123456789";

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| std::env::set_var("STAMPFLEET_SECRETS", "file"));
}

/// A stamp-agent started the way an IaC tool would have (outside Stampfleet).
fn external_agent(dir: &Path, id: &str) -> Agent {
    Agent::start(dir, id, "gcp-europe-west3", 500, TOKEN)
}

fn request(id: &str, provider: ProviderConfig) -> NewStamp {
    support::demo::standard_stamp(id, "gcp-europe-west3", Some(500), provider)
}

async fn fleet(dir: &Path) -> Fleet {
    setup();
    let fleet = Fleet::open(&dir.join("c.sqlite")).await.unwrap();
    fleet.create_demo(false).await.unwrap();
    fleet
}

fn sh(script: String, timeout_secs: u64) -> ProviderConfig {
    ProviderConfig::Command {
        program: "sh".into(),
        args: vec!["-c".into(), script],
        timeout_secs,
    }
}

#[tokio::test]
async fn a_command_provider_creates_a_stamp_and_its_output_is_logged_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let agent = external_agent(dir.path(), "cmd-01");
    let fleet = fleet(dir.path()).await;
    let seen = dir.path().join("stdin.json");
    let script = format!(
        "cat > {}; echo planning stamp >&2; echo '{{\"endpoint\": \"{}\", \"adminToken\": \"{TOKEN}\"}}'",
        seen.display(),
        agent.base
    );
    let stamp = fleet
        .provision_stamp(&request("cmd-01", sh(script, 30)), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        (stamp.status, stamp.endpoint.as_deref()),
        (StampStatus::Active, Some(agent.base.as_str()))
    );
    let params: Value = serde_json::from_str(&std::fs::read_to_string(&seen).unwrap()).unwrap();
    assert_eq!(
        params,
        json!({"action": "provision", "stampId": "cmd-01", "region": "gcp-europe-west3", "templateName": "standard", "templateVersion": "1.4.0", "capacityUnits": 500})
    );
    assert_eq!(
        fleet.check_health(&stamp.id).await.unwrap().state,
        HealthState::Healthy
    );

    let ops = fleet.operations(5).await.unwrap();
    let op = ops.iter().find(|o| o.subject == "cmd-01").unwrap();
    assert_eq!(op.state, catalogue::OperationState::Succeeded);
    assert!(
        op.detail.contains("planning stamp"),
        "the provider's output is kept: {}",
        op.detail
    );
    assert!(
        op.detail.contains("***"),
        "the token is redacted: {}",
        op.detail
    );
    let journal: Vec<_> = ops.iter().map(|o| o.detail.clone()).collect();
    assert!(journal.iter().all(|d| !d.contains(TOKEN)), "{journal:?}");
}

#[tokio::test]
async fn command_provider_failures_end_failed_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = fleet(dir.path()).await;
    let cases = [
        ("bad-01", sh("cat >/dev/null; echo 'Error: quota exceeded in region' >&2; exit 3".into(), 30), "quota exceeded in region"),
        ("bad-02", sh("cat >/dev/null; echo not json".into(), 30), "printed no valid answer"),
        ("bad-03", sh("cat >/dev/null; echo '{\"endpoint\": \"ftp://x\", \"adminToken\": \"0123456789abcdef\"}'".into(), 30), "is not an http(s) URL"),
        ("bad-04", sh("cat >/dev/null; exec sleep 30".into(), 1), "did not finish within 1s"),
        ("bad-05", ProviderConfig::Command { program: "/nonexistent/tofu".into(), args: vec![], timeout_secs: 5 }, "/nonexistent/tofu"),
    ];
    for (id, provider, reason) in cases {
        let err = fleet
            .provision_stamp(&request(id, provider), &|_| {})
            .await
            .unwrap_err();
        assert!(err.message.contains(reason), "{id}: {}", err.message);
        let detail = fleet
            .stamp_detail(&StampId::new(id).unwrap())
            .await
            .unwrap();
        assert_eq!(detail.stamp.stamp.status, StampStatus::Failed, "{id}");
        assert!(detail.failure.unwrap_or_default().contains(reason), "{id}");
    }
}

#[tokio::test]
async fn an_http_provider_is_polled_until_the_stamp_exists() {
    let dir = tempfile::tempdir().unwrap();
    let agent = external_agent(dir.path(), "http-01");
    let fleet = fleet(dir.path()).await;
    let polls = Arc::new(AtomicU32::new(0));
    let (endpoint, counter) = (agent.base.clone(), polls.clone());
    let service = Router::new()
        .route("/provision", post(|Json(body): Json<Value>| async move {
            assert_eq!((&body["action"], &body["stampId"]), (&json!("provision"), &json!("http-01")));
            (axum::http::StatusCode::ACCEPTED, Json(json!({ "operation": "/operations/7" })))
        }))
        .route("/operations/7", get(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let endpoint = endpoint.clone();
            async move {
                if n < 2 {
                    Json(json!({ "state": "running" }))
                } else {
                    Json(json!({ "state": "succeeded", "endpoint": endpoint, "adminToken": TOKEN }))
                }
            }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/provision", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, service).await });

    let provider = ProviderConfig::Http {
        url,
        timeout_secs: 30,
    };
    let stamp = fleet
        .provision_stamp(&request("http-01", provider), &|_| {})
        .await
        .unwrap();
    assert_eq!(stamp.status, StampStatus::Active);
    assert_eq!(polls.load(Ordering::SeqCst), 3);
    assert_eq!(
        fleet.check_health(&stamp.id).await.unwrap().state,
        HealthState::Healthy
    );
}
