//! Suspension on the real agent: a suspended tenant's own requests are 403 `suspended`,
//! its data kept; it cannot be frozen for a move; suspending or resuming twice is fine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stamp_client::{ClientError, ClientOptions, StampClient};
use stamp_protocol::{ProvisionTenant, TenantState};
use testkit::Agent;

const ADMIN: &str = "admin-token-for-suspension-tests-01";

#[tokio::test]
async fn a_suspended_tenant_is_refused_until_resumed_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let agent = Agent::start(dir.path(), "susp-1", "eu-west", 100, ADMIN);
    let options = || ClientOptions {
        attempts: 1,
        ..ClientOptions::default()
    };
    let admin = StampClient::new(&agent.base, ADMIN.to_owned(), options()).unwrap();
    let request = ProvisionTenant {
        display_name: "Acme".into(),
        size_units: 2,
    };
    let made = admin.provision_tenant("acme", &request, "p").await.unwrap();
    let tenant = StampClient::new(&agent.base, made.tenant_token, options()).unwrap();
    tenant.kv_put("acme", "k", "v", "w1").await.unwrap();

    for key in ["s1", "s2"] {
        let t = admin.tenant_step("acme", "suspend", key).await.unwrap();
        assert_eq!(t.state, TenantState::Suspended);
    }
    for attempt in [
        tenant.kv_get("acme", "k").await.map(|_| ()),
        tenant.kv_put("acme", "k", "x", "w2").await.map(|_| ()),
    ] {
        match attempt {
            Err(ClientError::Forbidden { message, .. }) => {
                assert!(message.contains("suspended by its operator"), "{message}")
            }
            other => panic!("expected 403, got {other:?}"),
        }
    }
    match admin.tenant_step("acme", "freeze", "f1").await {
        Err(ClientError::Conflict { message, .. }) => {
            assert!(message.contains("suspended"), "{message}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        admin.tenants().await.unwrap()[0].state,
        TenantState::Suspended
    );
    for key in ["r1", "r2"] {
        assert_eq!(
            admin
                .tenant_step("acme", "resume", key)
                .await
                .unwrap()
                .state,
            TenantState::Active
        );
    }
    assert_eq!(tenant.kv_get("acme", "k").await.unwrap().value, "v");
}
