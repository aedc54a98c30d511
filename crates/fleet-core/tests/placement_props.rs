//! Properties of placement over generated fleets and tenants: residency is never broken,
//! usable capacity is never exceeded, a dedicated tenant never shares a stamp, a tenant
//! only lands on a template serving its tier, and the
//! same input gives the same answer. For single decisions and for batches.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::placement::{
    place, place_batch, CandidateHealth, Outcome, PlacementFleet, PlacementPolicy, PlacementRequest,
};
use fleet_core::{
    builtin_regions, Capacity, CountryCode, Isolation, Region, Residency, Stamp, StampId,
    StampStatus, StampTemplate, StampView, TemplateName, TemplateVersion, Tenant, TenantId, Tier,
};
use proptest::prelude::*;

/// A handful of regions in a few countries, so residency both matches and excludes.
fn regions() -> Vec<Region> {
    let ids = [
        "azure-westeurope",
        "aws-eu-central-1",
        "gcp-europe-west3",
        "aws-us-east-1",
        "azure-australiaeast",
        "gcp-asia-northeast1",
    ];
    builtin_regions()
        .unwrap()
        .into_iter()
        .filter(|r| ids.contains(&r.id.as_str()))
        .collect()
}

const COUNTRIES: [&str; 5] = ["NL", "DE", "US", "AU", "JP"];

#[derive(Debug, Clone)]
struct StampSpec {
    region: usize,
    dedicated: bool,
    premium_only: bool,
    capacity: u32,
    used_percent: u32,
    tenants: u32,
    active: bool,
    healthy: bool,
}

fn stamp_spec() -> impl Strategy<Value = StampSpec> {
    (
        0usize..6,
        (prop::bool::weighted(0.2), prop::bool::weighted(0.3)),
        50u32..2000,
        0u32..100,
        0u32..4,
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.9),
    )
        .prop_map(
            |(
                region,
                (dedicated, premium_only),
                capacity,
                used_percent,
                tenants,
                active,
                healthy,
            )| StampSpec {
                region,
                dedicated,
                premium_only,
                capacity,
                used_percent,
                tenants,
                active,
                healthy,
            },
        )
}

#[derive(Debug, Clone)]
struct TenantSpec {
    size: u32,
    countries: Vec<usize>,
    dedicated: bool,
    tier: usize,
}

fn tenant_spec() -> impl Strategy<Value = TenantSpec> {
    (
        1u32..600,
        prop::collection::vec(0usize..5, 0..3),
        prop::bool::weighted(0.1),
        0usize..4,
    )
        .prop_map(|(size, countries, dedicated, tier)| TenantSpec {
            size,
            countries,
            dedicated,
            tier,
        })
}

fn build(specs: &[StampSpec]) -> PlacementFleet {
    let regions = regions();
    let tpl = |name: &str, isolation, tiers: &[Tier]| StampTemplate {
        name: TemplateName::new(name).unwrap(),
        version: TemplateVersion::new("1.0.0").unwrap(),
        capacity_units: 1000,
        isolation,
        description: String::new(),
        tiers: tiers.to_vec(),
        release_notes: String::new(),
    };
    let templates = vec![
        tpl("shared", Isolation::Shared, &[]),
        tpl(
            "shared-premium",
            Isolation::Shared,
            &[Tier::Premium, Tier::Enterprise],
        ),
        tpl("dedicated", Isolation::Dedicated, &[]),
    ];
    let stamps: Vec<_> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let used = s.capacity * s.used_percent / 100;
            let tenants = if s.dedicated {
                s.tenants.min(1)
            } else {
                s.tenants
            };
            let used = if tenants == 0 { 0 } else { used };
            (
                StampView {
                    stamp: Stamp {
                        id: StampId::new(format!("s{i:03}")).unwrap(),
                        region: regions[s.region].id.clone(),
                        template: TemplateName::new(if s.dedicated {
                            "dedicated"
                        } else if s.premium_only {
                            "shared-premium"
                        } else {
                            "shared"
                        })
                        .unwrap(),
                        template_version: TemplateVersion::new("1.0.0").unwrap(),
                        capacity_units: s.capacity,
                        status: if s.active {
                            StampStatus::Active
                        } else {
                            StampStatus::Draining
                        },
                        endpoint: None,
                    },
                    capacity: Capacity::new(s.capacity, used),
                    tenant_count: tenants,
                    template_outdated: false,
                },
                if s.healthy {
                    CandidateHealth::Healthy
                } else {
                    CandidateHealth::Unhealthy
                },
            )
        })
        .collect();
    PlacementFleet::new(regions, templates, stamps)
}

fn tenant(i: usize, spec: &TenantSpec) -> Tenant {
    Tenant {
        id: TenantId::new(format!("t{i:04}")).unwrap(),
        display_name: format!("Tenant {i}"),
        tier: Tier::ALL[spec.tier],
        size_units: spec.size,
        residency: Residency {
            countries: spec
                .countries
                .iter()
                .map(|&c| CountryCode::new(COUNTRIES[c]).unwrap())
                .collect(),
            ..Residency::default()
        },
        isolation: if spec.dedicated {
            Isolation::Dedicated
        } else {
            Isolation::Shared
        },
        pinned: false,
        group: None,
    }
}

/// Checks one placement of `t` on candidate `i` of `fleet` (as it was before placing).
fn assert_allowed(fleet: &PlacementFleet, policy: &PlacementPolicy, t: &Tenant, i: usize) {
    let c = &fleet.candidates[i];
    let region = fleet.region(&c.region).unwrap();
    assert!(
        t.residency.allows(region),
        "{} placed in {} outside {}",
        t.id,
        region.id,
        t.residency.describe()
    );
    assert!(c.status == StampStatus::Active && c.health == CandidateHealth::Healthy);
    assert_eq!(
        c.dedicated,
        t.isolation == Isolation::Dedicated,
        "isolation mixed on {}",
        c.id
    );
    if c.dedicated {
        assert_eq!(c.tenants, 0, "dedicated stamp {} shared", c.id);
    }
    assert!(
        c.tiers & t.tier.bit() != 0,
        "{} ({} tier) placed on {}, whose template does not serve it",
        t.id,
        t.tier.as_str(),
        c.id
    );
    assert!(
        c.used + t.size_units <= policy.usable(c.capacity),
        "{} over usable capacity",
        c.id
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_single_decision_keeps_every_rule_and_is_deterministic(
        stamps in prop::collection::vec(stamp_spec(), 0..40),
        spec in tenant_spec(),
        reserve in 0u8..50,
    ) {
        let fleet = build(&stamps);
        let policy = PlacementPolicy { headroom_reserve_percent: reserve, ..PlacementPolicy::default() };
        let t = tenant(0, &spec);
        let req = PlacementRequest::new(t.clone());
        let decision = place(&fleet, &req, &policy);
        prop_assert_eq!(&decision, &place(&fleet, &req, &policy));
        let passing = fleet.candidates.len() - decision.rejected.len();
        match &decision.outcome {
            Outcome::Place { stamp, .. } => {
                assert_allowed(&fleet, &policy, &t, fleet.candidate_index(stamp).unwrap());
                prop_assert!(passing > 0);
            }
            Outcome::NewStamp { region, .. } => {
                prop_assert_eq!(passing, 0);
                prop_assert!(t.residency.allows(fleet.region(region).unwrap()));
            }
            Outcome::Refuse { .. } => prop_assert_eq!(passing, 0),
            Outcome::Stay { .. } => prop_assert!(false, "nothing is pinned here"),
        }
        for r in &decision.ranked {
            assert_allowed(&fleet, &policy, &t, fleet.candidate_index(&r.stamp).unwrap());
        }
    }

    #[test]
    fn a_batch_keeps_every_rule_and_is_deterministic(
        stamps in prop::collection::vec(stamp_spec(), 1..30),
        specs in prop::collection::vec(tenant_spec(), 0..120),
    ) {
        let policy = PlacementPolicy::default();
        let tenants: Vec<Tenant> = specs.iter().enumerate().map(|(i, s)| tenant(i, s)).collect();
        let refs: Vec<&Tenant> = tenants.iter().collect();
        let before = build(&stamps);
        let mut fleet = before.clone();
        let outcome = place_batch(&mut fleet, &refs, &policy);
        let mut again = before.clone();
        prop_assert_eq!(&outcome, &place_batch(&mut again, &refs, &policy));

        // Replay the assignments one by one on the starting fleet: each must be allowed
        // at the moment it is made (larger tenants were placed first).
        let mut replay = before.clone();
        let mut order: Vec<usize> = (0..tenants.len()).collect();
        order.sort_by(|&a, &b| tenants[b].size_units.cmp(&tenants[a].size_units).then(a.cmp(&b)));
        for t in order {
            if let Some(i) = outcome.assignments[t] {
                assert_allowed(&replay, &policy, &tenants[t], i);
                replay.add_load(i, tenants[t].size_units);
            }
        }
        prop_assert_eq!(outcome.unplaced, outcome.assignments.iter().filter(|a| a.is_none()).count());
        for (c, r) in fleet.candidates.iter().zip(&replay.candidates) {
            prop_assert_eq!(c.used, r.used);
        }
    }
}
