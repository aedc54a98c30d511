//! Plans applied to the demo fleet's real agents through the real `stampctl`: a plan
//! touching a stamp that does not answer is refused before anything runs; a plan
//! applied with the process killed at an action resumes where it stopped when the app
//! starts again (it cannot be edited meanwhile; a pause asked of it holds, and applying
//! again after the pause goes on), and the fleet
//! ends as the plan said, every applied action in the audit log under the plan's name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use std::path::Path;
use std::process::{Command, Output};

use fleet_core::plan::{Plan, PlanAction};
use fleet_core::{Isolation, Residency, StampId, StampStatus, Tenant, TenantId, Tier};
use fleet_ops::{ApplyState, Fleet};

use support::demo::{add_frankfurt_stamp, demo_fleet, movable_on};
use support::stampctl;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_is_checked_then_applied_and_a_killed_apply_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, path, _stop) = demo_fleet(dir.path(), true).await;
    let id = |s: &str| StampId::new(s).unwrap();
    let mover = movable_on(&fleet, &id("fra-01")).await;

    // Made offline against the catalogue alone, then saved through the CLI.
    let plan = Plan {
        name: "q3".to_owned(),
        base_version: 0,
        actions: vec![
            add_frankfurt_stamp("fra-02", 800),
            PlanAction::MoveTenant {
                tenant: mover.id.clone(),
                to: id("fra-02"),
            },
            PlanAction::OnboardTenant {
                tenant: Tenant {
                    id: TenantId::new("newco").unwrap(),
                    display_name: "NewCo".to_owned(),
                    tier: Tier::Standard,
                    size_units: 10,
                    residency: Residency::default(),
                    isolation: Isolation::Shared,
                    pinned: false,
                    group: None,
                },
                stamp: Some(id("fra-02")),
            },
            PlanAction::ChangeCapacity {
                stamp: id("syd-01"),
                capacity_units: 600,
            },
        ],
    };
    let file = dir.path().join("q3.json");
    let out = import_through_stampctl(&path, &file, &plan);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A plan that drains a stamp whose agent is down is refused before anything runs.
    let blocked = Plan {
        name: "blocked".to_owned(),
        actions: vec![PlanAction::DrainStamp {
            stamp: id("weu-02"),
        }],
        ..plan.clone()
    };
    assert!(import_through_stampctl(&path, &file, &blocked)
        .status
        .success());
    let pattern = format!(
        "--data-dir {}",
        fleet.home().join("stamps/weu-02").display()
    );
    Command::new("pkill")
        .args(["-KILL", "-f", "--", &pattern])
        .status()
        .unwrap();
    let out = stampctl(&path, &["plan", "apply", "blocked"], None);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("weu-02 is not healthy"),
        "{said}"
    );
    let weu02 = stamp_of(&fleet, "weu-02").await;
    assert_eq!(weu02.status, StampStatus::Active, "nothing ran");

    // Killed right as action 3 starts; applying again goes on from there.
    let out = stampctl(&path, &["plan", "apply", "q3"], Some("action-3"));
    assert!(!out.status.success());
    assert!(fleet
        .tenant(&TenantId::new("newco").unwrap())
        .await
        .unwrap()
        .is_none());
    // On a team catalogue the killed process's lock is a PostgreSQL session lock: the
    // server lets it go once it has seen the connection close, a moment after the
    // process died. Until then the apply still counts as running.
    let mut q3 = None;
    for _ in 0..200 {
        let summary = fleet.plan_summaries().await.unwrap();
        let apply = summary
            .into_iter()
            .find(|p| p.name == "q3")
            .unwrap()
            .apply
            .map(|a| (a.state, a.done, a.total));
        let running = matches!(apply, Some((ApplyState::Running, _, _)));
        q3 = apply;
        if !running {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(
        q3,
        Some((ApplyState::Interrupted, 2, 4)),
        "the window shows the killed apply where it stopped (no process runs it)"
    );
    let edit = fleet
        .remove_plan_action("q3", 3)
        .await
        .expect_err("a partly applied plan is not edited");
    assert!(
        edit.message.contains("applied up to action 2 of 4"),
        "{edit}"
    );
    let replaced = fleet
        .import_plan("q3.json", &fleet_core::plan::plan_to_file(&plan), true)
        .await
        .expect_err("nor replaced from a file");
    assert!(
        replaced.message.contains("applied up to action 2 of 4"),
        "{replaced}"
    );
    // A pause asked of the killed run holds when the app starts again and resumes it.
    fleet.pause_plan("q3").await.unwrap();
    let outcomes = fleet.resume_plan_applies().await.unwrap();
    assert_eq!(
        outcomes,
        vec!["plan \"q3\" paused before action 3 of 4; apply it again to go on".to_owned()]
    );
    let q3 = fleet.plan_detail("q3").await.unwrap().apply.unwrap();
    assert_eq!((q3.state, q3.done), (ApplyState::Paused, 2));
    // Applied again after the pause: it goes on from action 3.
    let done = fleet.apply_plan("q3", &|_| {}).await.unwrap();
    assert_eq!((done.done, done.total), (4, 4));
    let q3 = fleet.plan_detail("q3").await.unwrap();
    assert_eq!(q3.apply.map(|a| a.state), Some(ApplyState::Applied));

    // The fleet is what the plan said.
    let overview = fleet.overview().await.unwrap();
    let stamp = |s: &str| {
        overview
            .stamps
            .iter()
            .find(|v| v.stamp.id == id(s))
            .unwrap()
    };
    assert_eq!(stamp("fra-02").stamp.status, StampStatus::Active);
    assert_eq!(stamp("fra-02").tenant_count, 2);
    assert_eq!(stamp("syd-01").stamp.capacity_units, 600);
    let on = fleet.tenant(&mover.id).await.unwrap().unwrap();
    assert_eq!(on.stamp, Some(id("fra-02")));
    let listed = fleet
        .stamp_client(&id("fra-02"))
        .await
        .unwrap()
        .tenants()
        .await
        .unwrap();
    assert!(
        listed.iter().any(|t| t.id == "newco") && listed.iter().any(|t| t.id == mover.id.as_str())
    );
    let audit = fleet.audit(1000).await.unwrap();
    let linked = audit
        .iter()
        .filter(|e| e.via == "plan:q3" && e.entity == "plan-action");
    assert_eq!(linked.count(), 4, "one audit row per action, none twice");
}

/// Sets `stamp`'s capacity: an action that needs only the catalogue and a healthy stamp.
fn resize(stamp: &str, units: u32) -> PlanAction {
    PlanAction::ChangeCapacity {
        stamp: StampId::new(stamp).unwrap(),
        capacity_units: units,
    }
}

async fn capacity_of(fleet: &Fleet, stamp: &str) -> u32 {
    stamp_of(fleet, stamp).await.capacity_units
}

/// The catalogue's row for `stamp`, from the overview.
async fn stamp_of(fleet: &Fleet, stamp: &str) -> fleet_core::Stamp {
    let overview = fleet.overview().await.unwrap();
    let view = overview
        .stamps
        .into_iter()
        .find(|s| s.stamp.id.as_str() == stamp);
    view.unwrap().stamp
}

/// Writes `plan` to `file` and imports it with the real `stampctl`.
fn import_through_stampctl(catalogue: &Path, file: &Path, plan: &Plan) -> Output {
    std::fs::write(file, fleet_core::plan::plan_to_file(plan)).unwrap();
    stampctl(catalogue, &["plan", "import", file.to_str().unwrap()], None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_plans_apply_does_not_carry_over_to_a_new_plan_of_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, path, _stop) = demo_fleet(dir.path(), true).await;
    fleet.new_plan("p").await.unwrap();
    for action in [resize("syd-01", 600), resize("tyo-01", 800)] {
        fleet.add_plan_action("p", action).await.unwrap();
    }
    // Killed as action 2 starts: the apply stands at 1 of 2.
    let out = stampctl(&path, &["plan", "apply", "p"], Some("action-2"));
    assert!(!out.status.success());
    assert_eq!(capacity_of(&fleet, "syd-01").await, 600);

    // Deleted and made again under the same name: a new plan, never applied.
    fleet.delete_plan("p").await.unwrap();
    fleet.new_plan("p").await.unwrap();
    fleet
        .add_plan_action("p", resize("use-01", 1300))
        .await
        .unwrap();
    let summary = fleet.plan_summaries().await.unwrap();
    assert_eq!(summary.len(), 1);
    assert_eq!(
        summary[0].apply, None,
        "the old plan's apply is not this one's"
    );
    assert!(
        fleet.resume_plan_applies().await.unwrap().is_empty(),
        "nothing to resume at start"
    );
    // Applied from its first action, not from where the deleted plan stopped.
    let done = fleet.apply_plan("p", &|_| {}).await.unwrap();
    assert_eq!((done.done, done.total), (1, 1));
    assert_eq!(capacity_of(&fleet, "use-01").await, 1300);
    assert_ne!(
        capacity_of(&fleet, "tyo-01").await,
        800,
        "the old action 2 never ran"
    );
}

/// An AddStamp whose provisioning failed is not "done" when the plan is applied again:
/// the apply stops at it, naming the failure, and nothing after it runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applying_again_does_not_take_a_failed_stamp_as_added() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, path, _stop) = demo_fleet(dir.path(), false).await;
    let id = |s: &str| StampId::new(s).unwrap();
    // The stamp is added after a first action, so applying again resumes at it (a
    // resumed apply is not checked from the start again).
    let plan = Plan {
        name: "grow".to_owned(),
        base_version: 0,
        actions: vec![
            add_frankfurt_stamp("fra-08", 800),
            add_frankfurt_stamp("fra-09", 800),
            PlanAction::ChangeCapacity {
                stamp: id("fra-09"),
                capacity_units: 900,
            },
        ],
    };
    let file = dir.path().join("grow.json");
    assert!(import_through_stampctl(&path, &file, &plan)
        .status
        .success());

    // The first apply: the agent program starts once (fra-08), then cannot start, so
    // fra-09 ends failed.
    let flaky = dir.path().join("flaky-agent");
    std::fs::write(
        &flaky,
        format!(
            "#!/bin/sh\nif [ -e \"{used}\" ]; then echo 'simulated: no capacity left' >&2; exit 1; fi\n\
             touch \"{used}\"; exec \"{agent}\" \"$@\"\n",
            used = dir.path().join("used").display(),
            agent = support::agent_program().display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&flaky, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let apply = |agent: &str| {
        Command::new(support::stampctl_path())
            .args([
                "--catalogue",
                path.to_str().unwrap(),
                "plan",
                "apply",
                "grow",
            ])
            .env("STAMPFLEET_AGENT", agent)
            .env("STAMPFLEET_SECRETS", "file")
            .env_remove("STAMPFLEET_CATALOGUE")
            .env_remove("STAMPFLEET_CRASH_AT")
            .output()
            .unwrap()
    };
    let first = apply(flaky.to_str().unwrap());
    assert!(!first.status.success());
    let fra09 = || stamp_of(&fleet, "fra-09");
    assert_eq!(fra09().await.status, StampStatus::Failed);

    // Applied again, with a working agent: the failed stamp is not taken as added.
    let again = apply(support::agent_program().to_str().unwrap());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success(), "{said}");
    assert!(
        said.contains("stamp fra-09 exists: its provisioning failed"),
        "{said}"
    );
    assert_eq!(
        fra09().await.capacity_units,
        800,
        "the step after it did not run"
    );
}
