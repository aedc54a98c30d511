//! Placement benchmark: one decision over 10,000 stamps (p50/p99), a batch of 1,000,000
//! tenants onto 10,000 empty stamps against the lower bound, and the seed pattern's
//! algorithm on the same workload, side by side.
//! usage: cargo run --release -p fleet-core --example placement_bench -- [STAMPS] [TENANTS]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use fleet_core::placement::seed::seed_place;
use fleet_core::placement::{
    decide, place, place_batch, CandidateHealth, PlacementFleet, PlacementPolicy, PlacementRequest,
};
use fleet_core::{builtin_regions, synthetic::synthetic_fleet, Capacity, FleetOverview, Tenant};

fn quantile(times: &mut [Duration], q: f64) -> f64 {
    times.sort();
    let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
    times[i].as_secs_f64() * 1e6
}

/// Stamps used, and the spread (standard deviation) of utilization over them.
fn packing(fleet: &PlacementFleet) -> (usize, f64) {
    let used: Vec<f64> = fleet
        .candidates
        .iter()
        .filter(|c| c.tenants > 0)
        .map(|c| f64::from(c.used) / f64::from(c.capacity))
        .collect();
    let mean = used.iter().sum::<f64>() / used.len().max(1) as f64;
    let var = used.iter().map(|u| (u - mean).powi(2)).sum::<f64>() / used.len().max(1) as f64;
    (used.len(), var.sqrt() * 100.0)
}

fn residency_violations(
    fleet: &PlacementFleet,
    tenants: &[&Tenant],
    at: &[Option<usize>],
) -> usize {
    tenants
        .iter()
        .zip(at)
        .filter(|(t, a)| {
            a.is_some_and(|i| {
                let c = &fleet.candidates[i];
                !fleet
                    .region(&c.region)
                    .is_some_and(|r| t.residency.allows(r))
            })
        })
        .count()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let stamps: u32 = args.next().map_or(10_000, |a| a.parse().unwrap());
    let tenants: u32 = args.next().map_or(1_000_000, |a| a.parse().unwrap());
    let regions = builtin_regions().unwrap();
    let doc = synthetic_fleet(&regions, stamps, tenants, 1).unwrap();
    let policy = PlacementPolicy::default();
    println!(
        "workload: {stamps} stamps over {} regions, {tenants} tenants (synthetic, seed 1)",
        regions.len()
    );

    // One decision at a time, on the fleet as the catalogue holds it (~60% used).
    let overview = FleetOverview::build(&doc, &regions);
    let loaded = PlacementFleet::new(
        regions.clone(),
        doc.templates.clone(),
        overview
            .stamps
            .iter()
            .cloned()
            .map(|s| (s, CandidateHealth::Healthy)),
    );
    let sample: Vec<PlacementRequest> = doc
        .tenants
        .iter()
        .step_by((tenants as usize / 10_000).max(1))
        .take(10_000)
        .map(|t| PlacementRequest::new(t.clone()))
        .collect();
    let mut core_times = Vec::with_capacity(sample.len());
    let mut explained_times = Vec::with_capacity(sample.len());
    // Warm up caches and the allocator (untimed), as a running app is.
    for req in sample.iter().take(1000) {
        std::hint::black_box(decide(&loaded, req, &policy));
    }
    for req in &sample {
        let t = Instant::now();
        std::hint::black_box(decide(&loaded, req, &policy));
        core_times.push(t.elapsed());
    }
    for req in &sample {
        let t = Instant::now();
        std::hint::black_box(place(&loaded, req, &policy));
        explained_times.push(t.elapsed());
    }
    println!(
        "\none decision over {} stamps ({} decisions):",
        loaded.candidates.len(),
        sample.len()
    );
    println!("  decide (filter + score, ranked runners-up, first failed rule per stamp): p50 {:6.1} us  p99 {:6.1} us", quantile(&mut core_times, 0.5), quantile(&mut core_times, 0.99));
    println!("  place  (the same + every rejection in words):                            p50 {:6.1} us  p99 {:6.1} us", quantile(&mut explained_times, 0.5), quantile(&mut explained_times, 0.99));

    // The whole tenant list onto empty stamps, both algorithms.
    let empty = || {
        PlacementFleet::new(
            regions.clone(),
            doc.templates.clone(),
            overview.stamps.iter().cloned().map(|mut s| {
                s.capacity = Capacity::new(s.capacity.total_units, 0);
                s.tenant_count = 0;
                (s, CandidateHealth::Healthy)
            }),
        )
    };
    let all: Vec<&Tenant> = doc.tenants.iter().collect();
    let total: u64 = all.iter().map(|t| u64::from(t.size_units)).sum();
    let usable: u64 = u64::from(policy.usable(doc.stamps[0].capacity_units));
    let lower_bound = total.div_ceil(usable);
    println!(
        "\nbatch: {} tenants ({total} units) onto {} empty stamps, {}% kept free",
        all.len(),
        stamps,
        policy.headroom_reserve_percent
    );
    println!("  lower bound: {lower_bound} stamps (total size / usable capacity per stamp)");
    println!(
        "  {:<28} {:>9} {:>11} {:>9} {:>10} {:>11} {:>10}",
        "algorithm", "time", "stamps used", "vs bound", "unplaced", "util spread", "residency"
    );

    // Ours runs three times on fresh fleets (median reported); the seed, at ~45 s, once.
    let mut runs = Vec::new();
    let (mut ours, mut outcome) = (empty(), None);
    for _ in 0..3 {
        ours = empty();
        let t = Instant::now();
        outcome = Some(place_batch(&mut ours, &all, &policy));
        runs.push(t.elapsed());
    }
    let outcome = outcome.unwrap();
    runs.sort();
    let ours_time = runs[1];
    let (used, spread) = packing(&ours);
    let violations = residency_violations(&ours, &all, &outcome.assignments);
    println!(
        "  {:<28} {:>7.2} s {:>11} {:>+8.2}% {:>10} {:>10.1}% {:>10}",
        "best-fit decreasing (ours)*",
        ours_time.as_secs_f64(),
        used,
        (used as f64 / lower_bound as f64 - 1.0) * 100.0,
        outcome.unplaced,
        spread,
        violations
    );

    let mut seed = empty();
    let t = Instant::now();
    let placed = seed_place(&mut seed, &all, &policy);
    let seed_time = t.elapsed();
    let (used, spread) = packing(&seed);
    let unplaced = placed.iter().filter(|p| p.is_none()).count();
    let violations = residency_violations(&seed, &all, &placed);
    println!(
        "  {:<28} {:>7.2} s {:>11} {:>+8.2}% {:>10} {:>10.1}% {:>10}",
        "seed (linear scan)",
        seed_time.as_secs_f64(),
        used,
        (used as f64 / lower_bound as f64 - 1.0) * 100.0,
        unplaced,
        spread,
        violations
    );
    println!(
        "  speed-up: {:.0}x",
        seed_time.as_secs_f64() / ours_time.as_secs_f64()
    );
    println!(
        "\n* median of 3 runs: {:.2} / {:.2} / {:.2} s",
        runs[0].as_secs_f64(),
        runs[1].as_secs_f64(),
        runs[2].as_secs_f64()
    );
    println!("util spread: standard deviation of utilization over the stamps used; residency: tenants placed outside their residency.");
}
