//! Placement decisions and their explanations, one rule at a time, on a small fleet of
//! real built-in regions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::placement::{
    place, CandidateHealth, GeoPoint, Outcome, PlacementFleet, PlacementPolicy, PlacementRequest,
    Rule, Strategy,
};
use fleet_core::{
    builtin_regions, Capacity, CountryCode, Isolation, RegionId, Residency, Stamp, StampId,
    StampStatus, StampTemplate, StampView, TemplateName, TemplateVersion, Tenant, TenantId, Tier,
};

fn template(name: &str, version: &str, units: u32, isolation: Isolation) -> StampTemplate {
    StampTemplate {
        name: TemplateName::new(name).unwrap(),
        version: TemplateVersion::new(version).unwrap(),
        capacity_units: units,
        isolation,
        description: String::new(),
        tiers: Vec::new(),
    }
}

/// (id, region, template, capacity, used, tenants, status, health)
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    u32,
    u32,
    StampStatus,
    CandidateHealth,
);

fn fleet(specs: &[Spec]) -> PlacementFleet {
    let templates = vec![
        template("standard", "1.0.0", 1000, Isolation::Shared),
        template("standard", "1.1.0", 1000, Isolation::Shared),
        template("dedicated", "1.0.0", 500, Isolation::Dedicated),
    ];
    let stamps = specs
        .iter()
        .map(|&(id, region, tpl, cap, used, tenants, status, health)| {
            let (name, version) = tpl.split_once('@').unwrap();
            (
                StampView {
                    stamp: Stamp {
                        id: StampId::new(id).unwrap(),
                        region: RegionId::new(region).unwrap(),
                        template: TemplateName::new(name).unwrap(),
                        template_version: TemplateVersion::new(version).unwrap(),
                        capacity_units: cap,
                        status,
                        endpoint: None,
                    },
                    capacity: Capacity::new(cap, used),
                    tenant_count: tenants,
                    template_outdated: false,
                },
                health,
            )
        });
    PlacementFleet::new(builtin_regions().unwrap(), templates, stamps)
}

fn tenant(id: &str, size: u32, countries: &[&str], isolation: Isolation) -> Tenant {
    Tenant {
        id: TenantId::new(id).unwrap(),
        display_name: id.to_owned(),
        tier: Tier::Enterprise,
        size_units: size,
        residency: Residency {
            countries: countries
                .iter()
                .map(|c| CountryCode::new(*c).unwrap())
                .collect(),
            ..Residency::default()
        },
        isolation,
        pinned: false,
        group: None,
    }
}

use CandidateHealth::{Healthy, Unhealthy, Unknown};
use StampStatus::{Active, Draining};

const SHARED: &str = "standard@1.1.0";
const DEDICATED: &str = "dedicated@1.0.0";

fn eu_fleet() -> PlacementFleet {
    fleet(&[
        (
            "ams-01",
            "azure-westeurope",
            SHARED,
            1000,
            700,
            10,
            Active,
            Healthy,
        ),
        (
            "ams-02",
            "azure-westeurope",
            SHARED,
            1000,
            100,
            2,
            Active,
            Healthy,
        ),
        (
            "fra-01",
            "aws-eu-central-1",
            SHARED,
            1000,
            790,
            12,
            Active,
            Healthy,
        ),
        (
            "fra-02",
            "aws-eu-central-1",
            SHARED,
            1000,
            0,
            0,
            Draining,
            Healthy,
        ),
        (
            "fra-03",
            "aws-eu-central-1",
            SHARED,
            1000,
            0,
            0,
            Active,
            Unhealthy,
        ),
        (
            "fra-04",
            "aws-eu-central-1",
            SHARED,
            1000,
            0,
            0,
            Active,
            Unknown,
        ),
        (
            "iad-01",
            "aws-us-east-1",
            SHARED,
            1000,
            0,
            0,
            Active,
            Healthy,
        ),
        (
            "ded-01",
            "azure-westeurope",
            DEDICATED,
            500,
            0,
            0,
            Active,
            Healthy,
        ),
    ])
}

fn rule_of(decision: &fleet_core::placement::Decision, stamp: &str) -> Option<(Rule, String)> {
    decision
        .rejected
        .iter()
        .find(|r| r.stamp.as_str() == stamp)
        .map(|r| (r.rule, r.reason.clone()))
}

#[test]
fn best_fit_picks_the_fullest_stamp_that_still_fits_and_explains_every_other() {
    let fleet = eu_fleet();
    let req = PlacementRequest::new(tenant("acme", 50, &["NL", "DE"], Isolation::Shared));
    let d = place(&fleet, &req, &PlacementPolicy::default());
    // ams-01 (700 + 50 of 800 usable) fits tighter than ams-02; fra-01 (790) is full.
    assert!(
        matches!(&d.outcome, Outcome::Place { stamp, .. } if stamp.as_str() == "ams-01"),
        "{:?}",
        d.outcome
    );
    assert_eq!(d.ranked[0].free_after, 50);
    assert_eq!(d.ranked[1].stamp.as_str(), "ams-02");
    let Outcome::Place { reason, .. } = &d.outcome else {
        unreachable!()
    };
    assert!(
        reason.contains("best fit") && reason.contains("next best ams-02"),
        "{reason}"
    );

    let (rule, why) = rule_of(&d, "fra-01").unwrap();
    assert_eq!(rule, Rule::Capacity);
    assert!(
        why.contains("790 of 800 usable") && why.contains("20% of 1000 kept free"),
        "{why}"
    );
    assert_eq!(rule_of(&d, "fra-02").unwrap().0, Rule::NotActive);
    assert!(rule_of(&d, "fra-02").unwrap().1.contains("draining"));
    assert_eq!(rule_of(&d, "fra-03").unwrap().0, Rule::NotHealthy);
    assert_eq!(
        rule_of(&d, "fra-04").unwrap(),
        (Rule::NotHealthy, "no health check yet".to_owned())
    );
    let (rule, why) = rule_of(&d, "iad-01").unwrap();
    assert_eq!(rule, Rule::Residency);
    assert!(
        why.contains("US") && why.contains("countries NL, DE"),
        "{why}"
    );
    let (rule, why) = rule_of(&d, "ded-01").unwrap();
    assert_eq!(rule, Rule::Isolation);
    assert!(
        why.contains("dedicated stamp; the tenant is shared"),
        "{why}"
    );
    assert_eq!(d.rejected.len(), 6);
    assert_eq!(d.rejected_by_rule.iter().map(|(_, n)| n).sum::<u32>(), 6);
}

#[test]
fn least_loaded_spreads_and_preferred_regions_and_home_come_before_fit() {
    let fleet = eu_fleet();
    let least = PlacementPolicy {
        strategy: Strategy::LeastLoaded,
        ..PlacementPolicy::default()
    };
    let req = PlacementRequest::new(tenant("acme", 50, &[], Isolation::Shared));
    let d = place(&fleet, &req, &least);
    assert!(
        matches!(&d.outcome, Outcome::Place { stamp, .. } if stamp.as_str() == "iad-01"),
        "{:?}",
        d.outcome
    );

    let mut preferring = req.clone();
    preferring.preferred_regions = vec![
        RegionId::new("aws-eu-central-1").unwrap(),
        RegionId::new("azure-westeurope").unwrap(),
    ];
    let d = place(&fleet, &preferring, &PlacementPolicy::default());
    // fra-01 is full, so the first preferred region with room is West Europe.
    assert!(
        matches!(&d.outcome, Outcome::Place { stamp, .. } if stamp.as_str() == "ams-01"),
        "{:?}",
        d.outcome
    );
    assert_eq!(d.ranked[0].preferred_rank, Some(1));

    let mut near_virginia = req.clone();
    near_virginia.home = Some(GeoPoint {
        latitude: 38.9,
        longitude: -77.0,
    });
    let d = place(&fleet, &near_virginia, &PlacementPolicy::default());
    assert!(
        matches!(&d.outcome, Outcome::Place { stamp, .. } if stamp.as_str() == "iad-01"),
        "{:?}",
        d.outcome
    );
    assert!(d.ranked[0].distance_km.unwrap() < 500);
}

#[test]
fn one_customers_tenants_spread_over_stamps() {
    let fleet = eu_fleet();
    let mut req = PlacementRequest::new(tenant("acme-2", 50, &["NL"], Isolation::Shared));
    req.group_load.insert(StampId::new("ams-01").unwrap(), 1);
    let d = place(&fleet, &req, &PlacementPolicy::default());
    assert!(
        matches!(&d.outcome, Outcome::Place { stamp, .. } if stamp.as_str() == "ams-02"),
        "{:?}",
        d.outcome
    );
    let Outcome::Place { reason, .. } = &d.outcome else {
        unreachable!()
    };
    assert!(reason.contains("0 tenant(s) of the same group"), "{reason}");
}

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
        (
            "ams-01",
            "azure-westeurope",
            SHARED,
            1000,
            700,
            10,
            Active,
            Healthy,
        ),
        (
            "ded-01",
            "azure-westeurope",
            DEDICATED,
            500,
            10,
            1,
            Active,
            Healthy,
        ),
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
