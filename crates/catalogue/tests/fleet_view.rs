//! The map's queries on both backends (a real SQLite file, a real PostgreSQL database):
//! the overview from SQL aggregates equals the one built from the whole document, and
//! tenant queries filter, search and page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use catalogue::Backend;
use fleet_core::{
    builtin_regions, demo::demo_fleet, synthetic::synthetic_fleet, tenant_views, FleetOverview,
    RegionId, StampId, TenantQuery,
};

fn query() -> TenantQuery {
    TenantQuery {
        limit: 1000,
        ..TenantQuery::default()
    }
}

#[tokio::test]
async fn overview_from_aggregates_equals_overview_from_the_document() {
    let regions = builtin_regions().unwrap();
    for doc in [
        demo_fleet(&regions).unwrap(),
        synthetic_fleet(&regions, 120, 3000, 7).unwrap(),
    ] {
        for opened in support::each_with(&doc).await {
            let (c, on) = (&opened.catalogue, opened.backend.name());
            let from_sql = c.overview(&c.regions().await.unwrap()).await.unwrap();
            assert_eq!(from_sql, FleetOverview::build(&doc, &regions), "{on}");
            assert_eq!(from_sql.tenant_count as usize, doc.tenants.len(), "{on}");
            let used: u32 = doc.tenants.iter().map(|t| t.size_units).sum();
            assert_eq!(from_sql.totals.used_units, used, "{on}");
        }
    }
}

#[tokio::test]
async fn stamp_loads_follow_moves_resizes_and_removals() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let opened = support::open_new(backend).await;
        let regions = builtin_regions().unwrap();
        let mut doc = demo_fleet(&regions).unwrap();
        let c = &opened.catalogue;
        c.replace_all(&doc, "test").await.unwrap();
        let pool = support::raw_pool(&opened.url).await;
        let moved = doc.bindings[0].tenant.clone();
        let target = doc
            .stamps
            .iter()
            .find(|s| s.id != doc.bindings[0].stamp)
            .unwrap()
            .id
            .clone();
        let resized = doc.bindings[1].tenant.clone();
        let removed = doc.bindings[2].tenant.clone();
        for (sql, binds) in [
            (
                "UPDATE bindings SET stamp = $1 WHERE tenant = $2",
                vec![target.to_string(), moved.to_string()],
            ),
            (
                "UPDATE tenants SET size_units = size_units + 7 WHERE id = $1",
                vec![resized.to_string()],
            ),
            (
                "DELETE FROM bindings WHERE tenant = $1",
                vec![removed.to_string()],
            ),
        ] {
            let mut q = sqlx::query(sql);
            for b in binds {
                q = q.bind(b);
            }
            q.execute(&pool).await.unwrap();
        }
        pool.close().await;
        doc.bindings[0].stamp = target;
        doc.tenants
            .iter_mut()
            .find(|t| t.id == resized)
            .unwrap()
            .size_units += 7;
        doc.bindings.retain(|b| b.tenant != removed);

        let from_sql = c.overview(&c.regions().await.unwrap()).await.unwrap();
        assert_eq!(from_sql, FleetOverview::build(&doc, &regions));
        assert_eq!(from_sql.unplaced_tenants, 1);

        // Replacing everything recomputes every load from scratch.
        let other = synthetic_fleet(&regions, 9, 400, 3).unwrap();
        c.replace_all(&other, "test").await.unwrap();
        let from_sql = c.overview(&c.regions().await.unwrap()).await.unwrap();
        assert_eq!(from_sql, FleetOverview::build(&other, &regions));
    }
}

#[tokio::test]
async fn tenants_by_stamp_region_and_text_match_the_document() {
    let regions = builtin_regions().unwrap();
    let doc = demo_fleet(&regions).unwrap();
    for opened in support::each_with(&doc).await {
        let c = &opened.catalogue;
        let all = tenant_views(&doc);
        let region_of = |s: &StampId| {
            doc.stamps
                .iter()
                .find(|x| &x.id == s)
                .map(|x| x.region.clone())
        };
        let stamp = doc.stamps[0].id.clone();
        let region = doc.stamps[0].region.clone();
        let first_name = all[3].tenant.display_name.to_uppercase();
        let cases = [
            query(),
            TenantQuery {
                stamp: Some(stamp.clone()),
                ..query()
            },
            TenantQuery {
                region: Some(region.clone()),
                ..query()
            },
            TenantQuery {
                text: Some(first_name[..4].to_owned()),
                ..query()
            },
            TenantQuery {
                region: Some(region),
                text: Some("a".to_owned()),
                ..query()
            },
        ];
        for q in cases {
            let expected: Vec<_> = all
                .iter()
                .filter(|v| q.matches(v, region_of))
                .cloned()
                .collect();
            let page = c.tenants(&q).await.unwrap();
            assert!(
                !expected.is_empty(),
                "{q:?} matches nothing; pick another case"
            );
            assert_eq!(page.total as usize, expected.len(), "{q:?}");
            assert_eq!(page.tenants, expected, "{q:?}");
        }
    }
}

#[tokio::test]
async fn text_is_literal_not_a_like_pattern_and_pages_cover_everything_once() {
    let regions = builtin_regions().unwrap();
    let doc = demo_fleet(&regions).unwrap();
    for opened in support::each_with(&doc).await {
        let c = &opened.catalogue;
        for literal in ["%", "_", "\\"] {
            let page = c
                .tenants(&TenantQuery {
                    text: Some(literal.to_owned()),
                    ..query()
                })
                .await
                .unwrap();
            assert_eq!(page.total, 0, "{literal:?} must match only itself");
        }
        let blank = c
            .tenants(&TenantQuery {
                text: Some("   ".to_owned()),
                ..query()
            })
            .await
            .unwrap();
        assert_eq!(blank.total as usize, doc.tenants.len());

        let mut seen = Vec::new();
        let mut q = TenantQuery {
            limit: 7,
            ..query()
        };
        loop {
            let page = c.tenants(&q).await.unwrap();
            assert_eq!(page.total as usize, doc.tenants.len());
            if page.tenants.is_empty() {
                break;
            }
            q.offset += page.tenants.len() as u32;
            seen.extend(page.tenants.into_iter().map(|v| v.tenant.id));
        }
        let expected: Vec<_> = tenant_views(&doc)
            .into_iter()
            .map(|v| v.tenant.id)
            .collect();
        assert_eq!(seen, expected);
    }
}

#[tokio::test]
async fn an_unknown_stamp_or_region_matches_nothing_and_the_limit_is_capped() {
    let regions = builtin_regions().unwrap();
    let doc = synthetic_fleet(&regions, 3, 2500, 1).unwrap();
    for opened in support::each_with(&doc).await {
        let c = &opened.catalogue;
        let none = c
            .tenants(&TenantQuery {
                stamp: Some(StampId::new("no-such-stamp").unwrap()),
                ..query()
            })
            .await
            .unwrap();
        assert_eq!((none.total, none.tenants.len()), (0, 0));
        let none = c
            .tenants(&TenantQuery {
                region: Some(RegionId::new("azure-nowhere").unwrap()),
                ..query()
            })
            .await
            .unwrap();
        assert_eq!(none.total, 0);
        let capped = c
            .tenants(&TenantQuery {
                limit: u32::MAX,
                ..query()
            })
            .await
            .unwrap();
        assert_eq!(
            (capped.total, capped.tenants.len() as u32),
            (2500, TenantQuery::MAX_LIMIT)
        );
    }
}

#[tokio::test]
async fn search_follows_every_change_and_quotes_are_literal() {
    let regions = builtin_regions().unwrap();
    let doc = demo_fleet(&regions).unwrap();
    for opened in support::each_with(&doc).await {
        let c = &opened.catalogue;
        let search = |text: &str| TenantQuery {
            text: Some(text.to_owned()),
            ..query()
        };
        for literal in ["%%%", "\"ab\"", "a\"b", "___"] {
            assert_eq!(
                c.tenants(&search(literal)).await.unwrap().total,
                0,
                "{literal:?}"
            );
        }
        let gone = doc.tenants[0].clone();
        let renamed = doc.tenants[1].id.clone();
        let name = gone.display_name.to_lowercase();
        assert!(c.tenants(&search(&name)).await.unwrap().total >= 1);
        // The whole catalogue replaced: one tenant gone, another renamed.
        let mut changed = doc.clone();
        changed.tenants.remove(0);
        changed.bindings.retain(|b| b.tenant != gone.id);
        changed.tenants[0].display_name = "Zyxwvut Renamed".to_owned();
        c.replace_all(&changed, "test").await.unwrap();
        let found = c.tenants(&search(&name)).await.unwrap();
        assert!(
            found.tenants.iter().all(|v| v.tenant.id != gone.id),
            "{name}: {found:?}"
        );
        let page = c.tenants(&search("XWVU")).await.unwrap();
        assert_eq!(
            page.tenants
                .iter()
                .map(|v| &v.tenant.id)
                .collect::<Vec<_>>(),
            [&renamed]
        );
    }
}

#[tokio::test]
async fn a_replace_leaving_out_a_stamp_with_usage_history_drops_that_history_only() {
    let regions = builtin_regions().unwrap();
    let doc = demo_fleet(&regions).unwrap();
    for opened in support::each_with(&doc).await {
        let c = &opened.catalogue;
        let backend = opened.backend.name();
        // The health watcher samples usage while the fleet runs.
        let (gone, kept) = (doc.stamps[0].id.clone(), doc.stamps[1].id.clone());
        c.record_usage(&[(gone.clone(), 3600, 10), (kept.clone(), 3600, 20)])
            .await
            .unwrap();
        // A document without the first stamp (and what lived there): the demo's own
        // rollback, or an import of another fleet, writes this.
        let mut without = doc.clone();
        without.stamps.retain(|s| s.id != gone);
        let homeless: Vec<_> = without
            .bindings
            .iter()
            .filter(|b| b.stamp == gone)
            .map(|b| b.tenant.clone())
            .collect();
        without.bindings.retain(|b| b.stamp != gone);
        without.tenants.retain(|t| !homeless.contains(&t.id));
        c.replace_all(&without, "test")
            .await
            .unwrap_or_else(|e| panic!("{backend}: {e}"));
        let usage = c.usage_since(0).await.unwrap();
        assert!(!usage.contains_key(&gone), "{backend}");
        assert_eq!(
            usage[&kept].len(),
            1,
            "{backend}: the other stamp's history stays"
        );
        assert_eq!(
            c.document().await.unwrap().stamps,
            without.stamps,
            "{backend}"
        );
    }
}
