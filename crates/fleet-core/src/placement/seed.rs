//! The seed pattern's placement, kept as the baseline the benchmark compares against:
//! filter by capacity, prefer the tenant's region, pick the stamp with the fewest
//! tenants, a linear scan over every stamp per tenant. It treats residency as a
//! preference, so it can place a tenant outside it (the benchmark counts those).

use std::collections::HashMap;

use super::candidates::PlacementFleet;
use super::PlacementPolicy;
use crate::stamp::StampStatus;
use crate::tenant::{Residency, Tenant};

/// Places `tenants` in input order; returns each one's candidate index, or none.
pub fn seed_place(
    fleet: &mut PlacementFleet,
    tenants: &[&Tenant],
    policy: &PlacementPolicy,
) -> Vec<Option<usize>> {
    let usable: Vec<u32> = fleet
        .candidates
        .iter()
        .map(|c| policy.usable(c.capacity))
        .collect();
    let mut allowed_cache: HashMap<&Residency, Vec<bool>> = HashMap::new();
    let mut out = Vec::with_capacity(tenants.len());
    for tenant in tenants {
        let allowed = allowed_cache.entry(&tenant.residency).or_insert_with(|| {
            fleet
                .regions
                .iter()
                .map(|r| tenant.residency.allows(r))
                .collect()
        });
        let mut best: Option<(bool, u32, usize)> = None;
        for (i, c) in fleet.candidates.iter().enumerate() {
            if c.status != StampStatus::Active || c.used + tenant.size_units > usable[i] {
                continue;
            }
            let in_region = c.region_index.is_some_and(|r| allowed[r]);
            let key = (!in_region, c.tenants, i);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        let chosen = best.map(|(_, _, i)| i);
        if let Some(i) = chosen {
            fleet.add_load(i, tenant.size_units);
        }
        out.push(chosen);
    }
    out
}
