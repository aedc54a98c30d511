//! The capacity forecast on a real catalogue file: usage recorded over days, a stamp
//! and its region projected to fill within the horizon, and the stamp to add proposed
//! as a plan action (offline: no agent runs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::plan::PlanAction;
use fleet_core::StampId;
use fleet_ops::Fleet;

#[tokio::test]
async fn a_growing_region_gets_a_proposed_stamp_before_it_fills() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet::open(&dir.path().join("c.sqlite")).await.unwrap();
    fleet.create_demo(false).await.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // fra-01: 480 of its 600 units usable under the 20% reserve; it grew 7 units a day.
    let fra = StampId::new("fra-01").unwrap();
    let samples: Vec<_> = (0..10)
        .map(|d| (fra.clone(), now - (10 - d) * 86_400, 340 + 7 * d as u32))
        .collect();
    fleet.record_usage(&samples).await.unwrap();
    // Two samples in one hour keep one (the later).
    fleet
        .record_usage(&[(fra.clone(), now - 86_400 + 10, 404)])
        .await
        .unwrap();

    let f = fleet.forecast(30, 30).await.unwrap();
    let stamp = f.stamps.iter().find(|s| s.stamp == fra).unwrap();
    let growth = stamp.growth_per_day.unwrap();
    assert!((growth - 7.0).abs() < 0.5, "{growth}");
    let view = fleet
        .overview()
        .await
        .unwrap()
        .stamps
        .into_iter()
        .find(|s| s.stamp.id == fra)
        .unwrap();
    let free = f64::from(view.capacity.total_units) * 0.8 - f64::from(view.capacity.used_units);
    let days = stamp.days_until_full.unwrap();
    assert!(
        (days - free / growth).abs() < 0.01 && days > 5.0 && days < 20.0,
        "{days}"
    );
    // A stamp with no history has no forecast.
    let tyo = f
        .stamps
        .iter()
        .find(|s| s.stamp.as_str() == "tyo-01")
        .unwrap();
    assert_eq!((tyo.growth_per_day, tyo.days_until_full), (None, None));
    match f.proposals.as_slice() {
        [PlanAction::AddStamp { stamp, region, .. }] => {
            assert_eq!(region.as_str(), "aws-eu-central-1");
            assert_eq!(stamp.as_str(), "fra-02");
        }
        other => panic!("{other:?}"),
    }
    // Beyond the horizon: nothing proposed.
    assert!(fleet.forecast(30, 5).await.unwrap().proposals.is_empty());

    fleet.new_plan("grow").await.unwrap();
    let plan = fleet.plan_forecast_into("grow", 30, 30).await.unwrap();
    assert_eq!(plan.actions.len(), 1);
    // Asked again, the forecast counts the stamp the plan adds: nothing more to add.
    let again = fleet.plan_forecast_into("grow", 30, 30).await.unwrap();
    assert_eq!(again.actions, plan.actions);

    // Over a year, one more stamp of fra-01's size is not enough: the proposal says how
    // many the region needs (7 units a day for 365 days, 480 usable units a stamp).
    let year = fleet.forecast(30, 365).await.unwrap();
    let needed = ((7.0 * 365.0 - free) / 480.0_f64).ceil() as usize;
    assert!(needed > 1);
    let ids: Vec<&str> = year
        .proposals
        .iter()
        .map(|p| match p {
            PlanAction::AddStamp { stamp, .. } => stamp.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids.len(), needed, "{ids:?}");
    assert_eq!(&ids[..2], ["fra-02", "fra-03"]);
}
