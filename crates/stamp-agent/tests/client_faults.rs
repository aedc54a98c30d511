//! stamp-client against a real agent, and against loopback servers that misbehave on
//! purpose: 5xx, malformed JSON, oversized answers, silence, a killed agent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use stamp_client::{ClientError, ClientOptions, StampClient};
use stamp_protocol::ProvisionTenant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const ADMIN: &str = "admin-token-for-client-tests-42";

fn fast() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(700),
        attempts: 3,
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(20),
    }
}

/// A loopback server answering every request with `answers[min(n, last)]` (raw HTTP),
/// or holding the connection open without a word when the answer is empty.
async fn canned(answers: Vec<String>) -> (String, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicU32::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = seen.fetch_add(1, Ordering::SeqCst) as usize;
            let answer = answers[n.min(answers.len() - 1)].clone();
            let mut buf = vec![0u8; 8192];
            let _ = socket.read(&mut buf).await;
            if answer.is_empty() {
                held.push(socket);
                continue;
            }
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (format!("http://{addr}"), count)
}

fn http(status: &str, body: &str) -> String {
    format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
}

#[tokio::test]
async fn talks_to_a_real_agent() {
    let dir = tempfile::tempdir().unwrap();
    let mut agent = support::Agent::start(dir.path(), "use-01", "aws-us-east-1", 500, ADMIN);
    let base = agent.base.clone();
    let admin = StampClient::new(&base, ADMIN.into(), fast()).unwrap();
    assert_eq!(admin.health().await.unwrap().stamp_id, "use-01");
    let request = ProvisionTenant {
        display_name: "Contoso".into(),
        size_units: 30,
    };
    let made = admin
        .provision_tenant("contoso", &request, "p1")
        .await
        .unwrap();
    let tenant = admin.with_token(made.tenant_token);
    assert_eq!(
        tenant.kv_put("contoso", "k", "v", "w1").await.unwrap().seq,
        1
    );
    assert_eq!(tenant.kv_get("contoso", "k").await.unwrap().value, "v");
    assert!(matches!(
        admin.kv_get("contoso", "k").await,
        Err(ClientError::Forbidden { .. })
    ));
    let stranger = admin.with_token("nope".into());
    assert!(matches!(
        stranger.health().await,
        Err(ClientError::Unauthorized { .. })
    ));
    let conflict = admin
        .provision_tenant(
            "contoso",
            &ProvisionTenant {
                size_units: 31,
                ..request
            },
            "p2",
        )
        .await;
    assert!(
        matches!(conflict, Err(ClientError::Conflict { .. })),
        "{conflict:?}"
    );
    assert!(matches!(
        admin.deprovision_tenant("ghost", "d1").await,
        Err(ClientError::NotFound { .. })
    ));
    assert!(format!("{admin:?}").contains(&base) && !format!("{admin:?}").contains(ADMIN));

    // Killed: the client reports the stamp unavailable after its bounded retries.
    agent.kill();
    match admin.health().await {
        Err(ClientError::Unavailable { attempts: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let health = r#"{"status":"ok","stampId":"s","region":"r","templateVersion":"1.0.0","softwareVersion":"0","capacityUnitsTotal":1,"capacityUnitsUsed":0,"tenantCount":0}"#;
    let (base, count) = canned(vec![
        http("503 Service Unavailable", "{}"),
        http("500 Internal Server Error", "{}"),
        http("200 OK", health),
    ])
    .await;
    let client = StampClient::new(&base, ADMIN.into(), fast()).unwrap();
    assert_eq!(client.health().await.unwrap().stamp_id, "s");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn persistent_server_errors_end_unavailable_after_bounded_attempts() {
    let (base, count) = canned(vec![http("502 Bad Gateway", "{}")]).await;
    let client = StampClient::new(&base, ADMIN.into(), fast()).unwrap();
    let err = client.tenants().await.unwrap_err();
    assert!(
        matches!(err, ClientError::Unavailable { attempts: 3, .. }),
        "{err}"
    );
    assert!(err.is_transient());
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn refusals_are_not_retried() {
    let (base, count) = canned(vec![http(
        "401 Unauthorized",
        r#"{"code":"unauthorized","message":"a valid bearer token is required"}"#,
    )])
    .await;
    let client = StampClient::new(&base, ADMIN.into(), fast()).unwrap();
    let err = client.health().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{base}: unauthorized: a valid bearer token is required")
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn malformed_json_is_a_protocol_error() {
    for body in [
        "{\"status\": \"ok\"",
        "[1,2,3]",
        "<html>hello</html>",
        r#"{"status":"sideways"}"#,
    ] {
        let (base, _) = canned(vec![http("200 OK", body)]).await;
        let client = StampClient::new(&base, ADMIN.into(), fast()).unwrap();
        let err = client.health().await.unwrap_err();
        assert!(matches!(err, ClientError::Protocol { .. }), "{body}: {err}");
        assert!(err.to_string().contains("malformed answer"), "{err}");
    }
}

#[tokio::test]
async fn oversized_answers_are_a_protocol_error() {
    let huge = format!("[{}0]", "0,".repeat(stamp_protocol::MAX_RESPONSE_BYTES / 2));
    let (base, _) = canned(vec![http("200 OK", &huge)]).await;
    let client = StampClient::new(&base, ADMIN.into(), fast()).unwrap();
    let err = client.tenants().await.unwrap_err();
    assert!(
        matches!(err, ClientError::Protocol { .. }) && err.to_string().contains("larger than"),
        "{err}"
    );
}

#[tokio::test]
async fn a_silent_stamp_times_out_and_is_unavailable() {
    let (base, count) = canned(vec![String::new()]).await;
    let client = StampClient::new(&base, ADMIN.into(), fast()).unwrap();
    let err = client.health().await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Unavailable { message, .. } if message == "timed out"),
        "{err}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[test]
fn endpoints_must_be_http_urls() {
    let err = StampClient::new("ftp://x", ADMIN.into(), ClientOptions::default()).unwrap_err();
    assert!(err.to_string().contains("http:// or https://"), "{err}");
}
