//! A drain in the real window: the stamp's Drain… opens on a preview of where each
//! tenant would go (nothing moves yet), Start moves them, and every tenant that left
//! stays in its region (West Europe has a second stamp with room under the high band).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use fleet_core::{RegionId, StampId, TenantId, TenantQuery};
use fleet_ops::Fleet;
use stampfleet_e2e::AppSession;

const DRAINED: &str = "weu-01";

/// The tenants that live on `stamp`.
async fn tenants_of(fleet: &Fleet, stamp: &str) -> Vec<TenantId> {
    let query = TenantQuery {
        stamp: Some(StampId::new(stamp).unwrap()),
        limit: TenantQuery::MAX_LIMIT,
        ..TenantQuery::default()
    };
    let page = fleet.tenants(&query).await.unwrap();
    page.tenants.into_iter().map(|v| v.tenant.id).collect()
}

/// The region each tenant lives in now.
async fn regions_of(fleet: &Fleet, tenants: &[TenantId]) -> BTreeMap<TenantId, RegionId> {
    let overview = fleet.overview().await.unwrap();
    let mut regions = BTreeMap::new();
    for id in tenants {
        let stamp = fleet.tenant(id).await.unwrap().unwrap().stamp.unwrap();
        let region = overview
            .stamps
            .iter()
            .find(|s| s.stamp.id == stamp)
            .unwrap()
            .stamp
            .region
            .clone();
        regions.insert(id.clone(), region);
    }
    regions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_previews_its_targets_then_keeps_every_tenant_in_its_region() {
    let (_dir, catalogue, app) = AppSession::start_on_demo().await;
    let fleet = Fleet::open(&catalogue).await.unwrap();
    let before = tenants_of(&fleet, DRAINED).await;
    assert!(before.len() > 2, "the demo's {DRAINED} holds tenants");

    // The stamp opens in the drawer beside the map; Drain… shows the targets first.
    app.click(&format!(
        "[data-testid=stamp-row][data-stamp-id={DRAINED}] td"
    ))
    .await;
    app.find(&format!(
        "[data-testid=side-drawer][data-showing=stamp] [data-testid=stamp-detail][data-stamp-id={DRAINED}]"
    ))
    .await;
    app.click("[data-testid=drain-button]").await;
    let items = app
        .find_n(
            "[data-testid=drain-preview] [data-testid=drain-item]",
            before.len(),
        )
        .await;
    let mut staying = 0;
    for item in &items {
        let (state, text) = (
            item.attr("data-state").await.unwrap().unwrap_or_default(),
            item.text().await.unwrap(),
        );
        if state == "stays" {
            staying += 1;
        } else {
            assert!(text.contains("weu-02"), "previewed: {text}");
        }
    }
    app.screenshot("drain-preview.png").await;
    assert_eq!(
        tenants_of(&fleet, DRAINED).await.len(),
        before.len(),
        "the preview moves nothing"
    );

    app.click("[data-testid=drain-confirm]").await;
    app.wait_text("[data-testid=drain-done]", "moved").await;
    app.screenshot("drain-done.png").await;

    let left: Vec<TenantId> = {
        let still = tenants_of(&fleet, DRAINED).await;
        assert_eq!(still.len(), staying, "only the pinned stay");
        before.into_iter().filter(|t| !still.contains(t)).collect()
    };
    for (tenant, region) in regions_of(&fleet, &left).await {
        assert_eq!(
            region.as_str(),
            "azure-westeurope",
            "{tenant} left its region"
        );
    }
    app.stop().await;
}
