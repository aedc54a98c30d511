//! Tenant search through its index (SQLite FTS5 trigram, PostgreSQL pg_trgm; migration
//! 0020) on both backends: every result is what a plain substring test over the
//! document gives, an unselective search stops counting at the cap and still pages
//! through distinct matches, and the index follows single writes as well as a whole
//! catalogue replaced. Text under 3 characters, which no trigram index serves, is
//! found on SQLite from the tenants' text kept in memory (migration 0021): the same
//! results, and it follows the same writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use catalogue::Backend;
use fleet_core::{
    builtin_regions, synthetic::synthetic_fleet, tenant_views, CatalogueDocument, TenantId,
    TenantQuery,
};

fn search(text: &str, offset: u32, limit: u32) -> TenantQuery {
    TenantQuery {
        text: Some(text.to_owned()),
        offset,
        limit,
        ..TenantQuery::default()
    }
}

/// The matches by the domain's own rule (a substring of id or name, ASCII case
/// folded), by id.
fn expected(doc: &CatalogueDocument, text: &str) -> Vec<TenantId> {
    let q = search(text, 0, 0);
    tenant_views(doc)
        .into_iter()
        .filter(|v| q.matches(v, |_| None))
        .map(|v| v.tenant.id)
        .collect()
}

/// 2,500 synthetic tenants ("t00000000", "Tenant 0" ...), a few renamed to carry mixed
/// case, LIKE's wildcards and a backslash.
fn fleet() -> CatalogueDocument {
    let regions = builtin_regions().unwrap();
    let mut doc = synthetic_fleet(&regions, 20, 2500, 3).unwrap();
    doc.tenants[10].display_name = "Contoso 100% Uptime".to_owned();
    doc.tenants[11].display_name = "north_wind\\eu".to_owned();
    doc.tenants[12].display_name = "FABRIKAM Retail".to_owned();
    doc
}

#[tokio::test]
async fn every_search_finds_what_a_substring_test_finds() {
    let doc = fleet();
    let needles = [
        "enant 12",
        "ENANT 24",
        "t0000013",
        "0000249",
        "100%",
        "0% u",
        "h_w",
        "d\\e",
        "abrikam r",
        "retail",
        "nt 2",
        "99",
        "7",
        "zzz",
        // Under 3 characters (on SQLite from the text kept in memory): none, a few,
        // LIKE's wildcards and escape as plain characters, case folded.
        "q",
        "%",
        "_",
        "\\",
        "fA",
        "t000",
        "tenant 2499",
    ];
    for opened in support::each_with(&doc).await {
        let c = &opened.catalogue;
        for needle in needles {
            let want = expected(&doc, needle);
            let page = c.tenants(&search(needle, 0, 1000)).await.unwrap();
            let got: Vec<TenantId> = page.tenants.iter().map(|v| v.tenant.id.clone()).collect();
            let backend = opened.backend.name();
            if want.len() <= TenantQuery::COUNT_CAP as usize {
                assert!(!page.capped, "{backend} {needle:?}");
                assert_eq!(page.total as usize, want.len(), "{backend} {needle:?}");
                assert_eq!(got, want, "{backend} {needle:?}: by id, all of them");
            } else {
                assert!(page.capped, "{backend} {needle:?}: {} match", want.len());
                assert_eq!(page.total, TenantQuery::COUNT_CAP, "{backend} {needle:?}");
                let want: HashSet<&TenantId> = want.iter().collect();
                assert!(
                    got.iter().all(|id| want.contains(id)),
                    "{backend} {needle:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn an_unselective_search_is_capped_and_its_pages_cover_every_match_once() {
    let doc = fleet();
    for opened in support::each_with(&doc).await {
        let c = &opened.catalogue;
        let backend = opened.backend.name();
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = c.tenants(&search("tenant", offset, 700)).await.unwrap();
            assert!(page.capped, "{backend}: 2,500 match, more than the cap");
            assert_eq!(page.total, TenantQuery::COUNT_CAP);
            if page.tenants.is_empty() {
                break;
            }
            offset += page.tenants.len() as u32;
            seen.extend(page.tenants.into_iter().map(|v| v.tenant.id));
        }
        let distinct: HashSet<&TenantId> = seen.iter().collect();
        assert_eq!(
            distinct.len(),
            seen.len(),
            "{backend}: a tenant on two pages"
        );
        seen.sort();
        assert_eq!(seen, expected(&doc, "tenant"), "{backend}");
    }
}

#[tokio::test]
async fn the_index_follows_onboarding_removal_and_a_whole_catalogue_replaced() {
    let doc = fleet();
    for opened in support::each_with(&doc).await {
        let c = &opened.catalogue;
        let backend = opened.backend.name();
        assert!(
            c.tenant_search_indexed().await.unwrap(),
            "{backend}: the test server has pg_trgm; migration 0020 built the index"
        );
        // A short search first (on SQLite it reads the text into memory): the writes
        // below must be seen by the next one all the same.
        assert_eq!(c.tenants(&search("qu", 0, 50)).await.unwrap().total, 0);
        let mut newcomer = doc.tenants[0].clone();
        newcomer.id = TenantId::new("acme-quokka-7").unwrap();
        newcomer.display_name = "Quokka Logistics".to_owned();
        c.begin_onboarding(&newcomer, "{}", "test").await.unwrap();
        let found = c.tenants(&search("OKKA LOG", 0, 50)).await.unwrap();
        assert_eq!(found.total, 1, "{backend}: the onboarded tenant by name");
        assert_eq!(found.tenants[0].tenant.id, newcomer.id);
        let short = c.tenants(&search("QU", 0, 50)).await.unwrap();
        assert_eq!(
            short.total, 1,
            "{backend}: the onboarded tenant by 2 characters"
        );
        assert_eq!(short.tenants[0].tenant.id, newcomer.id);
        assert_eq!(
            c.tenants(&search("quokka-7", 0, 50)).await.unwrap().total,
            1,
            "{backend}: by id"
        );

        let gone = &doc.tenants[12];
        assert_eq!(
            c.tenants(&search("fabrikam", 0, 50)).await.unwrap().total,
            1
        );
        assert!(c
            .remove_offboarded_tenant(&gone.id, "file:///exported", "test")
            .await
            .unwrap());
        assert_eq!(
            c.tenants(&search("fabrikam", 0, 50)).await.unwrap().total,
            0,
            "{backend}: a removed tenant is not found"
        );
        assert_eq!(
            c.tenants(&search("fa", 0, 50)).await.unwrap().total,
            0,
            "{backend}: nor by 2 characters"
        );

        let mut replaced = doc.clone();
        replaced.tenants[5].display_name = "Wombat Freight".to_owned();
        let routing = c.routing_version().await.unwrap();
        c.replace_all(&replaced, "test").await.unwrap();
        assert_eq!(
            c.tenants(&search("wo", 0, 50)).await.unwrap().total,
            1,
            "{backend}: a name from the new document, by 2 characters"
        );
        assert!(
            c.routing_version().await.unwrap() > routing,
            "{backend}: routers see the whole catalogue's write as a new routing version"
        );
        let after = c.overview(&builtin_regions().unwrap()).await.unwrap();
        let expected = fleet_core::FleetOverview::build(&replaced, &builtin_regions().unwrap());
        assert_eq!(
            after, expected,
            "{backend}: the stamps' loads counted again"
        );
        // Single writes after the bulk one: the triggers are back.
        let routing = c.routing_version().await.unwrap();
        let view = c.tenant(&replaced.tenants[6].id).await.unwrap().unwrap();
        assert!(view.stamp.is_some());
        assert!(c
            .remove_offboarded_tenant(&replaced.tenants[6].id, "file:///exported", "test")
            .await
            .unwrap());
        assert!(c.routing_version().await.unwrap() > routing, "{backend}");
        let loads = c.overview(&builtin_regions().unwrap()).await.unwrap();
        assert_eq!(
            loads.tenant_count + 1,
            after.tenant_count,
            "{backend}: one tenant fewer"
        );
        let used = |o: &fleet_core::FleetOverview| o.totals.used_units;
        assert_eq!(
            used(&loads) + replaced.tenants[6].size_units,
            used(&after),
            "{backend}: its units freed on its stamp"
        );
        assert_eq!(c.tenants(&search("quokka", 0, 50)).await.unwrap().total, 0);
        assert_eq!(
            c.tenants(&search("mbat fre", 0, 50)).await.unwrap().total,
            1,
            "{backend}: a name from the new document"
        );
        assert_eq!(
            c.tenants(&search("fabrikam", 0, 50)).await.unwrap().total,
            1,
            "{backend}: the document brings it back"
        );
        if opened.backend == Backend::Sqlite {
            // FTS5's own check: the index holds exactly what the tenants table says.
            let pool = support::raw_pool(&opened.url).await;
            sqlx::query(
                "INSERT INTO tenant_search (tenant_search, rank) VALUES ('integrity-check', 1)",
            )
            .execute(&pool)
            .await
            .expect("the search index agrees with the tenants table");
        }
    }
}
