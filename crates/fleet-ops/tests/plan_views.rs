//! Plans as the window shows them, on a real catalogue file with every agent stopped
//! (planning is offline): the fleet after the plan for the what-if map, steps in words
//! with their warnings, removing a step, deleting a plan, and each edit in the audit log;
//! drift since the plan was made (a tenant moved, a stamp shrunk, a stamp draining) shown
//! on the actions it breaks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::plan::PlanAction;
use fleet_core::{StampId, StampStatus};
use fleet_ops::ErrorCode;
use testkit::demo::{add_frankfurt_stamp, movable_on, offline_demo};

fn id(s: &str) -> StampId {
    StampId::new(s).unwrap()
}

#[tokio::test]
async fn a_plan_shows_the_fleet_after_it_and_edits_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = offline_demo(dir.path()).await;
    let mover = movable_on(&fleet, &id("fra-01")).await;

    fleet.new_plan("q3").await.unwrap();
    let add = add_frankfurt_stamp("fra-02", 800);
    fleet.add_plan_action("q3", add).await.unwrap();
    fleet
        .add_plan_action(
            "q3",
            PlanAction::MoveTenant {
                tenant: mover.id.clone(),
                to: id("fra-02"),
            },
        )
        .await
        .unwrap();
    fleet
        .add_plan_action(
            "q3",
            PlanAction::RetireStamp {
                stamp: id("nope-01"),
            },
        )
        .await
        .unwrap();

    let detail = fleet.plan_detail("q3").await.unwrap();
    let words: Vec<&str> = detail
        .steps
        .iter()
        .map(|s| s.description.as_str())
        .collect();
    assert_eq!(
        words,
        [
            "add stamp fra-02 in aws-eu-central-1 (standard@1.4.0)",
            &format!("move {} to fra-02", mover.id),
            "retire nope-01",
        ]
    );
    // The what-if map draws the fleet after the plan: the new stamp with the mover.
    let after = |s: &str| {
        detail
            .after
            .stamps
            .iter()
            .find(|v| v.stamp.id == id(s))
            .cloned()
    };
    let new = after("fra-02").expect("the added stamp is on the after map");
    assert_eq!(
        (new.stamp.status, new.tenant_count, new.capacity.used_units),
        (StampStatus::Active, 1, mover.size_units)
    );
    let live = fleet.overview().await.unwrap();
    let fra_before = live
        .stamps
        .iter()
        .find(|v| v.stamp.id == id("fra-01"))
        .unwrap();
    assert_eq!(
        after("fra-01").unwrap().capacity.used_units,
        fra_before.capacity.used_units - mover.size_units
    );
    assert!(
        live.stamps.iter().all(|v| v.stamp.id != id("fra-02")),
        "nothing ran"
    );
    let warned: Vec<_> = detail
        .projection
        .warnings
        .iter()
        .filter(|w| w.action == Some(2))
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", detail.projection.warnings);
    assert!(warned[0].message.contains("nope-01"), "{warned:?}");
    assert_eq!(detail.apply, None);

    // Removing the bad step clears its warning; an index past the end is named.
    let plan = fleet.remove_plan_action("q3", 2).await.unwrap();
    assert_eq!(plan.actions.len(), 2);
    let detail = fleet.plan_detail("q3").await.unwrap();
    assert!(detail
        .projection
        .warnings
        .iter()
        .all(|w| w.action != Some(2)));
    let past = fleet.remove_plan_action("q3", 5).await.unwrap_err();
    assert_eq!(past.code, ErrorCode::InvalidInput);
    assert!(past.message.contains("no action 6"), "{past}");

    let summaries = fleet.plan_summaries().await.unwrap();
    assert_eq!(
        summaries
            .iter()
            .map(|p| (p.name.as_str(), p.actions))
            .collect::<Vec<_>>(),
        [("q3", 2)]
    );
    fleet.delete_plan("q3").await.unwrap();
    assert!(fleet.plan_summaries().await.unwrap().is_empty());
    let gone = fleet.plan_detail("q3").await.unwrap_err();
    assert!(gone.message.contains("no plan named \"q3\""), "{gone}");
    let audit = fleet.audit(100).await.unwrap();
    let edits: Vec<&str> = audit
        .iter()
        .filter(|e| e.entity == "plan")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        edits.iter().filter(|a| **a == "update").count(),
        4,
        "three adds and a removal: {edits:?}"
    );
    assert!(
        edits.contains(&"create") && edits.contains(&"delete"),
        "{edits:?}"
    );
}

/// A tenant for the plan to onboard.
fn newcomer(id: &str, size: u32) -> fleet_core::Tenant {
    serde_json::from_value(serde_json::json!({
        "id": id, "displayName": id, "tier": "standard", "sizeUnits": size,
        "residency": {}, "isolation": "shared", "pinned": false
    }))
    .unwrap()
}

#[tokio::test]
async fn drift_since_the_plan_was_made_shows_as_warnings_on_the_actions_it_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = offline_demo(dir.path()).await;
    let mover = movable_on(&fleet, &id("fra-01")).await;
    fleet.new_plan("q4").await.unwrap();
    for action in [
        PlanAction::MoveTenant {
            tenant: mover.id.clone(),
            to: id("weu-02"),
        },
        PlanAction::OnboardTenant {
            tenant: newcomer("newco", 60),
            stamp: Some(id("fra-01")),
        },
        PlanAction::OnboardTenant {
            tenant: newcomer("smallco", 5),
            stamp: Some(id("tyo-01")),
        },
    ] {
        fleet.add_plan_action("q4", action).await.unwrap();
    }
    let clean = fleet.plan_detail("q4").await.unwrap();
    assert!(
        clean.projection.warnings.is_empty(),
        "{:#?}",
        clean.projection.warnings
    );
    let edits = clean.changes_since_base;

    // Meanwhile: the tenant was moved, fra-01 shrank, tyo-01 started draining.
    let mut doc: serde_json::Value =
        serde_json::from_str(&fleet.export_json().await.unwrap()).unwrap();
    for b in doc["bindings"].as_array_mut().unwrap() {
        if b["tenant"] == mover.id.as_str() {
            b["stamp"] = "weu-02".into();
        }
    }
    for s in doc["stamps"].as_array_mut().unwrap() {
        if s["id"] == "fra-01" {
            s["capacityUnits"] = 450.into();
        }
    }
    let text = serde_json::to_string(&doc).unwrap();
    fleet.import_json("drift.json", &text, true).await.unwrap();
    fleet
        .set_stamp_status(&id("tyo-01"), StampStatus::Draining)
        .await
        .unwrap();

    let drifted = fleet.plan_detail("q4").await.unwrap();
    assert!(drifted.changes_since_base > edits, "the drift is counted");
    let on = |i: u32| -> Vec<&str> {
        drifted
            .projection
            .warnings
            .iter()
            .filter(|w| w.action == Some(i))
            .map(|w| w.message.as_str())
            .collect()
    };
    assert_eq!(
        on(0),
        [format!("{} already lives on weu-02", mover.id).as_str()]
    );
    assert!(
        matches!(on(1).as_slice(), [m] if m.starts_with("fra-01 cannot take newco") && m.contains("of 450 kept free")),
        "{:?}",
        on(1)
    );
    assert!(
        matches!(on(2).as_slice(), [m] if m.contains("tyo-01") && m.contains("draining")),
        "{:?}",
        on(2)
    );
}

#[tokio::test]
async fn rebalance_into_a_plan_uses_the_stamps_the_plan_adds_and_stays_in_region() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = offline_demo(dir.path()).await;
    // Without a plan, syd-01 (88%) has no other stamp in its region: its tenants
    // (Australian residency) cannot go anywhere.
    let live = fleet.plan_rebalance(70).await.unwrap();
    assert!(
        live.moves.iter().all(|m| m.from != id("syd-01")),
        "{live:?}"
    );

    fleet.new_plan("au").await.unwrap();
    let add_sydney = PlanAction::AddStamp {
        stamp: id("syd-02"),
        region: fleet_core::RegionId::new("azure-australiaeast").unwrap(),
        template: fleet_core::TemplateName::new("standard").unwrap(),
        version: fleet_core::TemplateVersion::new("1.4.0").unwrap(),
        capacity_units: Some(1000),
        provider: None,
    };
    fleet.add_plan_action("au", add_sydney).await.unwrap();
    let (plan, proposal) = fleet.plan_rebalance_into("au", 70).await.unwrap();
    let from_sydney: Vec<_> = proposal
        .moves
        .iter()
        .filter(|m| m.from == id("syd-01"))
        .collect();
    assert!(!from_sydney.is_empty(), "{proposal:?}");
    for m in &from_sydney {
        assert_eq!(m.to, id("syd-02"), "{m:?}");
        assert_eq!(m.distance_km, 0, "within its region");
    }
    assert_eq!(proposal.cross_region_moves, 0, "{proposal:?}");
    assert_eq!(plan.actions.len(), 1 + proposal.moves.len());
    let detail = fleet.plan_detail("au").await.unwrap();
    assert!(
        detail.projection.warnings.is_empty(),
        "{:?}",
        detail.projection.warnings
    );
}
