//! A tenant's lifecycle on the demo fleet's real agents: suspended (its stamp refuses
//! its own requests, 403 `suspended`, its data kept; it cannot be moved), resumed,
//! offboarded (its keys in the export file, gone from its stamp and the catalogue, the
//! audit keeping where it lived); an offboarding killed after its export finishes when
//! resumed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{StampId, TenantId};
use fleet_ops::ErrorCode;
use stamp_client::{ClientError, ClientOptions, StampClient};
use stamp_protocol::ProvisionTenant;
use testkit::demo::{demo_fleet, onboard_onto, small_tenant};
use testkit::{assert_error, stampctl};

/// Onboards `id` onto weu-01 with `keys` keys written as the tenant; its own client.
async fn tenant_with_keys(fleet: &fleet_ops::Fleet, id: &str, keys: u32) -> StampClient {
    let weu01 = StampId::new("weu-01").unwrap();
    onboard_onto(fleet, small_tenant(id, "Acme"), &weu01).await;
    let admin = fleet.stamp_client(&weu01).await.unwrap();
    // Provisioning again answers the tenant's token.
    let again = ProvisionTenant {
        display_name: "Acme".to_owned(),
        size_units: 5,
    };
    let token = admin
        .provision_tenant(id, &again, &format!("token-{id}"))
        .await
        .unwrap()
        .tenant_token;
    let options = ClientOptions {
        attempts: 1,
        ..ClientOptions::default()
    };
    let tenant = StampClient::new(admin.endpoint(), token, options).unwrap();
    for k in 0..keys {
        tenant
            .kv_put(
                id,
                &format!("k{k}"),
                &format!("value {k}"),
                &format!("w-{id}-{k}"),
            )
            .await
            .unwrap();
    }
    tenant
}

#[tokio::test]
async fn a_tenant_is_suspended_resumed_and_offboarded_with_its_data_exported() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _catalogue, _stop) = demo_fleet(dir.path(), true).await;
    let acme = TenantId::new("acme").unwrap();
    let tenant = tenant_with_keys(&fleet, "acme", 3).await;

    let e = fleet.suspend_tenant(&acme, " ").await.unwrap_err();
    assert_error(&e, ErrorCode::InvalidInput, "say why");
    fleet
        .suspend_tenant(&acme, "invoice 2026-11 unpaid")
        .await
        .unwrap();
    match tenant.kv_get("acme", "k0").await {
        Err(ClientError::Forbidden { message, .. }) => {
            assert!(message.contains("suspended"), "{message}")
        }
        other => panic!("expected 403 suspended, got {other:?}"),
    }
    let listed = fleet.suspended_tenants().await.unwrap();
    assert_eq!(
        (listed[0].tenant.as_str(), listed[0].reason.as_str()),
        ("acme", "invoice 2026-11 unpaid")
    );
    // A suspended tenant is not moved.
    let to = StampId::new("weu-02").unwrap();
    let moving = fleet_ops::MoveTenant {
        tenant: acme.clone(),
        to,
    };
    let e = fleet.move_tenant(&moving, &|_| {}).await.unwrap_err();
    assert!(e.message.contains("suspended"), "{}", e.message);
    fleet.resume_tenant(&acme).await.unwrap();
    assert_eq!(tenant.kv_get("acme", "k0").await.unwrap().value, "value 0");
    assert!(fleet.suspended_tenants().await.unwrap().is_empty());

    let done = fleet.offboard_tenant(&acme, None).await.unwrap();
    assert_eq!(done.keys, 3);
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&done.export_file).unwrap()).unwrap();
    assert_eq!(export["tenant"]["id"], "acme");
    let values: Vec<&str> = export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["value 0", "value 1", "value 2"]);
    assert!(fleet.tenant(&acme).await.unwrap().is_none());
    let weu01 = fleet
        .stamp_client(&StampId::new("weu-01").unwrap())
        .await
        .unwrap();
    assert!(!weu01
        .tenants()
        .await
        .unwrap()
        .iter()
        .any(|t| t.id == "acme"));
    let audit = fleet.audit(30).await.unwrap();
    let row = audit.iter().find(|a| a.action == "offboard").unwrap();
    assert_eq!(row.entity_id, "acme");
    assert!(
        row.before
            .as_deref()
            .unwrap()
            .contains("\"stamp\":\"weu-01\""),
        "{:?}",
        row.before
    );
    let e = fleet.offboard_tenant(&acme, None).await.unwrap_err();
    assert_error(&e, ErrorCode::InvalidInput, "no tenant acme");
}

#[tokio::test]
async fn an_offboarding_killed_after_its_export_finishes_when_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, catalogue, _stop) = demo_fleet(dir.path(), true).await;
    let gone = TenantId::new("gone-soon").unwrap();
    tenant_with_keys(&fleet, "gone-soon", 2).await;
    let file = dir.path().join("gone-soon.json");
    let killed = stampctl(
        &catalogue,
        &[
            "tenant",
            "offboard",
            "gone-soon",
            "--file",
            file.to_str().unwrap(),
        ],
        Some("offboard-exported"),
    );
    assert!(!killed.status.success());
    assert!(file.exists(), "exported before the kill");
    assert!(
        fleet.tenant(&gone).await.unwrap().is_some(),
        "not removed yet"
    );
    let outcomes = fleet.resume_offboardings().await.unwrap();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert!(outcomes[0].contains("offboarded"), "{outcomes:?}");
    assert!(fleet.tenant(&gone).await.unwrap().is_none());
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(export["entries"].as_array().unwrap().len(), 2);
}
