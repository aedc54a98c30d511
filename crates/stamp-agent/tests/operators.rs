//! Operators enrolled by name on the real stamp-agent binary: an operator's own token
//! works as the admin's, cannot enroll or revoke anyone, is refused once revoked, and
//! the stamp keeps only its hash, across a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use testkit::Agent;

const ADMIN: &str = "admin-token-for-operator-tests-0123";
const BOB: &str = "o.bob.2f7d0c1e9a8b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d";

fn sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

async fn call(
    http: &Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = http
        .request(method, url)
        .bearer_auth(token)
        .header("Idempotency-Key", format!("k-{}", rand_key()));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A fresh Idempotency-Key for every call.
fn rand_key() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// What a health call with `token` answers.
async fn health_status(http: &Client, agent: &Agent, token: &str) -> StatusCode {
    call(
        http,
        reqwest::Method::GET,
        agent.url("/v1/health"),
        token,
        None,
    )
    .await
    .0
}

/// An operator's enrollment body.
fn enrolling(token: &str) -> Option<Value> {
    Some(json!({ "tokenSha256": sha256(token) }))
}

#[tokio::test]
async fn an_enrolled_operator_calls_as_the_admin_until_revoked_and_the_stamp_keeps_only_a_hash() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let agent = Agent::start(dir.path(), "weu-01", "azure-westeurope", 100, ADMIN);
    let http = Client::new();
    let operator = |name: &str| agent.url(&format!("/v1/operators/{name}"));

    // Not enrolled: bob's token is unknown.
    assert_eq!(
        health_status(&http, &agent, BOB).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, list) = call(&http, Method::PUT, operator("bob"), ADMIN, enrolling(BOB)).await;
    assert_eq!(
        (status, &list["operators"]),
        (StatusCode::OK, &json!(["bob"])),
        "{list}"
    );

    // Bob now calls as the admin: health, provisioning.
    assert_eq!(health_status(&http, &agent, BOB).await, StatusCode::OK);
    let contoso = Some(json!({"displayName": "Contoso", "sizeUnits": 5}));
    let (status, _) = call(
        &http,
        Method::PUT,
        agent.url("/v1/tenants/contoso"),
        BOB,
        contoso,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // ... but cannot let anyone in, or out.
    let (status, body) = call(
        &http,
        Method::PUT,
        operator("mallory"),
        BOB,
        enrolling("o.mallory.x"),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{body}"
    );
    let (status, _) = call(&http, Method::DELETE, operator("bob"), BOB, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token with bob's name and another secret is nobody.
    let forged = format!("{}0", &BOB[..BOB.len() - 1]);
    assert_eq!(
        health_status(&http, &agent, &forged).await,
        StatusCode::UNAUTHORIZED
    );
    // Bad names and hashes are refused by field.
    let (status, body) = call(&http, Method::PUT, operator("Bob"), ADMIN, enrolling(BOB)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let short = Some(json!({"tokenSha256": "abc"}));
    let (status, body) = call(&http, Method::PUT, operator("bob"), ADMIN, short).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("tokenSha256"),
        "{body}"
    );

    // The stamp's files hold the hash, never the token; a restart keeps the enrollment.
    agent.terminate();
    let agent = Agent::start(dir.path(), "weu-01", "azure-westeurope", 100, ADMIN);
    let data = Agent::data_file(dir.path(), "weu-01", "stamp.sqlite");
    for entry in std::fs::read_dir(data.parent().unwrap()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(
            !testkit::holds(&bytes, BOB),
            "the token is in the stamp's files"
        );
    }
    assert_eq!(health_status(&http, &agent, BOB).await, StatusCode::OK);

    // Revoked: refused from now on.
    let url = agent.url("/v1/operators/bob");
    let (status, list) = call(&http, Method::DELETE, url, ADMIN, None).await;
    assert_eq!((status, &list["operators"]), (StatusCode::OK, &json!([])));
    assert_eq!(
        health_status(&http, &agent, BOB).await,
        StatusCode::UNAUTHORIZED
    );
}
