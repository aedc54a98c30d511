//! Capacity forecast: from a stamp's recorded usage over time, when it reaches its
//! usable capacity (least-squares line through the samples); per region, the same for
//! the region's active shared stamps together; and where a region runs out within the
//! horizon, the stamp to add (as a plan action) before it does.

use std::collections::HashMap;

use serde::Serialize;

use crate::ids::{RegionId, StampId};
use crate::overview::FleetOverview;
use crate::placement::PlacementPolicy;
use crate::plan::PlanAction;
use crate::stamp::StampStatus;

/// One usage sample: units used on a stamp at a time (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageSample {
    pub at: i64,
    pub used_units: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StampForecast {
    pub stamp: StampId,
    pub region: RegionId,
    /// Units per day (negative when shrinking); none with fewer than two samples.
    pub growth_per_day: Option<f64>,
    /// Days until usable capacity (under the reserve) is reached; none when not growing.
    pub days_until_full: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RegionForecast {
    pub region: RegionId,
    pub growth_per_day: f64,
    pub days_until_full: Option<f64>,
    /// Units free under the headroom reserve on the region's shared stamps.
    pub free_units: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Forecast {
    pub stamps: Vec<StampForecast>,
    pub regions: Vec<RegionForecast>,
    /// Stamps to add (enough per region running out within the horizon to last it), as
    /// plan actions.
    pub proposals: Vec<PlanAction>,
}

/// Least-squares slope of units over days; none without two distinct times.
fn slope_per_day(samples: &[UsageSample]) -> Option<f64> {
    if samples.len() < 2 {
        return None;
    }
    let n = samples.len() as f64;
    let xs: Vec<f64> = samples.iter().map(|s| s.at as f64 / 86_400.0).collect();
    let ys: Vec<f64> = samples.iter().map(|s| f64::from(s.used_units)).collect();
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    Some(sxy / sxx)
}

/// The most stamps one forecast proposes for one region (a runaway trend is capped).
const MAX_PROPOSED_PER_REGION: usize = 10;

fn days_until(free: f64, growth: f64) -> Option<f64> {
    (growth > 0.0).then(|| (free / growth).max(0.0))
}

/// Forecasts every active stamp and region from `samples` (per stamp, any order) and
/// proposes, per region that runs out within `horizon_days`, enough stamps to last it.
pub fn forecast(
    overview: &FleetOverview,
    samples: &HashMap<StampId, Vec<UsageSample>>,
    policy: &PlacementPolicy,
    horizon_days: f64,
) -> Forecast {
    let mut stamps = Vec::new();
    // A region's room is its shared stamps' room: a dedicated stamp holds one tenant.
    let dedicated = |v: &crate::overview::StampView| {
        overview.templates.iter().any(|t| {
            t.name == v.stamp.template
                && t.version == v.stamp.template_version
                && t.isolation == crate::template::Isolation::Dedicated
        })
    };
    // Per region: growth per day, and units free under the reserve.
    let mut by_region: HashMap<&RegionId, (f64, f64)> = HashMap::new();
    for view in overview
        .stamps
        .iter()
        .filter(|s| s.stamp.status == StampStatus::Active)
    {
        let mut series = samples.get(&view.stamp.id).cloned().unwrap_or_default();
        series.sort_by_key(|s| s.at);
        let growth = slope_per_day(&series);
        let free = f64::from(policy.usable(view.capacity.total_units))
            - f64::from(view.capacity.used_units);
        if !dedicated(view) {
            let entry = by_region.entry(&view.stamp.region).or_default();
            entry.0 += growth.unwrap_or(0.0);
            entry.1 += free;
        }
        stamps.push(StampForecast {
            stamp: view.stamp.id.clone(),
            region: view.stamp.region.clone(),
            growth_per_day: growth,
            days_until_full: growth.and_then(|g| days_until(free, g)),
        });
    }
    let mut regions: Vec<RegionForecast> = by_region
        .into_iter()
        .map(|(region, (growth, free))| RegionForecast {
            region: region.clone(),
            growth_per_day: growth,
            days_until_full: days_until(free, growth),
            free_units: free,
        })
        .collect();
    regions.sort_by(|a, b| a.region.cmp(&b.region));
    let mut proposals = Vec::new();
    let mut taken: Vec<String> = overview
        .stamps
        .iter()
        .map(|s| s.stamp.id.as_str().to_owned())
        .collect();
    for r in regions
        .iter()
        .filter(|r| r.days_until_full.is_some_and(|d| d <= horizon_days))
    {
        // The newest template the region's stamps run, the largest capacity among them.
        let Some(model) = overview
            .stamps
            .iter()
            .filter(|s| {
                s.stamp.region == r.region && s.stamp.status == StampStatus::Active && !dedicated(s)
            })
            .max_by(|a, b| {
                a.stamp
                    .template_version
                    .cmp(&b.stamp.template_version)
                    .then(a.stamp.capacity_units.cmp(&b.stamp.capacity_units))
            })
        else {
            continue;
        };
        // Enough stamps of the model's size for the region's growth over the horizon.
        let (growth, free) = (r.growth_per_day, r.free_units);
        let short = growth * horizon_days - free.max(0.0);
        let each = f64::from(policy.usable(model.stamp.capacity_units).max(1));
        let count = ((short / each).ceil() as usize).clamp(1, MAX_PROPOSED_PER_REGION);
        let base = model
            .stamp
            .id
            .as_str()
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
            .to_owned();
        for _ in 0..count {
            let Some(id) = (2..100)
                .map(|n| format!("{base}-{n:02}"))
                .find(|id| !taken.contains(id))
            else {
                break;
            };
            taken.push(id.clone());
            let Ok(stamp) = StampId::new(id) else { break };
            proposals.push(PlanAction::AddStamp {
                stamp,
                region: r.region.clone(),
                template: model.stamp.template.clone(),
                version: model.stamp.template_version.clone(),
                capacity_units: Some(model.stamp.capacity_units),
                provider: None,
            });
        }
    }
    Forecast {
        stamps,
        regions,
        proposals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_is_found_exactly() {
        let day = 86_400;
        let s: Vec<UsageSample> = (0..10)
            .map(|d| UsageSample {
                at: d * day,
                used_units: 100 + 5 * d as u32,
            })
            .collect();
        let g = slope_per_day(&s).unwrap();
        assert!((g - 5.0).abs() < 1e-9, "{g}");
        assert_eq!(slope_per_day(&s[..1]), None);
        assert_eq!(days_until(50.0, 5.0), Some(10.0));
        assert_eq!(days_until(50.0, 0.0), None);
        assert_eq!(days_until(50.0, -1.0), None);
    }
}
