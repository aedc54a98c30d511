//! Template version upgrades on the real stamp-agent binary: the stamp migrates its data,
//! restarts into the new version on the same socket (a writer sending all along sees no
//! failed request, with retries off), keeps the version across a process restart, goes
//! back down the same way, refuses a second target while one runs, and obeys its test
//! faults (a failing migration leaves version and data untouched; an unhealthy version
//! reports itself degraded with its error rate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use stamp_client::{ClientError, ClientOptions, StampClient};
use stamp_protocol::{ProvisionTenant, StampHealthStatus, UpgradePhase, UpgradeStatus};
use testkit::Agent;

const ADMIN: &str = "admin-token-for-upgrade-tests-0123";

/// One attempt per call: a failed request shows, never retried away.
fn client(agent: &Agent, token: &str) -> StampClient {
    let options = ClientOptions {
        attempts: 1,
        ..ClientOptions::default()
    };
    StampClient::new(&agent.base, token.to_owned(), options).unwrap()
}

/// Polls the upgrade until it has finished (bounded: 20 s of 20 ms polls).
async fn finished(admin: &StampClient) -> UpgradeStatus {
    for _ in 0..1000 {
        let status = admin.upgrade_status().await.unwrap();
        if status.phase.finished() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the upgrade did not finish within 20 s");
}

#[tokio::test]
async fn an_upgrade_migrates_restarts_and_fails_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let agent = Agent::start_with(
        dir.path(),
        "up-1",
        "eu-west",
        100,
        ADMIN,
        &["--upgrade-delay-ms", "300"],
    );
    let admin = client(&agent, ADMIN);
    assert_eq!(
        admin.upgrade_status().await.unwrap().phase,
        UpgradePhase::Idle
    );
    let made = admin
        .provision_tenant(
            "acme",
            &ProvisionTenant {
                display_name: "Acme".into(),
                size_units: 2,
            },
            "p-acme",
        )
        .await
        .unwrap();
    let tenant = client(&agent, &made.tenant_token);
    tenant.kv_put("acme", "before", "1", "w-0").await.unwrap();

    // A writer sends one request after another until the upgrade has ended.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (tenant, stop) = (tenant.clone(), stop.clone());
        tokio::spawn(async move {
            let (mut sent, mut failed) = (0u32, Vec::new());
            while !stop.load(std::sync::atomic::Ordering::SeqCst) && sent < 20_000 {
                sent += 1;
                if let Err(e) = tenant
                    .kv_put("acme", "during", &sent.to_string(), &format!("w-{sent}"))
                    .await
                {
                    failed.push(e.to_string());
                }
            }
            (sent, failed)
        })
    };
    let started = admin.start_upgrade("1.5.0", "u-1").await.unwrap();
    assert_eq!(started.phase, UpgradePhase::Migrating);
    assert_eq!(
        (
            started.from_version.as_str(),
            started.target_version.as_str()
        ),
        ("1.4.0", "1.5.0")
    );
    // A second target while this one runs is refused; the same one is this operation.
    match admin.start_upgrade("1.6.0", "u-2").await {
        Err(ClientError::Conflict { message, .. }) => {
            assert!(message.contains("1.5.0"), "{message}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        admin
            .start_upgrade("1.5.0", "u-3")
            .await
            .unwrap()
            .started_at,
        started.started_at
    );
    // One request that waits on the stamp answers once the upgrade has ended.
    let done = admin.upgrade_status_after(20_000).await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (sent, failed) = writer.await.unwrap();
    assert_eq!(done.phase, UpgradePhase::Done, "{}", done.message);
    assert_eq!(done.running_version, "1.5.0");
    assert!(sent > 1, "the writer sent {sent} request(s)");
    assert!(
        failed.is_empty(),
        "{} of {sent} writes failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );
    let health = admin.health().await.unwrap();
    assert_eq!(
        (health.template_version.as_str(), health.status),
        ("1.5.0", StampHealthStatus::Ok)
    );
    assert_eq!(tenant.kv_get("acme", "before").await.unwrap().value, "1");

    // Asked again: nothing to do, whatever the key; the first key replays its answer.
    let again = admin.start_upgrade("1.5.0", "u-4").await.unwrap();
    assert_eq!(
        (again.phase, again.running_version.as_str()),
        (UpgradePhase::Done, "1.5.0")
    );
    assert_eq!(admin.start_upgrade("1.5.0", "u-1").await.unwrap(), started);

    // The version outlives the process: started again with its provisioning flag (1.4.0).
    drop(tenant);
    drop(admin);
    assert!(agent.terminate().success());
    let agent = Agent::start(dir.path(), "up-1", "eu-west", 100, ADMIN);
    let admin = client(&agent, ADMIN);
    assert_eq!(admin.health().await.unwrap().template_version, "1.5.0");

    // And back down.
    admin.start_upgrade("1.4.0", "d-1").await.unwrap();
    let down = finished(&admin).await;
    assert_eq!(
        (down.phase, down.running_version.as_str()),
        (UpgradePhase::Done, "1.4.0")
    );
    assert_eq!(admin.health().await.unwrap().template_version, "1.4.0");
}

#[tokio::test]
async fn a_failing_upgrade_changes_nothing_and_an_unhealthy_version_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let faults = "other:fail-upgrade=1.5.0,up-2:fail-upgrade=1.6.0,unhealthy-after-upgrade=1.5.0";
    let agent = Agent::start_with(
        dir.path(),
        "up-2",
        "eu-west",
        100,
        ADMIN,
        &["--fault", faults],
    );
    let admin = client(&agent, ADMIN);
    let made = admin
        .provision_tenant(
            "acme",
            &ProvisionTenant {
                display_name: "Acme".into(),
                size_units: 2,
            },
            "p-acme",
        )
        .await
        .unwrap();
    let tenant = client(&agent, &made.tenant_token);
    tenant.kv_put("acme", "k", "v", "w-1").await.unwrap();

    admin.start_upgrade("1.6.0", "u-1").await.unwrap();
    let failed = finished(&admin).await;
    assert_eq!(failed.phase, UpgradePhase::Failed);
    assert!(
        failed.message.contains("fail-upgrade=1.6.0"),
        "{}",
        failed.message
    );
    assert_eq!(failed.running_version, "1.4.0");
    let health = admin.health().await.unwrap();
    assert_eq!(
        (health.template_version.as_str(), health.status),
        ("1.4.0", StampHealthStatus::Ok)
    );
    assert_eq!(tenant.kv_get("acme", "k").await.unwrap().value, "v");

    // The fault for another stamp does not apply here: 1.5.0 upgrades, then is unhealthy.
    admin.start_upgrade("1.5.0", "u-2").await.unwrap();
    assert_eq!(finished(&admin).await.phase, UpgradePhase::Done);
    match tenant.kv_get("acme", "k").await {
        Err(ClientError::Rejected {
            status: 500,
            message,
            ..
        })
        | Err(ClientError::Unavailable { message, .. }) => {
            assert!(message.contains("500"), "{message}")
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    let health = admin.health().await.unwrap();
    assert_eq!(health.status, StampHealthStatus::Degraded);
    assert!(health
        .detail
        .unwrap_or_default()
        .contains("unhealthy-after-upgrade=1.5.0"));
    assert!(health.error_rate > 0.99, "error rate {}", health.error_rate);
}

#[test]
fn a_bad_fault_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t"), format!("{ADMIN}\n")).unwrap();
    let out = std::process::Command::new(testkit::agent_program())
        .args([
            "--stamp-id",
            "up-3",
            "--region",
            "r",
            "--template-version",
            "1.4.0",
            "--capacity",
            "1",
        ])
        .arg("--data-dir")
        .arg(dir.path().join("d"))
        .arg("--token-file")
        .arg(dir.path().join("t"))
        .args(["--fault", "explode=1.5.0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown fault \"explode\""), "{err}");
}
