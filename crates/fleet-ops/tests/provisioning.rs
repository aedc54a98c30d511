//! Provisioning local stamps through fleet-ops, against real stamp-agent processes:
//! provision, kill -9 and restart, resume after an interrupted run, lifecycle rules,
//! and tokens kept out of the catalogue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use std::path::Path;
use std::process::Command;

use fleet_core::{StampId, StampStatus, TemplateVersion};
use fleet_ops::{ErrorCode, Fleet, HealthState, NewStamp};

fn setup() {
    support::use_built_agent();
}

fn new_stamp(id: &str) -> NewStamp {
    support::demo::standard_stamp(id, "azure-westeurope", Some(300), Default::default())
}

async fn demo_fleet(dir: &Path) -> Fleet {
    setup();
    let fleet = Fleet::open(&dir.join("c.sqlite")).await.unwrap();
    fleet.create_demo(false).await.unwrap();
    fleet
}

fn kill_agent(id: &str, signal: &str) {
    Command::new("pkill")
        .args([signal, "-f", &format!("stamp-agent --stamp-id {id} ")])
        .status()
        .unwrap();
}

struct StopAgents(Vec<&'static str>);
impl Drop for StopAgents {
    fn drop(&mut self) {
        for id in &self.0 {
            kill_agent(id, "-TERM");
        }
    }
}

#[tokio::test]
async fn a_new_stamp_runs_a_real_agent_that_turns_healthy() {
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(vec!["prov-01"]);
    let fleet = demo_fleet(dir.path()).await;
    let steps = std::sync::Mutex::new(Vec::new());
    let stamp = fleet
        .provision_stamp(&new_stamp("prov-01"), &|p| {
            steps.lock().unwrap().push((p.step, p.percent))
        })
        .await
        .unwrap();
    assert_eq!(stamp.status, StampStatus::Active);
    assert_eq!(stamp.capacity_units, 300);
    let steps: Vec<(String, u8)> = steps.into_inner().unwrap();
    assert_eq!(
        steps.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        ["recorded", "token", "start-agent", "health", "active"]
    );
    assert!(
        steps.windows(2).all(|w| w[0].1 < w[1].1),
        "progress only grows: {steps:?}"
    );

    let health = fleet.check_health(&stamp.id).await.unwrap();
    assert_eq!(health.state, HealthState::Healthy, "{}", health.describe());
    assert_eq!(health.capacity_used, Some(0));

    // The same id again is a conflict; the catalogue holds no token in clear.
    let again = fleet
        .provision_stamp(&new_stamp("prov-01"), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);
    let token = std::fs::read_to_string(dir.path().join("stamps/prov-01/admin.token")).unwrap();
    let audit = fleet.audit(50).await.unwrap();
    assert!(audit
        .iter()
        .all(|a| !a.after.as_deref().unwrap_or("").contains(&token)));
    fleet.close().await;
    let bytes = std::fs::read(dir.path().join("c.sqlite")).unwrap();
    assert!(
        !support::holds(&bytes, &token),
        "the admin token is in the catalogue"
    );
}

#[tokio::test]
async fn a_killed_agent_is_unreachable_until_restarted_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(vec!["prov-02"]);
    let fleet = demo_fleet(dir.path()).await;
    let stamp = fleet
        .provision_stamp(&new_stamp("prov-02"), &|_| {})
        .await
        .unwrap();
    let client = fleet.stamp_client(&stamp.id).await.unwrap();
    let made = client
        .provision_tenant(
            "keeper",
            &stamp_protocol::ProvisionTenant {
                display_name: "Keeper".into(),
                size_units: 5,
            },
            "k",
        )
        .await
        .unwrap();

    kill_agent("prov-02", "-KILL");
    let down = fleet.check_health(&stamp.id).await.unwrap();
    assert_eq!(down.state, HealthState::Unreachable, "{}", down.describe());

    let started = fleet.start_local_agents().await.unwrap();
    assert_eq!(started, std::slice::from_ref(&stamp.id));
    let up = fleet.check_health(&stamp.id).await.unwrap();
    assert_eq!((up.state, up.tenant_count), (HealthState::Healthy, Some(1)));
    let endpoint = fleet
        .stamp_client(&stamp.id)
        .await
        .unwrap()
        .endpoint()
        .to_owned();
    assert_eq!(
        Some(endpoint.as_str()),
        stamp.endpoint.as_deref(),
        "restarted on the same port"
    );
    let tenant = client.with_token(made.tenant_token);
    tenant.kv_put("keeper", "k", "v", "w").await.unwrap();
}

#[tokio::test]
async fn an_interrupted_provisioning_ends_active_or_failed_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(vec!["half-01"]);
    setup();
    let path = dir.path().join("c.sqlite");
    {
        // A run killed right after recording the stamp: the journal says "running".
        let fleet = Fleet::open(&path).await.unwrap();
        fleet.create_demo(false).await.unwrap();
        fleet.close().await;
        let catalogue = catalogue::Catalogue::open(&path).await.unwrap();
        let doc = catalogue.document().await.unwrap();
        for (id, status) in [
            ("half-01", StampStatus::Provisioning),
            ("half-02", StampStatus::Provisioning),
        ] {
            let stamp = fleet_core::Stamp {
                id: StampId::new(id).unwrap(),
                status,
                endpoint: None,
                ..doc.stamps[0].clone()
            };
            catalogue
                .insert_stamp_with_operation(
                    &stamp,
                    catalogue::OperationKind::ProvisionStamp,
                    r#"{"kind":"local"}"#,
                    "test",
                    None,
                )
                .await
                .unwrap();
        }
        catalogue.close().await;
        // half-02 cannot get a data directory: a plain file stands where it would go.
        std::fs::create_dir_all(dir.path().join("stamps")).unwrap();
        std::fs::write(dir.path().join("stamps/half-02"), "in the way").unwrap();
    }
    let fleet = Fleet::open(&path).await.unwrap();
    assert_eq!(fleet.resume_operations().await.unwrap(), 2);
    let detail = fleet
        .stamp_detail(&StampId::new("half-01").unwrap())
        .await
        .unwrap();
    assert_eq!(
        (detail.stamp.stamp.status, detail.health.state),
        (StampStatus::Active, HealthState::Healthy)
    );
    let failed = fleet
        .stamp_detail(&StampId::new("half-02").unwrap())
        .await
        .unwrap();
    assert_eq!(failed.stamp.stamp.status, StampStatus::Failed);
    assert!(
        failed.failure.as_deref().unwrap_or("").contains("half-02"),
        "{:?}",
        failed.failure
    );
    assert_eq!(
        fleet.resume_operations().await.unwrap(),
        0,
        "nothing is left running"
    );
}

#[tokio::test]
async fn lifecycle_rules_hold() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = demo_fleet(dir.path()).await;
    let syd = StampId::new("syd-01").unwrap();
    let err = fleet
        .set_stamp_status(&syd, StampStatus::Retired)
        .await
        .unwrap_err();
    assert!(
        err.message.contains("cannot go from active to retired"),
        "{}",
        err.message
    );
    fleet
        .set_stamp_status(&syd, StampStatus::Draining)
        .await
        .unwrap();
    let err = fleet
        .set_stamp_status(&syd, StampStatus::Retired)
        .await
        .unwrap_err();
    support::assert_error(&err, ErrorCode::Conflict, "still holds 10 tenant(s)");
    let unknown = fleet
        .provision_stamp(
            &NewStamp {
                template_version: TemplateVersion::new("9.0.0").unwrap(),
                ..new_stamp("x-01")
            },
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(
        unknown
            .message
            .contains("no template standard@9.0.0; known: dedicated@2.1.0"),
        "{}",
        unknown.message
    );
}
