//! When no stamp fits: "stamp out another one" as an outcome (which template, which
//! region, and why), or an honest refusal when nothing could ever hold the tenant.

use std::collections::HashMap;

use super::candidates::PlacementFleet;
use super::request::{GeoPoint, PlacementRequest};
use super::{Outcome, PlacementPolicy, Rule};
use crate::stamp::StampStatus;
use crate::template::{Isolation, StampTemplate};
use crate::tenant::Tier;

fn summary(rejected_by_rule: &[(Rule, u32)]) -> String {
    if rejected_by_rule.is_empty() {
        return "the fleet has no stamps".to_owned();
    }
    let words = |r: Rule| match r {
        Rule::NotActive => "not active",
        Rule::NotHealthy => "not healthy",
        Rule::Residency => "outside the residency",
        Rule::Isolation => "wrong isolation",
        Rule::Tier => "not for this tier",
        Rule::Capacity => "full",
    };
    let parts: Vec<String> = rejected_by_rule
        .iter()
        .map(|(r, n)| format!("{n} {}", words(*r)))
        .collect();
    format!("no stamp fits ({})", parts.join(", "))
}

/// The template a new stamp would use: the newest version of the family the fleet runs
/// most of (for the tenant's isolation and tier) if it can hold the tenant, else the
/// smallest newest-version template that can.
fn pick_template<'a>(
    fleet: &'a PlacementFleet,
    isolation: Isolation,
    tier: Tier,
    size: u32,
    policy: &PlacementPolicy,
) -> Result<&'a StampTemplate, String> {
    let mut newest: HashMap<&str, &StampTemplate> = HashMap::new();
    let mut wrong_tier = false;
    for t in fleet.templates.iter().filter(|t| t.isolation == isolation) {
        if !t.serves(tier) {
            wrong_tier = true;
            continue;
        }
        let e = newest.entry(t.name.as_str()).or_insert(t);
        if t.version > e.version {
            *e = t;
        }
    }
    if newest.is_empty() && wrong_tier {
        return Err(format!(
            "no {} template serves the {} tier",
            isolation.as_str(),
            tier.as_str()
        ));
    }
    if newest.is_empty() {
        return Err(format!("no {} template exists", isolation.as_str()));
    }
    let fits = |t: &StampTemplate| policy.usable(t.capacity_units) >= size;
    let mut use_count: HashMap<&str, usize> = HashMap::new();
    for c in &fleet.candidates {
        *use_count.entry(c.template.as_str()).or_default() += 1;
    }
    let mut families: Vec<&StampTemplate> = newest.into_values().collect();
    families.sort_by(|a, b| a.name.cmp(&b.name));
    let most_used = families
        .iter()
        .max_by_key(|t| {
            (
                use_count.get(t.name.as_str()).copied().unwrap_or(0),
                std::cmp::Reverse(t.name.as_str()),
            )
        })
        .copied();
    if let Some(t) = most_used.filter(|t| fits(t)) {
        return Ok(t);
    }
    families
        .iter()
        .filter(|t| fits(t))
        .min_by_key(|t| (t.capacity_units, t.name.as_str()))
        .copied()
        .ok_or_else(|| {
            let largest = families.iter().map(|t| t.capacity_units).max().unwrap_or(0);
            format!(
                "no {} template can hold {size} units: the largest has {largest} units, {} usable with {}% kept free",
                isolation.as_str(),
                policy.usable(largest),
                policy.headroom_reserve_percent
            )
        })
}

pub(super) fn propose_new_stamp(
    fleet: &PlacementFleet,
    req: &PlacementRequest,
    policy: &PlacementPolicy,
    allowed_regions: &[bool],
    rejected_by_rule: &[(Rule, u32)],
) -> Outcome {
    let tenant = &req.tenant;
    let allowed: Vec<usize> = (0..fleet.regions.len())
        .filter(|&i| allowed_regions[i])
        .collect();
    if allowed.is_empty() {
        return Outcome::Refuse {
            reason: format!(
                "no known region satisfies the residency ({}): no stamp can ever hold {}",
                tenant.residency.describe(),
                tenant.id
            ),
        };
    }
    let template = match pick_template(
        fleet,
        tenant.isolation,
        tenant.tier,
        tenant.size_units,
        policy,
    ) {
        Ok(t) => t,
        Err(reason) => return Outcome::Refuse { reason },
    };
    let preferred = req.preferred_regions.iter().find_map(|p| {
        allowed
            .iter()
            .copied()
            .find(|&i| fleet.regions[i].id == *p)
            .map(|i| {
                (
                    i,
                    "the first preferred region the residency allows".to_owned(),
                )
            })
    });
    let nearest = || {
        req.home.and_then(|home| {
            allowed
                .iter()
                .copied()
                .map(|i| {
                    let r = &fleet.regions[i];
                    let km = home.distance_km(GeoPoint {
                        latitude: r.latitude,
                        longitude: r.longitude,
                    });
                    (i, km)
                })
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .map(|(i, km)| {
                    (
                        i,
                        format!("the nearest allowed region to the tenant's home ({km:.0} km)"),
                    )
                })
        })
    };
    let busiest = || {
        let active_in = |i: usize| {
            fleet
                .candidates
                .iter()
                .filter(|c| c.region_index == Some(i) && c.status == StampStatus::Active)
                .count()
        };
        allowed
            .iter()
            .copied()
            .max_by_key(|&i| (active_in(i), std::cmp::Reverse(fleet.regions[i].id.clone())))
            .map(|i| {
                let n = active_in(i);
                let why = if n > 0 {
                    format!("the allowed region where the fleet runs most stamps ({n})")
                } else {
                    "the first allowed region by id (the fleet runs no stamp in any)".to_owned()
                };
                (i, why)
            })
    };
    let Some((region, why_region)) = preferred.or_else(nearest).or_else(busiest) else {
        return Outcome::Refuse {
            reason: "no region to propose".to_owned(),
        };
    };
    Outcome::NewStamp {
        template: template.name.clone(),
        version: template.version.clone(),
        region: fleet.regions[region].id.clone(),
        reason: format!(
            "{}: provision a new {}@{} stamp ({} units) in {}, {why_region}",
            summary(rejected_by_rule),
            template.name,
            template.version,
            template.capacity_units,
            fleet.regions[region].id
        ),
    }
}
