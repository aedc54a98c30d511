//! Placement at its limits, on the same small fleet as `placement.rs`: dedicated
//! stamps, a new stamp proposed when none fits, honest refusals, pinned tenants, and
//! templates that serve some tiers only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::placement::{
    place, CandidateHealth, Outcome, PlacementFleet, PlacementPolicy, PlacementRequest, Rule,
};
use fleet_core::{
    builtin_regions, Capacity, Isolation, RegionId, Stamp, StampId, StampStatus, StampView,
    TemplateName, TemplateVersion, Tier,
};

mod support;
use support::*;

#[test]
fn a_dedicated_tenant_gets_an_empty_dedicated_stamp_of_its_own() {
    let fleet = eu_fleet();
    let req = PlacementRequest::new(tenant("bank", 300, &["NL"], Isolation::Dedicated));
    let d = place(&fleet, &req, &PlacementPolicy::default());
    assert!(
        matches!(&d.outcome, Outcome::Place { stamp, .. } if stamp.as_str() == "ded-01"),
        "{:?}",
        d.outcome
    );
    assert!(rule_of(&d, "ams-02")
        .unwrap()
        .1
        .contains("shared stamp; the tenant needs a dedicated one"));

    let taken = fleet_with_taken_dedicated();
    let d = place(&taken, &req, &PlacementPolicy::default());
    assert!(rule_of(&d, "ded-01")
        .unwrap()
        .1
        .contains("already holds 1 tenant"));
    match &d.outcome {
        Outcome::NewStamp {
            template,
            region,
            reason,
            ..
        } => {
            assert_eq!(template.as_str(), "dedicated");
            assert_eq!(region.as_str(), "azure-westeurope");
            assert!(
                reason.contains("provision a new dedicated@1.0.0"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

fn fleet_with_taken_dedicated() -> PlacementFleet {
    fleet(&[
        active("ams-01", "azure-westeurope", SHARED, 1000, 700, 10),
        active("ded-01", "azure-westeurope", DEDICATED, 500, 10, 1),
    ])
}

#[test]
fn when_no_stamp_fits_a_new_stamp_is_proposed_with_its_reason() {
    let fleet = eu_fleet();
    let req = PlacementRequest::new(tenant("big", 750, &["DE"], Isolation::Shared));
    let d = place(&fleet, &req, &PlacementPolicy::default());
    match &d.outcome {
        Outcome::NewStamp {
            template,
            version,
            region,
            reason,
        } => {
            assert_eq!(
                (template.as_str(), version.to_string().as_str()),
                ("standard", "1.1.0")
            );
            // The fleet runs most stamps of Germany in AWS eu-central-1.
            assert_eq!(region.as_str(), "aws-eu-central-1");
            assert!(
                reason.starts_with("no stamp fits (") && reason.contains("full"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn honest_refusals_when_nothing_can_ever_hold_the_tenant() {
    let fleet = eu_fleet();
    let nowhere = PlacementRequest::new(tenant("arctic", 10, &["AQ"], Isolation::Shared));
    match place(&fleet, &nowhere, &PlacementPolicy::default()).outcome {
        Outcome::Refuse { reason } => assert!(
            reason.contains("no known region") && reason.contains("AQ"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
    let huge = PlacementRequest::new(tenant("huge", 900, &[], Isolation::Shared));
    match place(&fleet, &huge, &PlacementPolicy::default()).outcome {
        Outcome::Refuse { reason } => {
            assert!(
                reason.contains("no shared template can hold 900 units")
                    && reason.contains("800 usable"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_pinned_tenant_stays() {
    let fleet = eu_fleet();
    let mut t = tenant("pinned", 10, &[], Isolation::Shared);
    t.pinned = true;
    let mut req = PlacementRequest::new(t);
    req.current = Some(StampId::new("fra-01").unwrap());
    match place(&fleet, &req, &PlacementPolicy::default()).outcome {
        Outcome::Stay { stamp, reason } => {
            assert_eq!(stamp.as_str(), "fra-01");
            assert!(reason.contains("pinned"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_template_for_some_tiers_only_takes_those_tiers() {
    let mut templates = vec![
        template("standard", "1.1.0", 1000, Isolation::Shared),
        template("premium", "1.0.0", 1000, Isolation::Shared),
    ];
    templates[1].tiers = vec![Tier::Premium, Tier::Enterprise];
    let stamp = |id: &str, tpl: &str| {
        (
            StampView {
                stamp: Stamp {
                    id: StampId::new(id).unwrap(),
                    region: RegionId::new("azure-westeurope").unwrap(),
                    template: TemplateName::new(tpl).unwrap(),
                    template_version: TemplateVersion::new(if tpl == "premium" {
                        "1.0.0"
                    } else {
                        "1.1.0"
                    })
                    .unwrap(),
                    capacity_units: 1000,
                    status: StampStatus::Active,
                    endpoint: None,
                },
                capacity: Capacity::new(1000, if tpl == "premium" { 100 } else { 700 }),
                tenant_count: 3,
                template_outdated: false,
            },
            CandidateHealth::Healthy,
        )
    };
    let fleet = PlacementFleet::new(
        builtin_regions().unwrap(),
        templates.clone(),
        [stamp("prem-1", "premium"), stamp("std-1", "standard")],
    );
    let policy = PlacementPolicy::default();
    let mut free = tenant("small-shop", 50, &[], Isolation::Shared);
    free.tier = Tier::Free;
    let decision = place(&fleet, &PlacementRequest::new(free.clone()), &policy);
    assert_eq!(
        decision.outcome,
        Outcome::Place {
            stamp: StampId::new("std-1").unwrap(),
            reason: match &decision.outcome {
                Outcome::Place { reason, .. } => reason.clone(),
                other => panic!("{other:?}"),
            }
        }
    );
    let (rule, reason) = rule_of(&decision, "prem-1").unwrap();
    assert_eq!(rule, Rule::Tier);
    assert_eq!(reason, "template premium does not serve the free tier");

    // A premium tenant may use either; best fit takes the fuller standard stamp.
    let mut premium = free.clone();
    premium.tier = Tier::Premium;
    let decision = place(&fleet, &PlacementRequest::new(premium), &policy);
    assert!(rule_of(&decision, "prem-1").is_none());

    // Only premium templates left: a free tenant is refused, naming the tier.
    let only_premium = PlacementFleet::new(
        builtin_regions().unwrap(),
        vec![templates[1].clone()],
        [stamp("prem-1", "premium")],
    );
    let decision = place(&only_premium, &PlacementRequest::new(free), &policy);
    match decision.outcome {
        Outcome::Refuse { reason } => {
            assert_eq!(reason, "no shared template serves the free tier")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
