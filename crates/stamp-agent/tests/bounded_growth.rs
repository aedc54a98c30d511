//! A busy stamp's file stops growing: the change log is trimmed behind its length cap
//! (older cursors then get 410 and take a snapshot), except what a move in progress
//! pinned with its transfer grant; idempotency keys are capped per caller, and a
//! key/value answer is kept without its value (a replay still answers it whole).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use reqwest::{Client, StatusCode};
use serde_json::Value;
use support::wire::{get_json, provisioned_token, put_value};
use support::Agent;

const ADMIN: &str = "admin-token-for-growth-0123456789";

async fn rows(agent_dir: &std::path::Path, sql: &str) -> i64 {
    use sqlx::Connection;
    let db = Agent::data_file(agent_dir, "weu-01", "stamp.sqlite");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut conn).await.unwrap();
    n
}

#[tokio::test]
async fn the_log_and_the_idempotency_table_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let caps = [
        "--change-log-entries",
        "300",
        "--idempotency-keys-per-caller",
        "300",
    ];
    let agent = Agent::start_with(dir.path(), "weu-01", "azure-westeurope", 1000, ADMIN, &caps);
    let http = Client::new();
    let alpha = agent.url("/v1/tenants/alpha");
    let token = provisioned_token(&http, &alpha, ADMIN, "p", ("Alpha", 1)).await;
    let put = |n: u32| {
        let kv = format!("{alpha}/kv/k{}", n % 100);
        let (key, value) = (format!("w{n}"), format!("value {n}"));
        let (http, token) = (&http, &token);
        async move { put_value(http, &kv, token, &key, &value).await }
    };
    let first = put(0).await.text().await.unwrap();
    for n in 1..1800 {
        assert_eq!(put(n).await.status(), StatusCode::OK, "write {n}");
    }
    // A recent replay answers the first answer whole, value included.
    let again = put(1799).await;
    let replayed: Value = again.json().await.unwrap();
    assert_eq!(replayed["value"], "value 1799");
    assert_eq!(replayed["key"], "k99");
    assert!(first.contains("\"value\":\"value 0\""), "{first}");

    let log = rows(dir.path(), "SELECT COUNT(*) FROM changes").await;
    assert!((300..=300 + 256).contains(&log), "change log rows: {log}");
    let keys = rows(
        dir.path(),
        "SELECT COUNT(*) FROM idempotency WHERE scope = 'tenant:alpha'",
    )
    .await;
    assert!(
        (300..=300 + 256).contains(&keys),
        "idempotency rows: {keys}"
    );
    let biggest = rows(
        dir.path(),
        "SELECT MAX(length(body)) FROM idempotency WHERE scope = 'tenant:alpha'",
    )
    .await;
    assert!(biggest < 40, "kept answers are compact: {biggest} bytes");

    // The log no longer reaches back to the start: such a cursor is told to snapshot.
    let grant = get_json(&http, &agent.url("/v1/tenants/alpha/transfer"), ADMIN).await;
    let transfer = grant["token"].as_str().unwrap();
    let gone = http
        .get(agent.url("/v1/tenants/alpha/changes?after=0"))
        .bearer_auth(transfer)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);

    // While the grant lasts, what it pinned stays: the log grows past its cap.
    let pinned_at = rows(
        dir.path(),
        "SELECT change_seq FROM tenants WHERE id = 'alpha'",
    )
    .await;
    for n in 1800..2600 {
        assert_eq!(put(n).await.status(), StatusCode::OK, "write {n}");
    }
    let after = u64::try_from(pinned_at).unwrap();
    let changes = agent.url(&format!("/v1/tenants/alpha/changes?after={after}"));
    let page = get_json(&http, &changes, transfer).await;
    assert_eq!(
        page["changes"][0]["seq"].as_u64(),
        Some(after + 1),
        "{page}"
    );
}
