//! Placement decisions and their explanations, one rule at a time, on a small fleet of
//! real built-in regions: ranking (best fit, least loaded, preferred regions, home) and
//! spreading one customer's tenants. Dedicated stamps, proposals and refusals are in
//! `placement_limits.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::placement::{
    place, GeoPoint, Outcome, PlacementPolicy, PlacementRequest, Rule, Strategy,
};
use fleet_core::{Isolation, RegionId, StampId};

mod support;
use support::*;

/// A refusal for health says why the health is not good when the caller knows.
#[test]
fn a_stamp_refused_for_health_carries_the_reason_its_check_gave() {
    let note = "unknown: no admin token for this stamp in the OS keychain".to_owned();
    let fleet = eu_fleet().with_health_notes([(StampId::new("fra-04").unwrap(), note.clone())]);
    let req = PlacementRequest::new(tenant("acme", 50, &["NL", "DE"], Isolation::Shared));
    let d = place(&fleet, &req, &PlacementPolicy::default());
    assert_eq!(
        rule_of(&d, "fra-04").unwrap(),
        (Rule::NotHealthy, format!("health: {note}"))
    );
    assert_eq!(
        rule_of(&d, "fra-03").unwrap(),
        (
            Rule::NotHealthy,
            "last health check was not healthy".to_owned()
        )
    );
}

#[test]
fn best_fit_picks_the_fullest_stamp_that_still_fits_and_explains_every_other() {
    let fleet = eu_fleet();
    let req = PlacementRequest::new(tenant("acme", 50, &["NL", "DE"], Isolation::Shared));
    let d = place(&fleet, &req, &PlacementPolicy::default());
    // ams-01 (700 + 50 of 800 usable) would fit tighter, but past the high band (75%)
    // while ams-02 in the same region stays under it; fra-01 (790) is full.
    assert!(
        matches!(&d.outcome, Outcome::Place { stamp, .. } if stamp.as_str() == "ams-02"),
        "{:?}",
        d.outcome
    );
    assert_eq!(d.ranked[0].free_after, 650);
    assert_eq!(d.ranked[1].stamp.as_str(), "ams-01");
    let Outcome::Place { reason, .. } = &d.outcome else {
        unreachable!()
    };
    assert!(
        reason.contains("best fit")
            && reason.contains("stays under the high band (70%)")
            && reason.contains("next best ams-01"),
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
    // fra-01 is full, so the first preferred region with room is West Europe (ams-02:
    // ams-01 would pass the high band).
    assert!(
        matches!(&d.outcome, Outcome::Place { stamp, .. } if stamp.as_str() == "ams-02"),
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

/// Under the high band, best fit still packs the fullest stamp; a tenant that lives on a
/// stamp (no home given) is kept in its region, then the nearest region, before packing
/// tighter, and the explanation says so.
#[test]
fn locality_then_the_high_band_then_the_fit() {
    let fleet = |ams_01_used: u32| {
        fleet(&[
            active("ams-01", "azure-westeurope", SHARED, 1000, ams_01_used, 5),
            active("ams-02", "azure-westeurope", SHARED, 1000, 100, 2),
            active("fra-09", "aws-eu-central-1", SHARED, 1000, 600, 5),
            active("iad-09", "aws-us-east-1", SHARED, 1000, 300, 5),
            (
                "iad-10",
                "aws-us-east-1",
                SHARED,
                1000,
                100,
                5,
                Draining,
                Healthy,
            ),
        ])
    };
    let chosen =
        |fleet: &fleet_core::placement::PlacementFleet, req: &PlacementRequest| match place(
            fleet,
            req,
            &PlacementPolicy::default(),
        )
        .outcome
        {
            Outcome::Place { stamp, reason } => (stamp.to_string(), reason),
            other => panic!("{other:?}"),
        };
    // Both West Europe stamps stay under 70% after it: the fuller one (best fit).
    let eu = PlacementRequest::new(tenant("acme", 50, &["NL"], Isolation::Shared));
    assert_eq!(chosen(&fleet(500), &eu).0, "ams-01");
    // Drained off iad-10: it stays in US East (iad-09), though fra-09 fits tighter.
    let mut drained = PlacementRequest::new(tenant("acme", 50, &[], Isolation::Shared));
    drained.current = Some(StampId::new("iad-10").unwrap());
    let (stamp, reason) = chosen(&fleet(500), &drained);
    assert_eq!(stamp, "iad-09", "{reason}");
    assert!(reason.contains("stays in its current region"), "{reason}");
    // A move the operator asks for names where it lives without pinning it there.
    let mut moved = drained.clone();
    (moved.current, moved.lives_on) = (None, Some(StampId::new("iad-10").unwrap()));
    assert_eq!(chosen(&fleet(500), &moved).0, "iad-09");
    // With no room left in its region, the nearest region with room (Europe's
    // nearest to Virginia is ranked by distance, then the band, then the fit).
    let mut big = PlacementRequest::new(tenant("acme", 750, &[], Isolation::Shared));
    big.current = Some(StampId::new("iad-10").unwrap());
    let (stamp, reason) = chosen(&fleet(0), &big);
    assert!(stamp.starts_with("ams-"), "{stamp}: {reason}");
    assert!(reason.contains("km from its current region"), "{reason}");
}
