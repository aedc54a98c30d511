//! Rollouts over the demo fleet's real agents: an 8-stamp rollout goes canary → rings
//! → done with every stamp reporting the new version; a stamp whose upgrade fails, or
//! that turns unhealthy after it, halts the rollout and goes back to its version; a
//! gate waits for approval, and pause and abort stop it; a closed maintenance window
//! holds its region's stamps until it opens (an injected clock).
//!
//! The agents run with test faults (named as such, `STAMP_FAULTS`, one value for this
//! whole binary): tyo-01 fails any upgrade to 1.6.0; syd-01 turns unhealthy on 1.7.0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fleet_core::rollout::{
    MaintenanceWindow, RingBy, RolloutPhase, RolloutSpec, RolloutWave, StampRolloutState,
    WaveOptions,
};
use fleet_core::{RegionId, StampId, TemplateName, TemplateVersion};
use fleet_ops::{Fleet, NewStamp, NewTemplateVersion, ProposeRollout, RolloutClock, RolloutView};
use testkit::demo::demo_fleet;

const FAULTS: &str = "tyo-01:fail-upgrade=1.6.0,syd-01:unhealthy-after-upgrade=1.7.0";

fn id(s: &str) -> StampId {
    StampId::new(s).unwrap()
}

fn version(v: &str) -> TemplateVersion {
    TemplateVersion::new(v).unwrap()
}

/// The demo fleet with its agents running under the test faults.
async fn fleet(dir: &std::path::Path) -> (Fleet, testkit::StopAgents) {
    std::env::set_var("STAMP_FAULTS", FAULTS);
    let (fleet, _, stop) = demo_fleet(dir, true).await;
    (fleet, stop)
}

async fn add_version(fleet: &Fleet, v: &str) {
    let request = NewTemplateVersion {
        template: TemplateName::new("standard").unwrap(),
        version: version(v),
        based_on: None,
        capacity_units: None,
        tiers: None,
        description: None,
        release_notes: format!("release {v}"),
    };
    fleet.add_template_version(&request).await.unwrap();
}

/// What every stamp's own health says it runs.
async fn reported(fleet: &Fleet, stamp: &str) -> String {
    let client = fleet.stamp_client(&id(stamp)).await.unwrap();
    client.health().await.unwrap().template_version
}

async fn recorded(fleet: &Fleet, stamp: &str) -> String {
    let detail = fleet.stamp_detail(&id(stamp)).await.unwrap();
    detail.stamp.stamp.template_version.to_string()
}

fn spec(target: &str, waves: &[&[&str]], approval: bool) -> RolloutSpec {
    RolloutSpec {
        template: TemplateName::new("standard").unwrap(),
        target_version: version(target),
        waves: waves
            .iter()
            .enumerate()
            .map(|(i, stamps)| RolloutWave {
                name: format!("wave {}", i + 1),
                stamps: stamps.iter().map(|s| id(s)).collect(),
                parallelism: 2,
            })
            .collect(),
        bake_secs: 0,
        approval,
        max_error_rate: 0.05,
        windows: Vec::new(),
    }
}

/// A clock the test sets (in seconds), polled every 20 ms.
fn clock(at: &Arc<AtomicI64>) -> RolloutClock {
    let at = at.clone();
    RolloutClock {
        now_ms: Arc::new(move || at.load(Ordering::SeqCst) * 1000),
        poll: Duration::from_millis(20),
    }
}

#[tokio::test]
async fn eight_stamps_go_canary_then_rings_and_all_report_the_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = fleet(dir.path()).await;
    for (stamp, region) in [("weu-03", "azure-westeurope"), ("use-03", "aws-us-east-1")] {
        let request = NewStamp {
            id: id(stamp),
            region: RegionId::new(region).unwrap(),
            template: TemplateName::new("standard").unwrap(),
            template_version: version("1.4.0"),
            capacity_units: None,
            provider: Default::default(),
            provider_name: None,
        };
        fleet.provision_stamp(&request, &|_| {}).await.unwrap();
    }
    add_version(&fleet, "1.5.0").await;
    let versions = fleet.template_versions().await.unwrap();
    let new = versions
        .iter()
        .find(|v| v.template.version == version("1.5.0"))
        .unwrap();
    assert!(new.newest && new.stamps == 0);
    assert_eq!(new.template.release_notes, "release 1.5.0");

    let request = ProposeRollout {
        template: TemplateName::new("standard").unwrap(),
        target_version: version("1.5.0"),
        waves: WaveOptions {
            ring_by: RingBy::Region,
            rings: 2,
            parallelism: 2,
            canary: true,
        },
        bake_secs: 1,
        approval: false,
        max_error_rate: 0.05,
        windows: Vec::new(),
    };
    let spec = fleet.propose_rollout(&request).await.unwrap();
    let count: usize = spec.waves.iter().map(|w| w.stamps.len()).sum();
    assert_eq!(count, 8, "{:?}", spec.waves);
    assert_eq!(spec.waves.len(), 3);
    assert_eq!(spec.waves[0].stamps.len(), 1, "a canary first");

    // Which wave each stamp was in when the progress first showed it upgraded.
    let upgraded: Arc<Mutex<Vec<u32>>> = Arc::default();
    let seen = upgraded.clone();
    let done = fleet
        .start_rollout(&spec, &RolloutClock::default(), &move |v: RolloutView| {
            let mut seen = seen.lock().unwrap();
            let now: Vec<u32> = v
                .state
                .stamps
                .iter()
                .filter(|s| s.state == StampRolloutState::Upgraded)
                .map(|s| s.wave)
                .collect();
            if now.len() > seen.len() {
                *seen = now;
            }
        })
        .await
        .unwrap();
    assert_eq!(
        done.state.phase,
        RolloutPhase::Done,
        "{}",
        done.state.reason
    );
    assert_eq!(done.state.progress(), (8, 8));
    for (_, stamp) in spec.stamps() {
        assert_eq!(reported(&fleet, stamp.as_str()).await, "1.5.0", "{stamp}");
        assert_eq!(recorded(&fleet, stamp.as_str()).await, "1.5.0", "{stamp}");
    }
    let order = upgraded.lock().unwrap().clone();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "waves out of order: {order:?}"
    );
    // Run again: nothing left to roll out.
    let again = fleet.propose_rollout(&request).await.unwrap_err();
    assert!(
        again.message.contains("no stamp needs this version"),
        "{}",
        again.message
    );
    // The audit names the rollout for every stamp it changed.
    let audit = fleet.audit(200).await.unwrap();
    let via = format!("rollout:{}", done.id);
    let by_rollout = audit
        .iter()
        .filter(|a| a.via == via && a.entity == "stamp")
        .count();
    assert!(by_rollout >= 8, "{by_rollout} audit rows name the rollout");
}

#[tokio::test]
async fn a_failed_upgrade_or_health_gate_halts_and_rolls_the_stamp_back() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = fleet(dir.path()).await;
    add_version(&fleet, "1.6.0").await;
    add_version(&fleet, "1.7.0").await;

    let halted = fleet
        .start_rollout(
            &spec(
                "1.6.0",
                &[&["fra-01"], &["tyo-01", "use-01"], &["weu-01"]],
                false,
            ),
            &RolloutClock::default(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(halted.state.phase, RolloutPhase::Halted);
    assert!(
        halted.state.reason.contains("tyo-01")
            && halted.state.reason.contains("fail-upgrade=1.6.0"),
        "{}",
        halted.state.reason
    );
    let tyo = halted
        .state
        .stamps
        .iter()
        .find(|s| s.stamp == id("tyo-01"))
        .unwrap();
    assert_eq!(tyo.state, StampRolloutState::RolledBack, "{}", tyo.message);
    assert_eq!(
        (
            reported(&fleet, "tyo-01").await,
            recorded(&fleet, "tyo-01").await
        ),
        ("1.4.0".into(), "1.4.0".into())
    );
    assert_eq!(reported(&fleet, "fra-01").await, "1.6.0");
    assert_eq!(
        reported(&fleet, "weu-01").await,
        "1.4.0",
        "no wave after the halt"
    );
    assert_eq!(
        fleet.rollouts(10).await.unwrap()[0].journal,
        fleet_ops::catalogue::OperationState::Failed
    );

    // Healthy after its upgrade? syd-01 on 1.7.0 is not: back to 1.4.0.
    let halted = fleet
        .start_rollout(
            &spec("1.7.0", &[&["syd-01"]], false),
            &RolloutClock::default(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(halted.state.phase, RolloutPhase::Halted);
    assert!(
        halted.state.reason.contains("health gate"),
        "{}",
        halted.state.reason
    );
    assert_eq!(reported(&fleet, "syd-01").await, "1.4.0");
    assert_eq!(recorded(&fleet, "syd-01").await, "1.4.0");
}

#[tokio::test]
async fn gates_wait_for_approval_and_operators_pause_resume_and_abort() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = fleet(dir.path()).await;
    add_version(&fleet, "1.5.0").await;
    let waiting = fleet
        .start_rollout(
            &spec("1.5.0", &[&["fra-01"], &["use-01"], &["weu-01"]], true),
            &RolloutClock::default(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(waiting.state.phase, RolloutPhase::AwaitingApproval);
    assert!(
        waiting.state.reason.contains("wave 2"),
        "{}",
        waiting.state.reason
    );
    assert_eq!(reported(&fleet, "use-01").await, "1.4.0");
    // A second rollout of the template is refused while this one has not ended.
    let e = fleet
        .start_rollout(
            &spec("1.5.0", &[&["tyo-01"]], false),
            &RolloutClock::default(),
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(e.message.contains("has not ended"), "{}", e.message);
    // Resuming is not approving.
    let e = fleet
        .resume_rollout(waiting.id, &RolloutClock::default(), &|_| {})
        .await
        .unwrap_err();
    assert!(e.message.contains("waits for approval"), "{}", e.message);

    let next = fleet
        .approve_rollout(waiting.id, &RolloutClock::default(), &|_| {})
        .await
        .unwrap();
    assert_eq!(next.state.phase, RolloutPhase::AwaitingApproval);
    assert_eq!(reported(&fleet, "use-01").await, "1.5.0");
    // Waiting for approval, it is approved or aborted: a pause would skip the gate later.
    let e = fleet.pause_rollout(waiting.id).await.unwrap_err();
    assert!(e.message.contains("approve or abort it"), "{}", e.message);
    let aborted = fleet.abort_rollout(waiting.id).await.unwrap();
    assert_eq!(aborted.state.phase, RolloutPhase::Aborted);
    assert_eq!(reported(&fleet, "weu-01").await, "1.4.0");
    let e = fleet
        .approve_rollout(waiting.id, &RolloutClock::default(), &|_| {})
        .await
        .unwrap_err();
    assert!(e.message.contains("waits for no approval"), "{}", e.message);
    let actions: Vec<String> = fleet
        .audit(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.entity == "rollout")
        .map(|a| a.action)
        .collect();
    for action in ["start", "approve", "abort"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} not audited: {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_closed_maintenance_window_holds_its_region_until_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = fleet(dir.path()).await;
    add_version(&fleet, "1.5.0").await;
    // 2026-12-05 20:00 UTC: 21:00 in Frankfurt (UTC+1); its window is 22:00–23:00.
    let now = Arc::new(AtomicI64::new(1_796_428_800 + 20 * 3600));
    let mut spec = spec("1.5.0", &[&["syd-01"], &["fra-01"]], false);
    spec.windows = vec![MaintenanceWindow {
        region: RegionId::new("aws-eu-central-1").unwrap(),
        start: "22:00".into(),
        end: "23:00".into(),
        utc_offset_minutes: 60,
    }];
    let running = {
        let (fleet, clock) = (fleet.clone(), clock(&now));
        tokio::spawn(async move { fleet.start_rollout(&spec, &clock, &|_| {}).await })
    };
    let mut waiting = None;
    for _ in 0..1500 {
        let list = fleet.rollouts(1).await.unwrap();
        if let Some(r) = list
            .into_iter()
            .find(|r| r.state.phase == RolloutPhase::WaitingForWindow)
        {
            waiting = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let waiting = waiting.expect("the rollout waits for Frankfurt's window within 30 s");
    assert!(
        waiting
            .state
            .reason
            .contains("aws-eu-central-1 22:00–23:00"),
        "{}",
        waiting.state.reason
    );
    assert_eq!(reported(&fleet, "syd-01").await, "1.5.0");
    assert_eq!(reported(&fleet, "fra-01").await, "1.4.0");
    // Paused while it waits: its runner stops at its next look; resumed, it goes on.
    fleet.pause_rollout(waiting.id).await.unwrap();
    let paused = running.await.unwrap().unwrap();
    assert_eq!(paused.state.phase, RolloutPhase::Paused);
    now.store(1_796_428_800 + 21 * 3600 + 5 * 60, Ordering::SeqCst);
    let done = fleet
        .resume_rollout(waiting.id, &clock(&now), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        done.state.phase,
        RolloutPhase::Done,
        "{}",
        done.state.reason
    );
    assert_eq!(reported(&fleet, "fra-01").await, "1.5.0");
    let actions: Vec<String> = fleet
        .audit(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.entity == "rollout")
        .map(|a| a.action)
        .collect();
    assert!(
        actions.iter().any(|a| a == "pause") && actions.iter().any(|a| a == "resume"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_rollout_planned_offline_previews_its_waves_and_starts_when_applied() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _stop) = fleet(dir.path()).await;
    add_version(&fleet, "1.5.0").await;
    let spec = spec("1.5.0", &[&["fra-01"], &["use-01", "tyo-01"]], false);
    fleet.new_plan("q3").await.unwrap();
    fleet
        .add_plan_action(
            "q3",
            fleet_core::plan::PlanAction::RollOut {
                rollout: spec.clone(),
            },
        )
        .await
        .unwrap();
    let detail = fleet.plan_detail("q3").await.unwrap();
    assert!(detail.steps[0].description.starts_with("roll out standard@1.5.0 to 3 stamp(s) in 2 wave(s) (wave 1 wave 1: fra-01; wave 2 wave 2: use-01, tyo-01)"), "{}", detail.steps[0].description);
    let tyo = detail
        .projection
        .stamps
        .iter()
        .find(|s| s.stamp == id("tyo-01"))
        .unwrap();
    assert_eq!(
        (
            tyo.version_before.as_ref().map(|v| v.as_str()),
            tyo.version_after.as_str(),
            tyo.rollout_wave
        ),
        (Some("1.4.0"), "1.5.0", Some(1))
    );
    let weu = detail
        .projection
        .stamps
        .iter()
        .find(|s| s.stamp == id("weu-01"))
        .unwrap();
    assert_eq!(
        (weu.version_after.as_str(), weu.rollout_wave),
        ("1.4.0", None)
    );
    assert!(
        detail.projection.warnings.is_empty(),
        "{:?}",
        detail.projection.warnings
    );
    // A version the catalogue lacks is a warning of the projection (and blocks applying).
    fleet.new_plan("bad").await.unwrap();
    let mut unknown = spec.clone();
    unknown.target_version = version("9.9.9");
    fleet
        .add_plan_action(
            "bad",
            fleet_core::plan::PlanAction::RollOut { rollout: unknown },
        )
        .await
        .unwrap();
    let bad = fleet.plan_detail("bad").await.unwrap();
    assert!(
        bad.projection.warnings[0]
            .message
            .contains("no template standard@9.9.9"),
        "{:?}",
        bad.projection.warnings
    );

    fleet.apply_plan("q3", &|_| {}).await.unwrap();
    for stamp in ["fra-01", "use-01", "tyo-01"] {
        assert_eq!(reported(&fleet, stamp).await, "1.5.0", "{stamp}");
    }
    assert_eq!(
        fleet.rollouts(5).await.unwrap()[0].state.phase,
        RolloutPhase::Done
    );
}
