//! The rebalance planner: given a utilization limit (e.g. no stamp over 80%), the moves
//! that bring every stamp under it with the fewest moves, then the least data moved,
//! honouring residency, isolation, tiers and pinned tenants; with a lower bound to
//! judge the plan by. Pure and offline: it reads a catalogue document, no stamp.

use std::collections::HashMap;

use serde::Serialize;

use crate::document::CatalogueDocument;
use crate::ids::{StampId, TenantId};
use crate::overview::FleetOverview;
use crate::placement::{
    decide, CandidateHealth, GeoPoint, PlacementFleet, PlacementPolicy, PlacementRequest,
};
use crate::region::Region;
use crate::stamp::StampStatus;
use crate::template::Isolation;
use crate::tenant::Tenant;

/// One planned move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedMove {
    pub tenant: TenantId,
    pub from: StampId,
    pub to: StampId,
    pub size_units: u32,
    /// How far the tenant travels, between its regions' coordinates (0 within a region).
    pub distance_km: u32,
}

/// A stamp the plan could not bring under the limit, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Unresolved {
    pub stamp: StampId,
    pub reason: String,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RebalancePlan {
    pub limit_percent: u8,
    pub moves: Vec<PlannedMove>,
    #[ts(type = "number")]
    pub moved_units: u64,
    /// No plan can do with fewer moves: per stamp over the limit, the fewest of its own
    /// movable tenants whose size covers its excess.
    pub lower_bound_moves: u32,
    /// No plan can move less: the sum of every stamp's excess.
    #[ts(type = "number")]
    pub lower_bound_units: u64,
    pub stamps_over_before: u32,
    pub unresolved: Vec<Unresolved>,
    /// Moves that leave the tenant's region.
    pub cross_region_moves: u32,
    /// The sum of every move's distance.
    #[ts(type = "number")]
    pub distance_km: u64,
}

/// Units a stamp of `capacity` may hold under `limit_percent`.
fn limit_of(capacity: u32, limit_percent: u8) -> u64 {
    u64::from(capacity) * u64::from(limit_percent.min(100)) / 100
}

/// Of `sizes` (largest first), the fewest whose sum covers `excess`, and among sets of
/// that many, a small sum: the k-1 largest and the smallest that closes the gap, then
/// each pick swapped for the smallest unused one that still covers it. Indices into
/// `sizes`; none when even all of them do not cover it.
fn pick(sizes: &[u32], excess: u64) -> Option<Vec<usize>> {
    let mut sum = 0u64;
    let mut k = 0;
    while sum < excess {
        sum += u64::from(*sizes.get(k)?);
        k += 1;
    }
    if k == 0 {
        return Some(Vec::new());
    }
    let mut chosen: Vec<usize> = (0..k).collect();
    let mut total: u64 = chosen.iter().map(|&i| u64::from(sizes[i])).sum();
    // Walk each pick from the largest: replace it by the smallest unused size that
    // keeps the total at or above the excess (sizes are sorted, so scan from the end).
    for slot in 0..k {
        let current = chosen[slot];
        let without = total - u64::from(sizes[current]);
        let need = excess.saturating_sub(without);
        let mut best = current;
        for j in (0..sizes.len()).rev() {
            if u64::from(sizes[j]) >= need && !chosen.contains(&j) {
                if sizes[j] < sizes[best] {
                    best = j;
                }
                break;
            }
        }
        total = without + u64::from(sizes[best]);
        chosen[slot] = best;
    }
    Some(chosen)
}

/// Plans the moves that bring every active stamp to at most `limit_percent` of its
/// capacity. Targets are chosen as one placement batch (best fit under the limit), never
/// a stamp the plan moves tenants off.
pub fn plan_rebalance(
    doc: &CatalogueDocument,
    regions: &[Region],
    limit_percent: u8,
) -> RebalancePlan {
    let overview = FleetOverview::build(doc, regions);
    let tenants: HashMap<&TenantId, &Tenant> = doc.tenants.iter().map(|t| (&t.id, t)).collect();
    let mut on_stamp: HashMap<&StampId, Vec<&Tenant>> = HashMap::new();
    for b in &doc.bindings {
        if let Some(t) = tenants.get(&b.tenant) {
            on_stamp.entry(&b.stamp).or_default().push(t);
        }
    }
    let mut chosen: Vec<(&Tenant, &StampId)> = Vec::new();
    let mut unresolved = Vec::new();
    let (mut lower_bound_moves, mut lower_bound_units, mut over) = (0u32, 0u64, 0u32);
    let mut sources: Vec<&StampId> = Vec::new();
    for view in &overview.stamps {
        let limit = limit_of(view.capacity.total_units, limit_percent);
        let used = u64::from(view.capacity.used_units);
        if view.stamp.status != StampStatus::Active || used <= limit {
            continue;
        }
        over += 1;
        let excess = used - limit;
        lower_bound_units += excess;
        let mut movable: Vec<&Tenant> = on_stamp
            .get(&view.stamp.id)
            .map(|ts| {
                ts.iter()
                    .copied()
                    .filter(|t| !t.pinned && t.isolation == Isolation::Shared)
                    .collect()
            })
            .unwrap_or_default();
        movable.sort_by(|a, b| b.size_units.cmp(&a.size_units).then(a.id.cmp(&b.id)));
        let sizes: Vec<u32> = movable.iter().map(|t| t.size_units).collect();
        match pick(&sizes, excess) {
            Some(picks) => {
                lower_bound_moves += picks.len() as u32;
                sources.push(&view.stamp.id);
                chosen.extend(picks.into_iter().map(|i| (movable[i], &view.stamp.id)));
            }
            None => unresolved.push(Unresolved {
                stamp: view.stamp.id.clone(),
                reason: format!(
                    "{excess} units over the limit, and its movable tenants hold only {}",
                    sizes.iter().map(|&s| u64::from(s)).sum::<u64>()
                ),
            }),
        }
    }

    // The fleet after taking the chosen tenants off; sources closed as targets.
    let mut removed: HashMap<&StampId, (u32, u32)> = HashMap::new();
    for (t, from) in &chosen {
        let e = removed.entry(from).or_default();
        e.0 += t.size_units;
        e.1 += 1;
    }
    let mut fleet = PlacementFleet::new(
        regions.to_vec(),
        doc.templates.clone(),
        overview.stamps.iter().cloned().map(|mut s| {
            let (units, count) = removed.get(&s.stamp.id).copied().unwrap_or((0, 0));
            s.capacity.used_units = s.capacity.used_units.saturating_sub(units);
            s.tenant_count = s.tenant_count.saturating_sub(count);
            if sources.contains(&&s.stamp.id) {
                s.stamp.status = StampStatus::Draining;
            }
            (s, CandidateHealth::Healthy)
        }),
    );
    let policy = PlacementPolicy {
        headroom_reserve_percent: 100 - limit_percent.min(100),
        ..PlacementPolicy::default()
    };
    // Largest first; each kept in its own region first, then the nearest (placement's
    // locality), best fit under the limit.
    let mut order: Vec<usize> = (0..chosen.len()).collect();
    order.sort_by(|&a, &b| {
        chosen[b]
            .0
            .size_units
            .cmp(&chosen[a].0.size_units)
            .then(a.cmp(&b))
    });
    let mut assignments: Vec<Option<usize>> = vec![None; chosen.len()];
    for k in order {
        let (t, from) = chosen[k];
        let request = PlacementRequest {
            lives_on: Some(from.clone()),
            ..PlacementRequest::new(t.clone())
        };
        if let Some(&(i, _)) = decide(&fleet, &request, &policy).ranked.first() {
            fleet.add_load(i, t.size_units);
            assignments[k] = Some(i);
        }
    }
    let mut moves = Vec::with_capacity(chosen.len());
    for ((t, from), at) in chosen.iter().zip(&assignments) {
        match at {
            Some(i) => moves.push(PlannedMove {
                tenant: t.id.clone(),
                from: (*from).clone(),
                to: fleet.candidates[*i].id.clone(),
                size_units: t.size_units,
                distance_km: distance_between(&fleet, from, *i),
            }),
            None => unresolved.push(Unresolved {
                stamp: (*from).clone(),
                reason: format!(
                    "no stamp can take {} ({} units) under the limit within its residency",
                    t.id, t.size_units
                ),
            }),
        }
    }
    moves.sort_by(|a, b| a.from.cmp(&b.from).then(a.tenant.cmp(&b.tenant)));
    let region_of = |id: &StampId| {
        fleet
            .candidate_index(id)
            .map(|i| fleet.candidates[i].region.clone())
    };
    RebalancePlan {
        cross_region_moves: moves
            .iter()
            .filter(|m| region_of(&m.from) != region_of(&m.to))
            .count() as u32,
        distance_km: moves.iter().map(|m| u64::from(m.distance_km)).sum(),
        limit_percent,
        moved_units: moves.iter().map(|m| u64::from(m.size_units)).sum(),
        moves,
        lower_bound_moves,
        lower_bound_units,
        stamps_over_before: over,
        unresolved,
    }
}

/// Kilometres between the region of stamp `from` and that of candidate `to`.
fn distance_between(fleet: &PlacementFleet, from: &StampId, to: usize) -> u32 {
    let point = |region| {
        fleet.region(region).map(|r| GeoPoint {
            latitude: r.latitude,
            longitude: r.longitude,
        })
    };
    let from = fleet
        .candidate_index(from)
        .and_then(|i| point(&fleet.candidates[i].region));
    let to = point(&fleet.candidates[to].region);
    from.zip(to)
        .map_or(0, |(a, b)| a.distance_km(b).round() as u32)
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn fewest_tenants_then_least_data() {
        // Excess 10: one tenant of 12 covers it (fewest), not 9 + 1.
        assert_eq!(pick(&[12, 9, 5, 1], 10), Some(vec![0]));
        // Excess 6: one is enough; the smallest single one that covers it is 9... or 12?
        assert_eq!(pick(&[12, 9, 5, 1], 6), Some(vec![1]));
        // Excess 14: two needed (12 + 9 = 21); 12 + 5 = 17 moves less; 9 + 5 = 14 least.
        let p = pick(&[12, 9, 5, 1], 14).unwrap();
        let total: u32 = p.iter().map(|&i| [12, 9, 5, 1][i]).sum();
        assert_eq!((p.len(), total), (2, 14));
        assert_eq!(pick(&[3, 2], 10), None);
        assert_eq!(pick(&[3, 2], 0), Some(vec![]));
    }
}
