//! One placement decision: filter every stamp, score the rest, explain the outcome.

use super::candidates::{Candidate, CandidateHealth, HotCandidate, PlacementFleet};
use super::new_stamp::propose_new_stamp;
use super::request::{GeoPoint, PlacementRequest};
use super::{Decision, Outcome, PlacementPolicy, Rejection, Rule, ScoredStamp, Strategy};
use crate::template::Isolation;

/// How many ranked stamps a decision keeps (the chosen one and its runners-up).
pub const RANKED: usize = 4;

/// Where "near" is measured from (per mille used after placing above this is the
/// "high" band: 70%, as the map colours it).
const HIGH_BAND_PER_MILLE: u32 = 700;

/// The point a tenant should stay near: its home when given, else the region of the
/// stamp it lives on now (a move or a drain keeps it in its region, then the nearest).
pub(super) fn origin(fleet: &PlacementFleet, req: &PlacementRequest) -> Option<GeoPoint> {
    req.home.or_else(|| {
        let i = fleet.candidate_index(req.current.as_ref().or(req.lives_on.as_ref())?)?;
        let r = fleet.region(&fleet.candidates[i].region)?;
        Some(GeoPoint {
            latitude: r.latitude,
            longitude: r.longitude,
        })
    })
}

/// A decision before it is put into words: cheap enough for every tenant of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionCore {
    /// Indexes into the fleet's candidates, best first, with their packed score keys.
    pub ranked: Vec<(usize, u128)>,
    /// The first rule each candidate failed; none for those that passed.
    pub failed: Vec<Option<Rule>>,
    /// Which of the fleet's regions the tenant's residency allows.
    pub allowed_regions: Vec<bool>,
}

/// Decides without explaining: the ranked passing stamps and every failed rule.
pub fn decide(
    fleet: &PlacementFleet,
    req: &PlacementRequest,
    policy: &PlacementPolicy,
) -> DecisionCore {
    let tenant = &req.tenant;
    let allowed_regions: Vec<bool> = fleet
        .regions
        .iter()
        .map(|r| tenant.residency.allows(r))
        .collect();
    let preferred: Vec<u32> = fleet
        .regions
        .iter()
        .map(|r| {
            req.preferred_regions
                .iter()
                .position(|p| *p == r.id)
                .map_or(u32::MAX, |i| i as u32)
        })
        .collect();
    let near = origin(fleet, req);
    let distance_band: Vec<u32> = fleet
        .regions
        .iter()
        .map(|r| match near {
            None => 0,
            Some(home) => {
                (home.distance_km(GeoPoint {
                    latitude: r.latitude,
                    longitude: r.longitude,
                }) / 250.0) as u32
            }
        })
        .collect();
    let dedicated_tenant = tenant.isolation == Isolation::Dedicated;
    let size = tenant.size_units;
    let tier = tenant.tier.bit();

    let keep = u64::from(100 - policy.headroom_reserve_percent.min(100));
    // Per region, the score's leading parts packed into the top 48 bits of a u128 key:
    // same-group count, preferred rank, distance band (16 bits each, saturating).
    let region_prefix: Vec<u128> = preferred
        .iter()
        .zip(&distance_band)
        .map(|(&p, &d)| (u128::from(p.min(0xFFFF)) << 64) | (u128::from(d.min(0xFFFF)) << 48))
        .collect();
    let mut ranked: Vec<(usize, u128)> = Vec::with_capacity(RANKED + 1);
    let mut threshold = u128::MAX;
    let mut failed: Vec<Option<Rule>> = Vec::with_capacity(fleet.hot.len());
    for (i, c) in fleet.hot.iter().enumerate() {
        let rule = first_failed_rule(c, &allowed_regions, dedicated_tenant, tier, size, keep);
        failed.push(rule);
        if rule.is_some() {
            continue;
        }
        // Lower is better. Best fit: 100 x usable units left (no division needed);
        // least loaded: per mille used after placing.
        let after = u64::from(c.used) + u64::from(size);
        let fit = match policy.strategy {
            Strategy::BestFit => u64::from(c.capacity) * keep - 100 * after,
            Strategy::LeastLoaded => u64::from(per_mille(c.used + size, c.capacity)),
        };
        let same_group = if req.group_load.is_empty() {
            0
        } else {
            req.group_load
                .get(&fleet.candidates[i].id)
                .copied()
                .unwrap_or(0)
        };
        // Nearer first; then a stamp that stays under the high band before one pushed
        // past it (packing tighter never pushes a stamp past 70% while another
        // eligible stamp as near stays below); then the fit.
        let past_high = per_mille(c.used + size, c.capacity) > HIGH_BAND_PER_MILLE;
        // [group:16][preferred:16][distance:16][past high:1][fit:47][index:32]
        let key = (u128::from(same_group.min(0xFFFF)) << 112)
            | (region_prefix[usize::from(c.region)] << 32)
            | (u128::from(past_high) << 79)
            | (u128::from(fit.min((1 << 47) - 1)) << 32)
            | i as u128;
        if key < threshold {
            let at = ranked.partition_point(|(_, k)| *k < key);
            ranked.insert(at, (i, key));
            ranked.truncate(RANKED);
            if ranked.len() == RANKED {
                threshold = ranked[RANKED - 1].1;
            }
        }
    }
    DecisionCore {
        ranked,
        failed,
        allowed_regions,
    }
}

fn per_mille(used: u32, capacity: u32) -> u32 {
    if capacity == 0 {
        return u32::MAX;
    }
    (u64::from(used) * 1000 / u64::from(capacity)) as u32
}

#[inline(always)]
fn first_failed_rule(
    c: &HotCandidate,
    allowed_regions: &[bool],
    dedicated_tenant: bool,
    tier: u8,
    size: u32,
    keep_percent: u64,
) -> Option<Rule> {
    // Every test computed, then one select chain: no early-exit branches to mispredict.
    let allowed = allowed_regions
        .get(usize::from(c.region))
        .copied()
        .unwrap_or(false);
    let isolation_ok = c.dedicated == dedicated_tenant && !(dedicated_tenant && c.tenants > 0);
    let tier_ok = c.tiers & tier != 0;
    // used + size <= floor(capacity * keep / 100), without the division.
    let fits = (u64::from(c.used) + u64::from(size)) * 100 <= u64::from(c.capacity) * keep_percent;
    let closed = if c.unhealthy_only {
        Rule::NotHealthy
    } else {
        Rule::NotActive
    };
    let rule = if !c.open {
        closed
    } else if !allowed {
        Rule::Residency
    } else if !isolation_ok {
        Rule::Isolation
    } else if !tier_ok {
        Rule::Tier
    } else {
        Rule::Capacity
    };
    (!(c.open && allowed && isolation_ok && tier_ok && fits)).then_some(rule)
}

/// Decides and explains: the outcome, the runners-up, and why every other stamp failed.
pub fn place(fleet: &PlacementFleet, req: &PlacementRequest, policy: &PlacementPolicy) -> Decision {
    let tenant = &req.tenant;
    if let (true, Some(current)) = (tenant.pinned, &req.current) {
        return Decision {
            outcome: Outcome::Stay {
                stamp: current.clone(),
                reason: format!("{} is pinned to {current}", tenant.id),
            },
            ranked: Vec::new(),
            rejected_by_rule: Vec::new(),
            rejected: Vec::new(),
        };
    }
    let core = decide(fleet, req, policy);
    let ranked: Vec<ScoredStamp> = core
        .ranked
        .iter()
        .map(|&(i, _)| scored(&fleet.candidates[i], req, policy, fleet))
        .collect();
    let rejected: Vec<Rejection> = core
        .failed
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            rule.map(|r| rejection(fleet, &fleet.candidates[i], r, req, policy))
        })
        .collect();
    let rejected_by_rule: Vec<(Rule, u32)> = Rule::ALL
        .into_iter()
        .map(|r| (r, rejected.iter().filter(|x| x.rule == r).count() as u32))
        .filter(|(_, n)| *n > 0)
        .collect();
    let outcome = match ranked.first() {
        Some(best) => Outcome::Place {
            stamp: best.stamp.clone(),
            reason: why_best(best, ranked.get(1), req, policy),
        },
        None => propose_new_stamp(fleet, req, policy, &core.allowed_regions, &rejected_by_rule),
    };
    Decision {
        outcome,
        ranked,
        rejected_by_rule,
        rejected,
    }
}

fn scored(
    c: &Candidate,
    req: &PlacementRequest,
    policy: &PlacementPolicy,
    fleet: &PlacementFleet,
) -> ScoredStamp {
    let size = req.tenant.size_units;
    let region = fleet.region(&c.region);
    ScoredStamp {
        stamp: c.id.clone(),
        region: c.region.clone(),
        same_group: req.group_load.get(&c.id).copied().unwrap_or(0),
        preferred_rank: req
            .preferred_regions
            .iter()
            .position(|p| *p == c.region)
            .map(|i| i as u32),
        distance_km: origin(fleet, req).zip(region).map(|(home, r)| {
            home.distance_km(GeoPoint {
                latitude: r.latitude,
                longitude: r.longitude,
            }) as u32
        }),
        free_after: policy.usable(c.capacity) - c.used - size,
        reserve_units: c.capacity - policy.usable(c.capacity),
        utilization_after: per_mille(c.used + size, c.capacity) / 10,
    }
}

fn why_best(
    best: &ScoredStamp,
    next: Option<&ScoredStamp>,
    req: &PlacementRequest,
    policy: &PlacementPolicy,
) -> String {
    let fit = match policy.strategy {
        Strategy::BestFit => format!(
            "best fit: {} usable units left after placing",
            best.free_after
        ),
        Strategy::LeastLoaded => format!(
            "least loaded: {}% used after placing",
            best.utilization_after
        ),
    };
    let mut parts = Vec::new();
    if !req.group_load.is_empty() {
        parts.push(format!(
            "{} tenant(s) of the same group there",
            best.same_group
        ));
    }
    if let Some(rank) = best.preferred_rank {
        parts.push(format!("preferred region #{}", rank + 1));
    }
    match (best.distance_km, req.home.is_some()) {
        (Some(km), true) => parts.push(format!("{km} km from the tenant's home")),
        (Some(0), false) => parts.push("stays in its current region".to_owned()),
        (Some(km), false) => parts.push(format!(
            "nearest region with room: {km} km from its current region"
        )),
        (None, _) => {}
    }
    if best.utilization_after <= HIGH_BAND_PER_MILLE / 10 {
        parts.push(format!(
            "stays under the high band ({}%)",
            HIGH_BAND_PER_MILLE / 10
        ));
    }
    parts.push(fit);
    let runner = next.map_or_else(
        || "; no other stamp passes every rule".to_owned(),
        |n| format!("; next best {}", n.stamp),
    );
    format!(
        "{} in {}: {}{runner}",
        best.stamp,
        best.region,
        parts.join(", ")
    )
}

/// Whether stamp `to` may take the request's tenant by every placement rule; when not,
/// why (the first rule it fails, in words). Only that one stamp's reason is written.
pub fn check_target(
    fleet: &PlacementFleet,
    req: &PlacementRequest,
    to: &crate::ids::StampId,
    policy: &PlacementPolicy,
) -> Result<(), String> {
    let Some(i) = fleet.candidate_index(to) else {
        return Err(format!("no stamp {to}"));
    };
    match decide(fleet, req, policy).failed[i] {
        None => Ok(()),
        Some(rule) => {
            let r = rejection(fleet, &fleet.candidates[i], rule, req, policy);
            Err(format!("{to} cannot take {}: {}", req.tenant.id, r.reason))
        }
    }
}

fn rejection(
    fleet: &PlacementFleet,
    c: &Candidate,
    rule: Rule,
    req: &PlacementRequest,
    policy: &PlacementPolicy,
) -> Rejection {
    let tenant = &req.tenant;
    let reason = match rule {
        Rule::NotActive => format!("stamp is {}, not active", c.status.as_str()),
        Rule::NotHealthy => match (fleet.health_note(&c.id), c.health) {
            (Some(note), _) => format!("health: {note}"),
            (None, CandidateHealth::Unknown) => "no health check yet".to_owned(),
            (None, _) => "last health check was not healthy".to_owned(),
        },
        Rule::Residency => match fleet.region(&c.region) {
            None => format!("region {} is unknown", c.region),
            Some(r) => format!(
                "region {} ({}, {}) is outside the tenant's residency ({})",
                r.id,
                r.country.as_str(),
                r.geography,
                tenant.residency.describe()
            ),
        },
        Rule::Isolation => match (tenant.isolation, c.dedicated) {
            (Isolation::Dedicated, true) => {
                format!("dedicated stamp already holds {} tenant(s)", c.tenants)
            }
            (Isolation::Dedicated, false) => {
                "shared stamp; the tenant needs a dedicated one".to_owned()
            }
            _ => "dedicated stamp; the tenant is shared".to_owned(),
        },
        Rule::Tier => format!(
            "template {} does not serve the {} tier",
            c.template,
            tenant.tier.as_str()
        ),
        Rule::Capacity => format!(
            "{} units do not fit: {} of {} usable units used ({}% of {} kept free)",
            tenant.size_units,
            c.used,
            policy.usable(c.capacity),
            policy.headroom_reserve_percent,
            c.capacity
        ),
    };
    Rejection {
        stamp: c.id.clone(),
        rule,
        reason,
    }
}
