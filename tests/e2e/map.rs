//! The map in the real window, on the demo fleet with its real local stamps: markers are
//! drawn, a click on a region scopes the stamps, a stamp lists its tenants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{builtin_regions, demo::demo_fleet};
use serde_json::Value;
use stampfleet_e2e::AppSession;

const REGION: &str = "azure-australiaeast";
const STAMP: &str = "syd-01";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_drills_down_from_region_to_stamp_to_tenants() {
    let demo = demo_fleet(&builtin_regions().unwrap()).unwrap();
    let stamps_in_region = demo
        .stamps
        .iter()
        .filter(|s| s.region.as_str() == REGION)
        .count();
    let tenants_on_stamp: Vec<&str> = demo
        .bindings
        .iter()
        .filter(|b| b.stamp.as_str() == STAMP)
        .map(|b| b.tenant.as_str())
        .collect();
    assert!(stamps_in_region > 0 && !tenants_on_stamp.is_empty());

    let (_dir, _, app) = AppSession::start_in_new_dir().await;
    app.click("[data-testid=create-demo]").await;

    // The app opens on the map, with markers drawn for the demo fleet.
    let painted = app.find("[data-painted=true]").await;
    let drawn: u32 = painted
        .attr("data-marker-count")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    assert!(drawn > 0, "no markers drawn");
    let canvas = app.find("[data-testid=world-map]").await;
    let markers: Value =
        serde_json::from_str(&canvas.attr("data-markers").await.unwrap().unwrap()).unwrap();
    let sydney = markers
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == REGION)
        .unwrap_or_else(|| panic!("no marker for {REGION} in {markers}"));
    let (x, y) = (sydney["x"].as_f64().unwrap(), sydney["y"].as_f64().unwrap());

    // Click the region: the stamp list narrows to its stamps.
    app.click_at(&canvas, x, y).await;
    let rows = app
        .find_n("[data-testid=stamp-row]", stamps_in_region)
        .await;
    for row in &rows {
        let id = row.attr("data-stamp-id").await.unwrap().unwrap();
        let stamp = demo.stamps.iter().find(|s| s.id.as_str() == id).unwrap();
        assert_eq!(stamp.region.as_str(), REGION, "{id} is not in {REGION}");
    }

    // Click a stamp: its tenants, from the catalogue, are listed.
    app.click(&format!(
        "[data-testid=stamp-row][data-stamp-id={STAMP}] td.id"
    ))
    .await;
    let tenant_rows = app
        .find_n("[data-testid=tenant-row]", tenants_on_stamp.len())
        .await;
    for row in tenant_rows {
        let id = row.attr("data-tenant-id").await.unwrap().unwrap();
        assert!(
            tenants_on_stamp.contains(&id.as_str()),
            "{id} is not on {STAMP}"
        );
    }
    app.client
        .execute("window.scrollTo(0, 0)", vec![])
        .await
        .unwrap();
    let shot = app.screenshot("map-drilldown.png").await;
    println!("screenshot: {}", shot.display());
    app.stop().await;
}
