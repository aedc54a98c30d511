//! "No stamp fits" in one step, on the demo fleet's real agents: a Japanese tenant that
//! needs a dedicated stamp gets the one placement proposes, provisioned and onboarded as
//! one journaled operation; a kill between the halves is finished by `stampctl resume`,
//! a kill before the stamp exists ends the run failed, saying why.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use fleet_core::{StampId, StampStatus, TenantId};
use fleet_ops::catalogue::{Catalogue, OperationState};
use fleet_ops::{ErrorCode, ProvisionAndOnboard, PROVISION_ONBOARD_KIND};
use testkit::{assert_error, assert_succeeded, stampctl};

const JAPANESE: [&str; 11] = [
    "tenant",
    "onboard",
    "nintendo-prod",
    "--name",
    "Nintendo",
    "--size",
    "100",
    "--tier",
    "enterprise",
    "--country",
    "JP",
];

/// The provision-and-onboard runs of the catalogue at `path`: (state, step, detail).
async fn runs(path: &Path) -> Vec<(OperationState, String, String)> {
    let c = Catalogue::open_location(&path.to_string_lossy())
        .await
        .unwrap();
    let ops = c.operations(100).await.unwrap();
    ops.into_iter()
        .filter(|o| o.kind == PROVISION_ONBOARD_KIND)
        .map(|o| (o.state, o.step, o.detail))
        .collect()
}

#[tokio::test]
async fn a_tenant_no_stamp_fits_gets_the_proposed_stamp_and_lands_on_it_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, catalogue, _stop) = testkit::demo::demo_fleet(dir.path(), true).await;
    let mut place =
        testkit::demo::place_of(testkit::demo::small_tenant("nintendo-prod", "Nintendo"));
    place.tenant.isolation = fleet_core::Isolation::Dedicated;
    place.tenant.residency.countries = vec![fleet_core::CountryCode::new("JP").unwrap()];
    let request = ProvisionAndOnboard {
        place,
        stamp: StampId::new("tyo-ded-01").unwrap(),
    };
    let steps = std::sync::Mutex::new(Vec::new());
    let view = fleet
        .provision_and_onboard(&request, &|p| steps.lock().unwrap().push(p.percent))
        .await
        .unwrap();
    assert_eq!(view.stamp.as_ref().map(StampId::as_str), Some("tyo-ded-01"));
    let stamp = fleet
        .stamp_detail(&request.stamp)
        .await
        .unwrap()
        .stamp
        .stamp;
    assert_eq!(
        (stamp.status, stamp.region.as_str(), stamp.template.as_str()),
        (StampStatus::Active, "gcp-asia-northeast1", "dedicated")
    );
    let steps = steps.into_inner().unwrap();
    assert!(
        steps.windows(2).all(|w| w[0] <= w[1]) && steps.last() == Some(&100),
        "{steps:?}"
    );
    assert_eq!(
        runs(&catalogue).await,
        [(OperationState::Succeeded, "done".to_owned(), String::new())]
    );

    // A tenant that fits an existing stamp is not given a new one.
    let small = ProvisionAndOnboard {
        place: testkit::demo::place_of(testkit::demo::small_tenant("small-shop", "Small Shop")),
        stamp: StampId::new("weu-09").unwrap(),
    };
    let err = fleet
        .provision_and_onboard(&small, &|_| {})
        .await
        .unwrap_err();
    assert_error(&err, ErrorCode::Conflict, "does not propose a new stamp");
    assert!(
        fleet.stamp_detail(&small.stamp).await.is_err(),
        "no stamp was made"
    );
}

#[tokio::test]
async fn a_run_killed_after_the_stamp_is_finished_by_resume_and_one_killed_before_ends_failed() {
    let dir = tempfile::tempdir().unwrap();
    let (_fleet, catalogue, _stop) = testkit::demo::demo_fleet(dir.path(), true).await;
    let mut args = JAPANESE.to_vec();
    args.extend(["--dedicated", "--new-stamp", "tyo-ded-01"]);

    let out = stampctl(&catalogue, &args, Some("provision-onboard:onboarding"));
    assert!(!out.status.success(), "the run was killed");
    assert_succeeded(&stampctl(&catalogue, &["resume"], None), "stampctl resume");
    let fleet = fleet_ops::Fleet::open(&catalogue).await.unwrap();
    let view = fleet
        .tenant(&TenantId::new("nintendo-prod").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.stamp.as_ref().map(StampId::as_str), Some("tyo-ded-01"));
    assert_eq!(runs(&catalogue).await[0].0, OperationState::Succeeded);

    let mut args = JAPANESE.to_vec();
    args[2] = "sony-prod";
    args.extend(["--dedicated", "--new-stamp", "tyo-ded-02"]);
    let out = stampctl(&catalogue, &args, Some("provision-onboard:provisioning"));
    assert!(!out.status.success(), "the run was killed");
    assert_succeeded(&stampctl(&catalogue, &["resume"], None), "stampctl resume");
    let all = runs(&catalogue).await;
    let (state, step, detail) = &all[0];
    assert_eq!((state, step.as_str()), (&OperationState::Failed, "failed"));
    assert_eq!(
        detail,
        "stamp tyo-ded-02 was never created; onboard the tenant again"
    );
}

#[tokio::test]
async fn provision_these_adds_the_stamps_a_tenant_file_needs_and_a_second_run_adds_none() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _catalogue, _stop) = testkit::demo::demo_fleet(dir.path(), true).await;
    // Two Japanese tenants on dedicated stamps: there is none in Japan.
    let text = "id,name,tier,size,countries,geographies,regions,isolation,preferred\n\
                kyoto-bank,Kyoto Bank,enterprise,5,JP,,,dedicated,\n\
                osaka-bank,Osaka Bank,enterprise,5,JP,,,dedicated,\n";
    let before = fleet.check_tenant_import("jp.csv", text).await.unwrap();
    assert_eq!((before.to_place, before.need_new_stamp), (0, 2));
    assert_eq!(before.new_stamps.len(), 1);
    assert_eq!(
        before.new_stamps[0].stamps, 2,
        "a dedicated stamp holds one tenant"
    );

    let steps = std::sync::Mutex::new(Vec::new());
    let after = fleet
        .provision_import_stamps("jp.csv", text, &|p| steps.lock().unwrap().push(p.message))
        .await
        .unwrap();
    let steps = steps.into_inner().unwrap();
    assert!(
        steps[0].starts_with("Provisioning asi-01 (dedicated@2.1.0)"),
        "{steps:?}"
    );
    assert!(
        steps[1].starts_with("Provisioning asi-02 (dedicated@2.1.0)"),
        "{steps:?}"
    );
    assert_eq!((after.to_place, after.need_new_stamp), (2, 0));
    // Run again, it finds nothing more to provision.
    let again = fleet
        .provision_import_stamps("jp.csv", text, &|_| {})
        .await
        .unwrap();
    assert_eq!((again.to_place, again.need_new_stamp), (2, 0));
    assert_eq!(fleet.overview().await.unwrap().stamps.len(), 10);

    let applied = fleet
        .apply_tenant_import("jp.csv", text, &|_| {})
        .await
        .unwrap();
    assert_eq!((applied.onboarded, applied.stopped.as_deref()), (2, None));
    let mut homes = Vec::new();
    for tenant in ["kyoto-bank", "osaka-bank"] {
        let view = fleet
            .tenant(&TenantId::new(tenant).unwrap())
            .await
            .unwrap()
            .unwrap();
        homes.push(view.stamp.unwrap().to_string());
    }
    homes.sort();
    assert_eq!(homes, ["asi-01", "asi-02"], "each on a new dedicated stamp");
}
