//! The real stamp-agent binary on loopback: health, tenants, key/value traffic,
//! idempotency, the 401/403 matrix, limits, shutdown and restart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const ADMIN: &str = "admin-token-for-tests-0123456789";

use support::wire::{get_json, put_value};
use support::Agent;
use testkit as support;

fn start(dir: &Path, capacity: u32) -> Agent {
    Agent::start(dir, "weu-01", "azure-westeurope", capacity, ADMIN)
}

/// An agent (weu-01) started in its own directory (removed on drop), and an HTTP client.
fn started(capacity: u32) -> (tempfile::TempDir, Agent, Client) {
    let dir = tempfile::tempdir().unwrap();
    let agent = start(dir.path(), capacity);
    (dir, agent, Client::new())
}

async fn provision(
    http: &Client,
    agent: &Agent,
    id: &str,
    size: u32,
    key: &str,
) -> (StatusCode, Value) {
    let url = agent.url(&format!("/v1/tenants/{id}"));
    let display_name = format!("Tenant {id}");
    let r = support::wire::provision(http, &url, ADMIN, key, (&display_name, size)).await;
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Provisions `id` (size 10) and returns its tenant token.
async fn tenant_token(http: &Client, agent: &Agent, id: &str, key: &str) -> String {
    provision(http, agent, id, 10, key).await.1["tenantToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn health_answers_with_the_token_and_401_without() {
    let (_dir, agent, http) = started(1000);
    let ok = get_json(&http, &agent.url("/v1/health"), ADMIN).await;
    assert_eq!(ok["stampId"], "weu-01");
    assert_eq!(ok["region"], "azure-westeurope");
    assert_eq!(ok["status"], "ok");
    assert_eq!(
        (
            ok["capacityUnitsTotal"].as_u64(),
            ok["capacityUnitsUsed"].as_u64()
        ),
        (Some(1000), Some(0))
    );
    for auth in [
        None,
        Some("wrong-token"),
        Some("admin-token-for-tests-012345678"),
    ] {
        let mut req = http.get(agent.url("/v1/health"));
        if let Some(t) = auth {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized");
    }
}

#[tokio::test]
async fn provisioning_is_idempotent_by_key() {
    let (dir, agent, http) = started(100);
    let (first_status, first) = provision(&http, &agent, "contoso", 40, "k1").await;
    assert_eq!(first_status, StatusCode::CREATED);
    assert!(first["tenantToken"]
        .as_str()
        .unwrap()
        .starts_with("t.contoso."));
    assert_eq!(
        provision(&http, &agent, "contoso", 40, "k1").await,
        (StatusCode::CREATED, first.clone())
    );
    let (status, body) = provision(&http, &agent, "contoso", 41, "k1").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        )
    );
    // A new key for the same tenant and size confirms it; another size conflicts.
    assert_eq!(
        provision(&http, &agent, "contoso", 40, "k2").await.0,
        StatusCode::OK
    );
    assert_eq!(
        provision(&http, &agent, "contoso", 50, "k3").await.0,
        StatusCode::CONFLICT
    );
    // Capacity is enforced.
    let (status, body) = provision(&http, &agent, "fabrikam", 61, "k4").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["message"].as_str().unwrap().contains("stamp is full"),
        "{body}"
    );
    // The key is required; ids follow the slug rule.
    let r = http
        .put(agent.url("/v1/tenants/x"))
        .bearer_auth(ADMIN)
        .json(&json!({"displayName": "X", "sizeUnits": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (status, body) = provision(&http, &agent, "Bad_Id", 1, "k5").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("lowercase"),
        "{body}"
    );

    let tenants = get_json(&http, &agent.url("/v1/tenants"), ADMIN).await;
    assert_eq!(tenants.as_array().unwrap().len(), 1);
    assert_eq!(tenants[0]["id"], "contoso");

    // The replayed answer carries the token, but the stamp's files never hold it.
    let token = first["tenantToken"].as_str().unwrap();
    for file in ["stamp.sqlite", "stamp.sqlite-wal"] {
        let bytes = std::fs::read(Agent::data_file(dir.path(), "weu-01", file)).unwrap_or_default();
        assert!(
            !support::holds(&bytes, token),
            "{file} holds a tenant token"
        );
    }
}

#[tokio::test]
async fn tenant_traffic_needs_that_tenants_token() {
    let (_dir, agent, http) = started(100);
    let a = tenant_token(&http, &agent, "alpha", "a").await;
    let b = tenant_token(&http, &agent, "beta", "b").await;
    let put = |token: Option<&str>, tenant: &str, key: &str| {
        let mut req = http
            .put(agent.url(&format!("/v1/tenants/{tenant}/kv/colour")))
            .header("idempotency-key", key)
            .json(&json!({ "value": "blue" }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let matrix = [
        (Some(a.as_str()), "alpha", StatusCode::OK),
        (Some(b.as_str()), "alpha", StatusCode::FORBIDDEN),
        (Some(ADMIN), "alpha", StatusCode::FORBIDDEN),
        (None, "alpha", StatusCode::UNAUTHORIZED),
        (Some("t.alpha.0000"), "alpha", StatusCode::UNAUTHORIZED),
    ];
    for (i, (token, tenant, want)) in matrix.into_iter().enumerate() {
        assert_eq!(
            put(token, tenant, &format!("m{i}")).await.unwrap().status(),
            want,
            "{token:?} on {tenant}"
        );
    }
    // A tenant token on an admin call is forbidden too.
    assert_eq!(
        http.get(agent.url("/v1/tenants"))
            .bearer_auth(&a)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn key_value_writes_carry_a_growing_change_sequence() {
    let (_dir, agent, http) = started(100);
    let token = tenant_token(&http, &agent, "alpha", "p").await;
    let kv = |key: &str| agent.url(&format!("/v1/tenants/alpha/kv/{key}"));
    let mut seqs = Vec::new();
    for (i, key) in ["a", "b", "a"].iter().enumerate() {
        let (idempotency_key, value) = (format!("w{i}"), format!("v{i}"));
        let written = put_value(&http, &kv(key), &token, &idempotency_key, &value).await;
        let entry: Value = written.json().await.unwrap();
        seqs.push(entry["seq"].as_u64().unwrap());
    }
    assert_eq!(seqs, [1, 2, 3]);
    let a = get_json(&http, &kv("a"), &token).await;
    assert_eq!(
        (a["value"].as_str(), a["seq"].as_u64()),
        (Some("v2"), Some(3))
    );
    let del = http
        .delete(kv("b"))
        .bearer_auth(&token)
        .header("idempotency-key", "d1")
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        http.get(kv("b"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let tenants = get_json(&http, &agent.url("/v1/tenants"), ADMIN).await;
    assert_eq!(
        (
            tenants[0]["keys"].as_u64(),
            tenants[0]["changeSeq"].as_u64()
        ),
        (Some(1), Some(4))
    );
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let (_dir, agent, http) = started(100);
    let token = tenant_token(&http, &agent, "alpha", "p").await;
    let big = "x".repeat(stamp_protocol_max() + 1);
    let r = put_value(
        &http,
        &agent.url("/v1/tenants/alpha/kv/big"),
        &token,
        "big",
        &big,
    )
    .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

fn stamp_protocol_max() -> usize {
    1024 * 1024
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let (_dir, agent, _) = started(100);
    let doc: Value = reqwest::get(agent.url("/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/v1/tenants/{id}/kv/{key}"]["put"].is_object());
}

#[tokio::test]
async fn sigterm_stops_cleanly_and_data_survives_a_restart() {
    let (dir, agent, http) = started(100);
    let token = tenant_token(&http, &agent, "alpha", "p").await;
    put_value(
        &http,
        &agent.url("/v1/tenants/alpha/kv/k"),
        &token,
        "w",
        "kept",
    )
    .await;
    assert!(agent.terminate().success());

    let again = start(dir.path(), 100);
    let entry = get_json(&http, &again.url("/v1/tenants/alpha/kv/k"), &token).await;
    assert_eq!(entry["value"], "kept");
}

/// Idempotency keys belong to their caller: a tenant that writes with the key the
/// control plane will send for a step (here "move-2-freeze") takes nothing from the
/// admin, whose step then runs (it was refused with 422 when keys were shared).
#[tokio::test]
async fn a_tenant_cannot_take_the_admins_idempotency_keys() {
    let (_dir, agent, http) = started(1000);
    let token = tenant_token(&http, &agent, "alpha", "p").await;
    let kv = agent.url("/v1/tenants/alpha/kv/k");
    let write = put_value(&http, &kv, &token, "move-2-freeze", "v").await;
    assert_eq!(write.status(), StatusCode::OK);
    let freeze = http
        .post(agent.url("/v1/tenants/alpha/freeze"))
        .bearer_auth(ADMIN)
        .header("idempotency-key", "move-2-freeze")
        .send()
        .await
        .unwrap();
    assert_eq!(freeze.status(), StatusCode::OK, "{:?}", freeze.text().await);
}

/// Who asks is checked before what is asked: a body the server would refuse gets 401
/// without a token (it got 400 with the body's details), and a malformed tenant id on
/// a move read gets 401 too, as does a query or path no handler could read.
#[tokio::test]
async fn calls_are_authenticated_before_their_input_is_read() {
    let (_dir, agent, http) = started(1000);
    provision(&http, &agent, "alpha", 10, "p").await;
    let fence = http
        .post(agent.url("/v1/tenants/alpha/fence"))
        .header("idempotency-key", "f")
        .json(&json!({ "movedTo": "" }))
        .send()
        .await
        .unwrap();
    assert_eq!(fence.status(), StatusCode::UNAUTHORIZED);
    for path in [
        "/v1/tenants/Not%20An%20Id/export",
        "/v1/tenants/Not%20An%20Id/changes?after=0",
        // A query the extractor cannot read, and a path that is not UTF-8.
        "/v1/tenants/alpha/changes?after=minus-one",
        "/v1/tenants/%FF%FE/changes?after=0",
    ] {
        let read = http.get(agent.url(path)).send().await.unwrap();
        assert_eq!(read.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
}

/// The document's rules hold on the server: a request the document calls valid is taken
/// (a whole number written 160.0, a JSON `null` for an optional body), and one it calls
/// invalid is 400 with the field named.
#[tokio::test]
async fn requests_are_held_to_the_documented_rules() {
    let (_dir, agent, http) = started(1000);
    provision(&http, &agent, "alpha", 10, "p").await;
    let send = |method: reqwest::Method, path: &str, key: &str, body: &str| {
        http.request(method, agent.url(path))
            .bearer_auth(ADMIN)
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
    };
    let post = reqwest::Method::POST;
    let put = reqwest::Method::PUT;
    let ok = send(
        post.clone(),
        "/v1/tenants/alpha/freeze",
        "k1",
        r#"{"leaseSecs": 160.0}"#,
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let ok = send(post.clone(), "/v1/tenants/alpha/unfreeze", "k2", "null")
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let ok = send(post.clone(), "/v1/tenants/alpha/freeze", "k3", "null")
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    for (method, path, key, body, field) in [
        (
            put.clone(),
            "/v1/tenants/beta",
            "k4",
            r#"{"displayName": " ", "sizeUnits": 1}"#,
            "displayName",
        ),
        (
            put.clone(),
            "/v1/tenants/beta",
            "k5",
            r#"{"displayName": "B", "sizeUnits": 1000000001}"#,
            "sizeUnits",
        ),
        (
            put.clone(),
            "/v1/tenants/beta",
            "key with spaces",
            r#"{"displayName": "B", "sizeUnits": 1}"#,
            "Idempotency-Key",
        ),
        (
            post.clone(),
            "/v1/tenants/alpha/fence",
            "k6",
            r#"{"movedTo": "http://"}"#,
            "movedTo",
        ),
        (
            post.clone(),
            "/v1/tenants/alpha/activate",
            "k7",
            r#"{"source": "http://127.0.0.1:1", "transferToken": "a b"}"#,
            "transferToken",
        ),
        (
            post.clone(),
            "/v1/tenants/alpha/activate",
            "k8",
            r#"{"source": "http://127.0.0.1:1", "transferToken": "t", "extra": 1}"#,
            "extra",
        ),
    ] {
        let refused = send(method, path, key, body).await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{path} {body}");
        let text = refused.text().await.unwrap();
        assert!(text.contains(field), "{path} {body}: {text}");
    }
}
