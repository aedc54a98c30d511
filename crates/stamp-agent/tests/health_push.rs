//! Health pushed by the real agent on loopback: `GET /v1/health` names its answer with an
//! `ETag`; asked with that tag and `Prefer: wait=N`, the agent answers when its health
//! changes (a tenant provisioned meanwhile), or with 304 after the wait.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use reqwest::StatusCode;
use stamp_client::{ClientOptions, HealthChange, StampClient};
use stamp_protocol::ProvisionTenant;
use testkit as support;

const ADMIN: &str = "admin-token-for-push-tests-0123456789";

fn started() -> (tempfile::TempDir, support::Agent, StampClient) {
    let dir = tempfile::tempdir().unwrap();
    let agent = support::Agent::start(dir.path(), "weu-01", "azure-westeurope", 1000, ADMIN);
    let client = StampClient::new(&agent.base, ADMIN.to_owned(), ClientOptions::default()).unwrap();
    (dir, agent, client)
}

async fn first(client: &StampClient) -> (stamp_protocol::Health, String) {
    match client.health_tagged().await.unwrap() {
        (health, Some(tag)) => (health, tag),
        (_, None) => panic!("expected a tagged answer"),
    }
}

#[tokio::test]
async fn a_held_question_is_answered_when_a_tenant_arrives() {
    let (_dir, _agent, client) = started();
    let (before, tag) = first(&client).await;
    assert_eq!(before.tenant_count, 0);
    // The question waits (up to 20 s); the tenant arrives meanwhile, over another call.
    let asking = {
        let (client, tag) = (client.clone(), tag.clone());
        tokio::spawn(async move {
            client
                .health_change(Some(&tag), Duration::from_secs(20))
                .await
        })
    };
    let request = ProvisionTenant {
        display_name: "Contoso".into(),
        size_units: 10,
    };
    client
        .provision_tenant("contoso", &request, "p1")
        .await
        .unwrap();
    match asking.await.unwrap().unwrap() {
        HealthChange::Changed {
            health,
            tag: Some(next),
        } => {
            assert_eq!((health.tenant_count, health.capacity_units_used), (1, 10));
            assert_ne!(next, tag);
        }
        other => panic!("the change was not pushed: {other:?}"),
    }
}

#[tokio::test]
async fn an_unchanged_stamp_answers_304_after_the_wait_and_a_stale_tag_at_once() {
    let (_dir, agent, client) = started();
    let (_, tag) = first(&client).await;
    assert_eq!(
        client
            .health_change(Some(&tag), Duration::from_secs(1))
            .await
            .unwrap(),
        HealthChange::Unchanged
    );
    // On the wire: 304 with the same tag.
    let raw = reqwest::Client::new()
        .get(agent.url("/v1/health"))
        .bearer_auth(ADMIN)
        .header("if-none-match", &tag)
        .header("prefer", "wait=0")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(raw.headers()["etag"].to_str().unwrap(), tag);
    // A tag the stamp's health no longer has is answered at once, whatever the wait.
    let stale = "\"h0000000000000000\"";
    let answer = client
        .health_change(Some(stale), Duration::from_secs(30))
        .await
        .unwrap();
    assert!(
        matches!(answer, HealthChange::Changed { tag: Some(ref t), .. } if *t == tag),
        "{answer:?}"
    );
}

#[tokio::test]
async fn a_held_question_does_not_hold_up_a_shutdown() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_dir, agent, client) = started();
    let (_, tag) = first(&client).await;
    // The question, written whole on its own connection...
    let address = agent.base.trim_start_matches("http://").to_owned();
    let mut question = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "GET /v1/health HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {ADMIN}\r\n\
         if-none-match: {tag}\r\nprefer: wait=30\r\n\r\n"
    );
    question.write_all(request.as_bytes()).await.unwrap();
    // ...and another call answered after it, so the agent holds the question by now.
    first(&client).await;
    let stopped = tokio::task::spawn_blocking(move || agent.terminate());
    // Graceful shutdown waits for requests in flight: without the agent ending the
    // question it would exit only after the 30 s wait; the bound here is half that.
    let status = tokio::time::timeout(Duration::from_secs(15), stopped)
        .await
        .expect("the agent waited out the held question")
        .unwrap();
    assert!(status.success());
    let mut answer = String::new();
    question.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 304"), "{answer}");
}

#[tokio::test]
async fn a_question_held_across_an_upgrade_learns_the_new_version() {
    let (_dir, _agent, client) = started();
    let (before, tag) = first(&client).await;
    assert_ne!(before.template_version, "2.0.0");
    let asking = {
        let (client, tag) = (client.clone(), tag.clone());
        tokio::spawn(async move {
            client
                .health_change(Some(&tag), Duration::from_secs(30))
                .await
        })
    };
    client.start_upgrade("2.0.0", "up-1").await.unwrap();
    let done = client.upgrade_status_after(20_000).await.unwrap();
    assert_eq!(done.running_version, "2.0.0");
    // The restart into 2.0.0 ends the old round's question (else it would hold for 30 s
    // answering as 1.x: the bound here is half that); the next one hears 2.0.0.
    let held = tokio::time::timeout(Duration::from_secs(15), asking)
        .await
        .expect("the question outlived its round")
        .unwrap()
        .unwrap();
    let latest = match held {
        HealthChange::Unchanged => client
            .health_change(Some(&tag), Duration::from_secs(30))
            .await
            .unwrap(),
        changed => changed,
    };
    assert!(
        matches!(&latest, HealthChange::Changed { health, .. } if health.template_version == "2.0.0"),
        "{latest:?}"
    );
}
