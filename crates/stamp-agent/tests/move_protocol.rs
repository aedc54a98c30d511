//! The move protocol on real agents, step by step: who may read a tenant's data, the
//! kept digest against a full recount, freeze and fence as a client sees them, and a
//! target pulling a tenant (snapshot, change log, a move back, a log that no longer
//! reaches back).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use stamp_client::{ClientError, ClientOptions, StampClient};
use stamp_protocol::{ProvisionTenant, TenantState};
use support::wire::get_json;
use support::{import_acme_from, sync_until_caught_up, Agent};

const ADMIN_A: &str = "admin-token-of-stamp-a";
const ADMIN_B: &str = "admin-token-of-stamp-b";

fn client(agent: &Agent, token: &str) -> StampClient {
    let options = ClientOptions {
        attempts: 1,
        ..ClientOptions::default()
    };
    StampClient::new(&agent.base, token.to_owned(), options).unwrap()
}

/// Stamp `a`, with a client holding its admin token.
fn stamp_a(dir: &std::path::Path) -> (Agent, StampClient) {
    let a = Agent::start(dir, "a", "azure-westeurope", 100, ADMIN_A);
    let admin_a = client(&a, ADMIN_A);
    (a, admin_a)
}

/// Two stamps, `a` and `b`, each with a client holding its admin token.
fn two_stamps(dir: &std::path::Path) -> ((Agent, StampClient), (Agent, StampClient)) {
    let a = stamp_a(dir);
    let b = Agent::start(dir, "b", "aws-eu-central-1", 100, ADMIN_B);
    let admin_b = client(&b, ADMIN_B);
    (a, (b, admin_b))
}

/// Provisions `tenant` on the agent and returns a client holding its token.
async fn tenant_on(admin: &StampClient, tenant: &str) -> StampClient {
    let request = ProvisionTenant {
        display_name: format!("{tenant} Ltd"),
        size_units: 10,
    };
    let p = admin
        .provision_tenant(tenant, &request, &format!("p-{tenant}"))
        .await
        .unwrap();
    admin.with_token(p.tenant_token)
}

#[tokio::test]
async fn only_the_admin_or_that_tenants_transfer_token_reads_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, admin) = stamp_a(dir.path());
    let acme = tenant_on(&admin, "acme").await;
    tenant_on(&admin, "globex").await;
    acme.kv_put("acme", "k", "v", "w1").await.unwrap();

    let grant = admin.transfer_grant("acme").await.unwrap();
    assert!(grant.token.starts_with("x.acme."));
    let reader = admin.with_token(grant.token.clone());
    assert_eq!(
        reader.export_page("acme", "").await.unwrap().entries.len(),
        1
    );
    assert_eq!(reader.changes("acme", 0).await.unwrap().last_seq, 1);
    assert!(matches!(
        reader.export_page("globex", "").await,
        Err(ClientError::Forbidden { .. })
    ));
    // The transfer token is not an admin token, nor tenant traffic.
    assert!(matches!(
        reader.tenants().await,
        Err(ClientError::Forbidden { .. })
    ));
    assert!(matches!(
        reader.kv_get("acme", "k").await,
        Err(ClientError::Forbidden { .. })
    ));
    // A tenant token does not read the export; no token is 401.
    assert!(matches!(
        acme.export_page("acme", "").await,
        Err(ClientError::Forbidden { .. })
    ));
    assert!(matches!(
        admin
            .with_token(String::new())
            .export_page("acme", "")
            .await,
        Err(ClientError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn the_kept_digest_equals_a_full_recount_after_writes_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, admin) = stamp_a(dir.path());
    let acme = tenant_on(&admin, "acme").await;
    let http = reqwest::Client::new();
    let full = || async {
        let url = a.url("/v1/tenants/acme/checksum?full=true");
        let recount = get_json(&http, &url, ADMIN_A).await;
        serde_json::from_value::<stamp_protocol::TenantChecksum>(recount).unwrap()
    };
    let mut x = 7u64;
    for i in 0..120 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let key = format!("k{}", (x >> 33) % 15);
        if (x >> 20).is_multiple_of(4) {
            let _ = acme.kv_delete("acme", &key, &format!("d{i}")).await;
        } else {
            acme.kv_put("acme", &key, &format!("value {i}"), &format!("p{i}"))
                .await
                .unwrap();
        }
        if i % 40 == 39 {
            let kept = admin.checksum("acme").await.unwrap();
            assert_eq!(kept, full().await, "after {} changes", i + 1);
        }
    }
    let kept = admin.checksum("acme").await.unwrap();
    assert!(kept.keys > 0 && kept.keys <= 15);
    let mut empty = tenant_on(&admin, "empty").await;
    empty = empty.with_token(ADMIN_A.to_owned());
    assert_ne!(empty.checksum("empty").await.unwrap().digest, kept.digest);
}

#[tokio::test]
async fn frozen_refuses_writes_with_retry_and_fenced_redirects_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (a, admin) = stamp_a(dir.path());
    let acme = tenant_on(&admin, "acme").await;
    acme.kv_put("acme", "k", "v1", "w1").await.unwrap();
    admin.tenant_step("acme", "freeze", "f1").await.unwrap();

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let put = |value: &'static str, key: &'static str| {
        http.put(a.url("/v1/tenants/acme/kv/k"))
            .bearer_auth(acme.token())
            .header("idempotency-key", key)
            .json(&serde_json::json!({ "value": value }))
            .send()
    };
    let refused = put("v2", "w2").await.unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    // Reads still work while frozen; the write did not land.
    assert_eq!(acme.kv_get("acme", "k").await.unwrap().value, "v1");
    // The replay of an acknowledged write still answers as before.
    assert_eq!(
        acme.kv_put("acme", "k", "v1", "w1").await.unwrap().value,
        "v1"
    );

    admin
        .fence("acme", "http://127.0.0.1:9/", "fence-1")
        .await
        .unwrap();
    for response in [
        put("v3", "w3").await.unwrap(),
        http.get(a.url("/v1/tenants/acme/kv/k"))
            .bearer_auth(acme.token())
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(response.status(), 307);
        assert_eq!(
            response.headers()["location"],
            "http://127.0.0.1:9/v1/tenants/acme/kv/k"
        );
    }
    // Past the fence there is no way back here.
    assert!(matches!(
        admin.tenant_step("acme", "unfreeze", "u1").await,
        Err(ClientError::Conflict { .. })
    ));
    let listed = admin.tenants().await.unwrap();
    assert_eq!(listed[0].state, TenantState::Fenced);
}

#[tokio::test]
async fn a_target_pulls_snapshot_and_changes_and_a_move_back_takes_only_the_news() {
    let dir = tempfile::tempdir().unwrap();
    let ((a, admin_a), (b, admin_b)) = two_stamps(dir.path());
    let acme = tenant_on(&admin_a, "acme").await;
    // Enough keys for several snapshot pages, some overwritten, some deleted.
    for i in 0..4500 {
        acme.kv_put(
            "acme",
            &format!("key-{i:05}"),
            &format!("v{i}"),
            &format!("w{i}"),
        )
        .await
        .unwrap();
    }
    acme.kv_delete("acme", "key-00007", "d7").await.unwrap();
    let request = import_acme_from(&a, &admin_a).await;
    let first = admin_b
        .import_sync("acme", &request, "s-first")
        .await
        .unwrap();
    assert!(first.copied_keys > 0);
    // Writes during the copy are caught up from the log.
    acme.kv_put("acme", "key-00001", "changed", "w-late")
        .await
        .unwrap();
    sync_until_caught_up(&admin_b, "acme", &request, "s").await;
    assert_eq!(
        admin_a.checksum("acme").await.unwrap().digest,
        admin_b.checksum("acme").await.unwrap().digest
    );
    // Not served on the target until activated.
    let on_b = admin_b.with_token(first.tenant_token.clone());
    assert!(matches!(
        on_b.kv_get("acme", "key-00001").await,
        Err(ClientError::Unavailable { .. }) | Err(ClientError::Rejected { status: 503, .. })
    ));

    // Cut over by hand: freeze, catch up, fence, activate (with the source's proof).
    admin_a.freeze("acme", 60, "f").await.unwrap();
    let last = sync_until_caught_up(&admin_b, "acme", &request, "s").await;
    assert!(last.source_frozen);
    let proof = stamp_protocol::ActivateProof {
        source: a.base.clone(),
        transfer_token: request.transfer_token.clone(),
    };
    // Not before the source fenced the tenant: that would give it two homes.
    let early = admin_b.activate("acme", &proof, "act-early").await;
    assert!(
        matches!(&early, Err(ClientError::Conflict { message, .. }) if message.contains("has not fenced")),
        "{early:?}"
    );
    admin_a.fence("acme", &b.base, "fence").await.unwrap();
    admin_b.activate("acme", &proof, "act").await.unwrap();
    assert_eq!(
        on_b.kv_get("acme", "key-00001").await.unwrap().value,
        "changed"
    );
    on_b.kv_put("acme", "after-move", "new home", "w-b")
        .await
        .unwrap();

    // Move back: a's fenced copy only needs what happened since it left.
    let back = import_acme_from(&b, &admin_b).await;
    let p = sync_until_caught_up(&admin_a, "acme", &back, "s").await;
    assert_eq!(p.copied_keys, 1, "only the one change made on b");
    assert_eq!(
        admin_a.checksum("acme").await.unwrap(),
        stamp_protocol::TenantChecksum {
            state: TenantState::Importing,
            ..admin_b.checksum("acme").await.unwrap()
        }
    );
}

#[tokio::test]
async fn digests_kept_by_the_old_row_hash_are_computed_again_after_the_upgrade() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let a = Agent::start(dir.path(), "a", "azure-westeurope", 100, ADMIN_A);
    let acme = tenant_on(&client(&a, ADMIN_A), "acme").await;
    for i in 0..10 {
        acme.kv_put("acme", &format!("k{i}"), &format!("v{i}"), &format!("p{i}"))
            .await
            .unwrap();
    }
    let kept = client(&a, ADMIN_A).checksum("acme").await.unwrap();
    assert!(a.terminate().success());

    // As a stamp from before migration 0004 left it: a digest by the old hash.
    let file = Agent::data_file(dir.path(), "a", "stamp.sqlite");
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    for sql in [
        "UPDATE tenants SET digest = 'ffffffffffffffffffffffffffffffff'",
        "DELETE FROM _sqlx_migrations WHERE version = 4",
    ] {
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
    db.close().await.unwrap();

    let a = Agent::start(dir.path(), "a", "azure-westeurope", 100, ADMIN_A);
    let after = client(&a, ADMIN_A).checksum("acme").await.unwrap();
    assert_eq!(after, kept, "computed again from the rows, by the new hash");
    assert!(a.terminate().success());
}

#[tokio::test]
async fn an_export_page_reads_the_same_in_json_and_in_its_binary_form() {
    let dir = tempfile::tempdir().unwrap();
    let a = Agent::start(dir.path(), "a", "azure-westeurope", 100, ADMIN_A);
    let acme = tenant_on(&client(&a, ADMIN_A), "acme").await;
    for (i, value) in ["plain", "quote \" and \\ and\nnewline", "ünïcödé ✓", ""]
        .iter()
        .enumerate()
    {
        acme.kv_put("acme", &format!("k{i}"), value, &format!("p{i}"))
            .await
            .unwrap();
    }
    let http = reqwest::Client::new();
    let get = |accept: &'static str| {
        http.get(a.url("/v1/tenants/acme/export?after="))
            .bearer_auth(ADMIN_A)
            .header("accept", accept)
            .send()
    };
    let json = get("application/json").await.unwrap();
    assert_eq!(json.headers()["content-type"], "application/json");
    let json: stamp_protocol::ExportPage = json.json().await.unwrap();
    let binary = get(stamp_protocol::EXPORT_PAGE_BINARY).await.unwrap();
    assert_eq!(
        binary.headers()["content-type"],
        stamp_protocol::EXPORT_PAGE_BINARY
    );
    let bytes = binary.bytes().await.unwrap();
    assert_eq!(stamp_protocol::decode_export_page(&bytes), Ok(json.clone()));
    assert_eq!(json.entries.len(), 4);
    // The client asks for the binary form and reads the same page.
    assert_eq!(
        client(&a, ADMIN_A).export_page("acme", "").await.unwrap(),
        json
    );
}

/// A freeze is a lease: it ends by itself (the tenant takes writes again), a source
/// whose lease ran out cannot be fenced, and so its target can never activate: the
/// tenant never has two writable homes, even when the orchestrator went away.
#[tokio::test]
async fn an_expired_freeze_never_gives_two_writable_homes() {
    let dir = tempfile::tempdir().unwrap();
    let ((a, admin_a), (b, admin_b)) = two_stamps(dir.path());
    let acme = tenant_on(&admin_a, "acme").await;
    acme.kv_put("acme", "k", "v", "w1").await.unwrap();
    let request = import_acme_from(&a, &admin_a).await;
    sync_until_caught_up(&admin_b, "acme", &request, "s").await;
    admin_a.freeze("acme", 1, "f").await.unwrap();
    assert!(matches!(
        acme.kv_put("acme", "k", "refused", "w2").await,
        Err(ClientError::Unavailable { .. }) | Err(ClientError::Rejected { status: 503, .. })
    ));
    // The orchestrator is gone: nobody renews. Once the lease has run out (asked of
    // the stamp itself, bounded), writes are taken again.
    let mut written = None;
    for attempt in 0..100 {
        match acme
            .kv_put("acme", "k", "after the lease", &format!("w3-{attempt}"))
            .await
        {
            Ok(entry) => {
                written = Some(entry);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
    assert_eq!(
        written.expect("writes resume once the lease ran out").value,
        "after the lease"
    );
    // Too late to fence (the tenant is active again); so the target cannot activate:
    // one writable home.
    let fence = admin_a.fence("acme", &b.base, "fence").await;
    assert!(
        matches!(&fence, Err(ClientError::Conflict { .. })),
        "{fence:?}"
    );
    let proof = stamp_protocol::ActivateProof {
        source: a.base.clone(),
        transfer_token: request.transfer_token.clone(),
    };
    assert!(admin_b.activate("acme", &proof, "act").await.is_err());
    assert_eq!(
        admin_a.checksum("acme").await.unwrap().state,
        TenantState::Active
    );
    assert_eq!(
        admin_b.checksum("acme").await.unwrap().state,
        TenantState::Importing
    );
}

/// A lease that ran out with no write since still cannot be fenced.
#[tokio::test]
async fn a_freeze_whose_lease_ran_out_cannot_be_fenced() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, admin_a) = stamp_a(dir.path());
    tenant_on(&admin_a, "acme").await;
    admin_a.freeze("acme", 1, "f").await.unwrap();
    // Bounded: ask the stamp until its change page says the freeze is over.
    let grant = admin_a.transfer_grant("acme").await.unwrap();
    let reader = admin_a.with_token(grant.token);
    let mut over = false;
    for _ in 0..100 {
        if reader.changes("acme", 0).await.unwrap().state == Some(TenantState::Active) {
            over = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(over, "the lease ended by itself");
    let fence = admin_a.fence("acme", "http://127.0.0.1:9", "fence").await;
    assert!(
        matches!(&fence, Err(ClientError::Conflict { message, .. }) if message.contains("lease ran out")),
        "{fence:?}"
    );
}
