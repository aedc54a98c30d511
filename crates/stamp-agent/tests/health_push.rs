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
    match client.health_change(None, Duration::ZERO).await.unwrap() {
        HealthChange::Changed {
            health,
            tag: Some(tag),
        } => (health, tag),
        other => panic!("expected a tagged answer, got {other:?}"),
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
