//! Times the queries behind the map on an existing catalogue, in one process as the app
//! runs them: opening the catalogue once, then the overview and tenant queries (median
//! and max of several runs). Used by `.ci/bench-map`.
//! usage: cargo run --release -p fleet-ops --example fleet_queries -- CATALOGUE [RUNS]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use fleet_core::TenantQuery;
use fleet_ops::Fleet;

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:8.1} ms   max {:8.1} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: fleet_queries CATALOGUE [RUNS]");
    let runs: usize = args
        .next()
        .map_or(5, |r| r.parse().expect("RUNS is a number"));

    let started = Instant::now();
    let fleet = Fleet::open(path.as_ref())
        .await
        .expect("open the catalogue");
    println!(
        "open (integrity check included)   {:8.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );

    let overview = fleet.overview().await.unwrap();
    println!(
        "catalogue: {} stamps, {} regions, {} tenants",
        overview.stamps.len(),
        overview.regions.len(),
        overview.tenant_count
    );
    let stamp = overview.stamps[overview.stamps.len() / 2].stamp.id.clone();
    let region = overview.regions[0].region.id.clone();
    let page = |q: TenantQuery| TenantQuery { limit: 200, ..q };
    let cases: Vec<(&str, Option<TenantQuery>)> = vec![
        ("overview (stamps, regions, totals)", None),
        ("overview as JSON (what IPC sends)", None),
        (
            "tenants of one stamp (page of 200)",
            Some(page(TenantQuery {
                stamp: Some(stamp),
                ..Default::default()
            })),
        ),
        (
            "tenants of one region (page of 200)",
            Some(page(TenantQuery {
                region: Some(region),
                ..Default::default()
            })),
        ),
        (
            "tenant search, many matches",
            Some(page(TenantQuery {
                text: Some("t0999".into()),
                ..Default::default()
            })),
        ),
        (
            "tenant search, no match (full scan)",
            Some(page(TenantQuery {
                text: Some("no-such-tenant".into()),
                ..Default::default()
            })),
        ),
    ];
    for (i, (name, query)) in cases.into_iter().enumerate() {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            match &query {
                None if i == 0 => drop(fleet.overview().await.unwrap()),
                None => drop(serde_json::to_vec(&fleet.overview().await.unwrap()).unwrap()),
                Some(q) => drop(fleet.tenants(q).await.unwrap()),
            }
            times.push(t.elapsed());
        }
        println!("{name:<36} {}", summary(times));
    }
}
