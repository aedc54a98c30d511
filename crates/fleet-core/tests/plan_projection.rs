//! A plan projected offline on the demo fleet: new stamps appear, tenants move, drained
//! stamps empty, and every action that cannot go through says why (by the same
//! placement rules the app applies), as does every stamp left over the reserve.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::placement::PlacementPolicy;
use fleet_core::plan::{Plan, PlanAction};
use fleet_core::plan_projection::project_plan;
use fleet_core::{
    builtin_regions, demo::demo_fleet, RegionId, StampId, StampStatus, TemplateName,
    TemplateVersion, TenantId,
};

#[test]
fn a_plan_is_projected_with_its_warnings() {
    let regions = builtin_regions().unwrap();
    let doc = demo_fleet(&regions).unwrap();
    let on = |stamp: &str| -> Vec<TenantId> {
        doc.bindings
            .iter()
            .filter(|b| b.stamp.as_str() == stamp)
            .map(|b| b.tenant.clone())
            .collect()
    };
    let movable = on("fra-01")
        .into_iter()
        .find(|t| !doc.tenants.iter().any(|x| &x.id == t && x.pinned))
        .unwrap();
    let size = doc
        .tenants
        .iter()
        .find(|t| t.id == movable)
        .unwrap()
        .size_units;
    // A Sydney tenant (held to Australia) cannot go to Frankfurt.
    let aussie = on("syd-01")[0].clone();
    let id = |s: &str| StampId::new(s).unwrap();
    let plan = Plan {
        name: "q3".to_owned(),
        base_version: 0,
        actions: vec![
            PlanAction::AddStamp {
                stamp: id("fra-02"),
                region: RegionId::new("aws-eu-central-1").unwrap(),
                template: TemplateName::new("standard").unwrap(),
                version: TemplateVersion::new("1.4.0").unwrap(),
                capacity_units: Some(1000),
                provider: None,
            },
            PlanAction::MoveTenant {
                tenant: movable.clone(),
                to: id("fra-02"),
            },
            PlanAction::MoveTenant {
                tenant: aussie.clone(),
                to: id("fra-02"),
            },
            PlanAction::DrainStamp {
                stamp: id("use-02"),
            },
            PlanAction::RetireStamp {
                stamp: id("use-02"),
            },
            PlanAction::ChangeCapacity {
                stamp: id("syd-01"),
                capacity_units: 300,
            },
            PlanAction::RetireStamp {
                stamp: id("weu-01"),
            },
        ],
    };
    let p = project_plan(&doc, &regions, &plan, &PlacementPolicy::default());
    let stamp = |s: &str| p.stamps.iter().find(|x| x.stamp.as_str() == s).unwrap();

    let fra02 = stamp("fra-02");
    assert_eq!(
        (fra02.status_before, fra02.used_after, fra02.tenants_after),
        (None, size, 1)
    );
    assert!(p
        .moves
        .iter()
        .any(|m| m.tenant == movable && m.to.as_str() == "fra-02"));
    assert!(!p.moves.iter().any(|m| m.tenant == aussie), "{:?}", p.moves);
    let warned = |action: u32, says: &str| {
        p.warnings
            .iter()
            .any(|w| w.action == Some(action) && w.message.contains(says))
    };
    assert!(
        warned(2, "outside the tenant's residency"),
        "{:#?}",
        p.warnings
    );
    let use02 = stamp("use-02");
    assert_eq!(use02.status_before, Some(StampStatus::Draining));
    // Its tenants went where placement put them, or stay with the reason; retire only
    // if it ended empty.
    if use02.tenants_after == 0 {
        assert_eq!(use02.status_after, StampStatus::Retired);
    } else {
        assert!(
            warned(3, "stays on use-02") && warned(4, "drain it first"),
            "{:#?}",
            p.warnings
        );
    }
    assert!(warned(5, "more than the new 300"), "{:#?}", p.warnings);
    assert!(warned(6, "drain it first"), "{:#?}", p.warnings);
    // syd-01 now at 350 of 300: over the reserve after the plan.
    assert!(stamp("syd-01").over_reserve_after);
    assert!(p
        .warnings
        .iter()
        .any(|w| w.action.is_none() && w.message.starts_with("syd-01 ends at")));
    // The document itself is untouched (the projection works on a copy).
    assert!(!doc.stamps.iter().any(|s| s.id.as_str() == "fra-02"));
}

#[test]
fn a_stamp_already_over_the_reserve_warns_only_when_the_plan_makes_it_worse() {
    let regions = builtin_regions().unwrap();
    let doc = demo_fleet(&regions).unwrap();
    let policy = PlacementPolicy::default();
    let over_now: Vec<StampId> = fleet_core::FleetOverview::build(&doc, &regions)
        .stamps
        .into_iter()
        .filter(|s| {
            s.stamp.status == StampStatus::Active
                && s.capacity.used_units > policy.usable(s.capacity.total_units)
        })
        .map(|s| s.stamp.id)
        .collect();
    let syd = StampId::new("syd-01").unwrap();
    assert_eq!(
        over_now,
        std::slice::from_ref(&syd),
        "the demo's syd-01 starts over the reserve"
    );
    let plan = |actions| Plan {
        name: "p".to_owned(),
        base_version: 0,
        actions,
    };
    let untouched = project_plan(&doc, &regions, &plan(Vec::new()), &policy);
    assert!(untouched.warnings.is_empty(), "{:#?}", untouched.warnings);
    let s = untouched.stamps.iter().find(|s| s.stamp == syd).unwrap();
    assert!(s.over_reserve_after, "still shown over the reserve");
    let capacity = s.capacity_after;
    let shrunk = project_plan(
        &doc,
        &regions,
        &plan(vec![PlanAction::ChangeCapacity {
            stamp: syd.clone(),
            capacity_units: capacity - 1,
        }]),
        &policy,
    );
    assert!(
        shrunk
            .warnings
            .iter()
            .any(|w| w.action.is_none() && w.message.starts_with("syd-01 ends at")),
        "{:#?}",
        shrunk.warnings
    );
}
