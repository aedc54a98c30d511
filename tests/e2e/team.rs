//! Two operators' windows on one team catalogue (a real PostgreSQL server the test
//! starts, the demo fleet's real agents): placements stopped on a stamp in one window
//! show in the other without a reload, and back again; a tenant moved in one shows
//! moved in the other; both say whose catalogue it is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::{OsStr, OsString};

use fleet_core::{StampId, TenantId, TenantQuery};
use fleet_ops::Fleet;
use stampfleet_e2e::{app_binary, workspace_root, AppSession};

/// The environment as `AppSession::launch` takes it.
fn refs<'a>(env: &'a [(&'static str, OsString)]) -> Vec<(&'static str, &'a OsStr)> {
    env.iter().map(|(k, v)| (*k, v.as_os_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_in_one_window_shows_in_the_other() {
    std::env::set_var("STAMPFLEET_SECRETS", "file");
    let agent = workspace_root().join("target/debug/stamp-agent");
    std::env::set_var("STAMPFLEET_AGENT", &agent);
    let url = test_postgres::shared().new_database().unwrap();
    let data = tempfile::tempdir().unwrap();
    let fleet = Fleet::open_with_data_dir(std::path::Path::new(&url), Some(data.path()))
        .await
        .unwrap();
    fleet.create_demo(true).await.unwrap();
    let home = fleet.home().to_owned();

    // Each window: the team catalogue's URL, its own log, this machine's data directory.
    let env_of = |log: &str| -> Vec<(&'static str, OsString)> {
        vec![
            ("STAMPFLEET_CATALOGUE", url.clone().into()),
            ("STAMPFLEET_LOG_DIR", data.path().join(log).into_os_string()),
            ("STAMPFLEET_AGENT", agent.clone().into_os_string()),
            ("STAMPFLEET_SECRETS", "file".into()),
            ("STAMPFLEET_DATA_DIR", data.path().as_os_str().to_owned()),
            ("STAMPFLEET_CONFIG_DIR", data.path().as_os_str().to_owned()),
        ]
    };
    let (env_a, env_b) = (env_of("logs-a"), env_of("logs-b"));
    let a = AppSession::launch(&app_binary(), &home, &refs(&env_a), &[]).await;
    let b = AppSession::launch(&app_binary(), &home, &refs(&env_b), &[]).await;
    for app in [&a, &b] {
        app.wait_text("[data-testid=team-catalogue]", "team catalogue · admin")
            .await;
        app.find("[data-testid=stamp-row][data-stamp-id=syd-01][data-status=active]")
            .await;
    }

    // Operator A stops placements on syd-01; B's window shows it, with no click there.
    a.click("[data-testid=stamp-row][data-stamp-id=syd-01] td.id")
        .await;
    a.click("[data-testid=stamp-drain]").await;
    b.find("[data-testid=stamp-row][data-stamp-id=syd-01][data-status=draining]")
        .await;
    b.screenshot("team-two-windows-b.png").await;
    // And back, from B; A follows.
    b.click("[data-testid=stamp-row][data-stamp-id=syd-01] td.id")
        .await;
    b.click("[data-testid=stamp-resume]").await;
    a.find("[data-testid=stamp-row][data-stamp-id=syd-01][data-status=active]")
        .await;

    // Operator B moves a tenant off weu-01; it leaves weu-01's list in A's window too.
    let on_weu01 = fleet
        .tenants(&TenantQuery {
            stamp: Some(StampId::new("weu-01").unwrap()),
            limit: 100,
            ..TenantQuery::default()
        })
        .await
        .unwrap();
    let tenant = on_weu01
        .tenants
        .iter()
        .find(|v| !v.tenant.pinned)
        .expect("a tenant weu-01 may let go")
        .tenant
        .id
        .to_string();
    let row = format!("[data-testid=tenant-row][data-tenant-id={tenant}]");
    for app in [&a, &b] {
        app.click("[data-testid=stamp-row][data-stamp-id=weu-01] td.id")
            .await;
        app.find(&row).await;
    }
    b.click(&format!("{row} [data-testid=move-button]")).await;
    b.click("[data-testid=move-target][data-stamp=weu-02] input")
        .await;
    b.press("[data-testid=move-confirm]").await;
    b.find("[data-testid=move-done]").await;
    // A still shows weu-01's tenants: the moved one leaves the list by itself.
    a.find_n(&row, 0).await;
    a.screenshot("team-two-windows-a-moved.png").await;
    let home = fleet
        .tenant(&TenantId::new(&tenant).unwrap())
        .await
        .unwrap()
        .unwrap()
        .stamp;
    assert_eq!(home.as_ref().map(StampId::as_str), Some("weu-02"));
    a.stop().await;
    b.stop().await;
}
