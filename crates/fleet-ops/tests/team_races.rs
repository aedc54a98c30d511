//! Two processes (the real stampctl, as two operators' terminals) race on one team
//! catalogue (a real PostgreSQL server, the demo's real agents): the same tenant's move
//! and the same plan's apply. Exactly one runs; the other gets a clear conflict, and
//! nothing runs twice. The first run is held mid-way by a test hook so the race is
//! certain, not timed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fleet_core::{StampId, TenantId};
use fleet_ops::Fleet;

/// stampctl on the team catalogue `url`, this machine's files under `data`, with `env`.
fn stampctl(url: &str, data: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(testkit::stampctl_path());
    cmd.args(["--catalogue", url])
        .args(args)
        .env("STAMPFLEET_AGENT", testkit::agent_program())
        .env("STAMPFLEET_SECRETS", "file")
        .env("STAMPFLEET_DATA_DIR", data)
        .env_remove("STAMPFLEET_CATALOGUE")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn finished(child: Child) -> Output {
    child.wait_with_output().unwrap()
}

/// Polls `ready` (a readiness probe of the real condition, bounded).
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut ready: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready().await {
        assert!(Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_race_for_one_move_and_one_apply_and_exactly_one_runs() {
    testkit::use_built_agent();
    let url = test_postgres::shared().new_database().unwrap();
    let data = tempfile::tempdir().unwrap();
    let fleet = Fleet::open_with_data_dir(Path::new(&url), Some(data.path()))
        .await
        .unwrap();
    let _stop = testkit::StopAgents(format!("--data-dir {}", fleet.home().display()));
    fleet.create_demo(true).await.unwrap();
    let tenant = testkit::demo::movable_on(&fleet, &StampId::new("weu-01").unwrap()).await;
    let id = tenant.id.to_string();

    // The move: the first process holds it in importing; the second is refused.
    let first = stampctl(
        &url,
        data.path(),
        &["tenant", "move", &id, "--to", "weu-02"],
        &[("STAMPFLEET_HOLD_MOVES", "1")],
    )
    .spawn()
    .unwrap();
    let running = || async {
        fleet
            .moves(10)
            .await
            .unwrap()
            .into_iter()
            .any(|m| m.tenant.as_str() == id && m.state == catalogue::OperationState::Running)
    };
    until("the first move starting", running).await;
    let second = stampctl(
        &url,
        data.path(),
        &["tenant", "move", &id, "--to", "weu-02"],
        &[],
    )
    .output()
    .unwrap();
    assert!(!second.status.success(), "the second move must not run");
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("is already moving"), "{said}");
    let op = fleet.moves(10).await.unwrap()[0].operation;
    let cancel = stampctl(&url, data.path(), &["move", "cancel", &op.to_string()], &[])
        .output()
        .unwrap();
    assert!(
        cancel.status.success(),
        "{}",
        String::from_utf8_lossy(&cancel.stderr)
    );
    let first = finished(first);
    assert!(!first.status.success(), "the held move ends cancelled");
    let moves = fleet.moves(10).await.unwrap();
    assert_eq!(moves.len(), 1, "one move was ever started: {moves:?}");
    let home = fleet
        .tenant(&TenantId::new(&id).unwrap())
        .await
        .unwrap()
        .unwrap()
        .stamp;
    assert_eq!(
        home.as_ref().map(StampId::as_str),
        Some("weu-01"),
        "rolled back home"
    );

    // The apply: held after its first action; the second process is refused.
    let run = |args: &[&str], env: &[(&str, &str)]| stampctl(&url, data.path(), args, env);
    assert!(run(&["plan", "new", "q3"], &[])
        .output()
        .unwrap()
        .status
        .success());
    for (stamp, units) in [("weu-01", "1100"), ("weu-02", "1100")] {
        let out = run(&["plan", "add", "q3", "capacity", stamp, units], &[])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let first = run(&["plan", "apply", "q3"], &[("STAMPFLEET_HOLD_APPLY", "1")])
        .spawn()
        .unwrap();
    let applying = || async {
        let plans = fleet.plan_summaries().await.unwrap();
        plans.iter().any(|p| {
            p.name == "q3"
                && p.apply
                    .as_ref()
                    .is_some_and(|a| a.state == fleet_ops::ApplyState::Running && a.done == 0)
        })
    };
    until("the first apply holding its lease", applying).await;
    let second = run(&["plan", "apply", "q3"], &[]).output().unwrap();
    assert!(!second.status.success(), "the second apply must not run");
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("is being applied already"), "{said}");
    let pause = run(&["plan", "pause", "q3"], &[]).output().unwrap();
    assert!(
        pause.status.success(),
        "{}",
        String::from_utf8_lossy(&pause.stderr)
    );
    let first = finished(first);
    let said = String::from_utf8_lossy(&first.stdout).to_string()
        + &String::from_utf8_lossy(&first.stderr);
    assert!(said.contains("paused") || first.status.success(), "{said}");
    // One action applied, once: weu-01 changed, weu-02 not yet.
    let doc = fleet.export().await.unwrap();
    let capacity = |s: &str| {
        doc.stamps
            .iter()
            .find(|x| x.id.as_str() == s)
            .unwrap()
            .capacity_units
    };
    assert_eq!((capacity("weu-01"), capacity("weu-02")), (1100, 1000));
    let applies = fleet
        .audit(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "apply" && r.entity == "plan-action")
        .count();
    assert_eq!(applies, 1, "the first action's row, written once");
}
