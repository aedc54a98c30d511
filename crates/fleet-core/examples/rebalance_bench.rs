//! Rebalance benchmark: a synthetic fleet (100,000 tenants on 1,000 stamps by default,
//! ~60% used on average), planned under a utilization limit; time and the plan's cost
//! against its lower bounds.
//! usage: cargo run --release -p fleet-core --example rebalance_bench -- [STAMPS] [TENANTS] [LIMIT%]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use fleet_core::rebalance::plan_rebalance;
use fleet_core::{builtin_regions, synthetic::synthetic_fleet};

fn main() {
    let mut args = std::env::args().skip(1);
    let stamps: u32 = args.next().map_or(1_000, |a| a.parse().unwrap());
    let tenants: u32 = args.next().map_or(100_000, |a| a.parse().unwrap());
    let limit: u8 = args.next().map_or(62, |a| a.parse().unwrap());
    let regions = builtin_regions().unwrap();
    let doc = synthetic_fleet(&regions, stamps, tenants, 1).unwrap();
    println!("workload: {stamps} stamps, {tenants} tenants (synthetic, seed 1), limit {limit}%");
    let mut times = Vec::new();
    let mut plan = None;
    for _ in 0..3 {
        let t = Instant::now();
        plan = Some(plan_rebalance(&doc, &regions, limit));
        times.push(t.elapsed().as_secs_f64());
    }
    let plan = plan.unwrap();
    times.sort_by(f64::total_cmp);
    println!(
        "  planned in {:.3} s (median of 3: {:.3} / {:.3} / {:.3})",
        times[1], times[0], times[1], times[2]
    );
    println!(
        "  stamps over the limit: {}; moves {} (lower bound {}, +{:.1}%); units moved {} (lower bound {}, +{:.1}%); unresolved {}",
        plan.stamps_over_before,
        plan.moves.len(),
        plan.lower_bound_moves,
        (plan.moves.len() as f64 / f64::from(plan.lower_bound_moves.max(1)) - 1.0) * 100.0,
        plan.moved_units,
        plan.lower_bound_units,
        (plan.moved_units as f64 / plan.lower_bound_units.max(1) as f64 - 1.0) * 100.0,
        plan.unresolved.len()
    );
    println!(
        "  locality: {} of {} moves leave their region; {} km moved in all ({:.0} km per move)",
        plan.cross_region_moves,
        plan.moves.len(),
        plan.distance_km,
        plan.distance_km as f64 / plan.moves.len().max(1) as f64
    );
}
