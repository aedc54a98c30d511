//! Where a tenant should live: a deterministic two-stage placement (filter, then score)
//! with an explanation of every decision, and a batch placer for whole fleets.
//!
//! Filter rules, in the order they are checked (the first failed rule is reported):
//! the stamp is active; its last health check was healthy; its region satisfies the
//! tenant's residency; isolation (a dedicated tenant needs an empty stamp of a
//! dedicated template, a shared tenant never lands on a dedicated stamp); capacity
//! (the tenant fits while a headroom reserve stays free).
//!
//! Scores, compared in order: fewest tenants of the same anti-affinity group on the
//! stamp; earliest preferred region; nearest region to the tenant's home (in 250 km
//! bands); then best fit (least usable capacity left) or least loaded (lowest
//! utilization after placing), by policy; then the stamp id.

mod batch;
mod candidates;
mod decide;
mod new_stamp;
mod request;
pub mod seed;

use serde::{Deserialize, Serialize};

use crate::ids::{RegionId, StampId, TemplateName};
use crate::template::TemplateVersion;

pub use batch::{place_batch, BatchOutcome, BatchTenant};
pub use candidates::{Candidate, CandidateHealth, PlacementFleet};
pub use decide::{check_target, decide, place, DecisionCore};
pub use request::{GeoPoint, PlacementRequest};

/// How placement chooses among the stamps that pass every rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Strategy {
    /// Fill stamps up: the stamp with the least usable capacity left after placing.
    #[default]
    BestFit,
    /// Spread load: the stamp with the lowest utilization after placing.
    LeastLoaded,
}

/// Settings of the placement engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlacementPolicy {
    /// Percent of every stamp's capacity kept free (default 20).
    pub headroom_reserve_percent: u8,
    pub strategy: Strategy,
}

impl Default for PlacementPolicy {
    fn default() -> Self {
        Self {
            headroom_reserve_percent: 20,
            strategy: Strategy::BestFit,
        }
    }
}

impl PlacementPolicy {
    /// Capacity units usable on a stamp of `capacity` units under the reserve.
    pub fn usable(&self, capacity: u32) -> u32 {
        let keep = 100 - u64::from(self.headroom_reserve_percent.min(100));
        u32::try_from(u64::from(capacity) * keep / 100).unwrap_or(u32::MAX)
    }
}

/// A rule a stamp can fail, in the order they are checked.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum Rule {
    NotActive,
    NotHealthy,
    Residency,
    Isolation,
    Tier,
    Capacity,
}

impl Rule {
    pub const ALL: [Rule; 6] = [
        Rule::NotActive,
        Rule::NotHealthy,
        Rule::Residency,
        Rule::Isolation,
        Rule::Tier,
        Rule::Capacity,
    ];
}

/// A stamp that passed every rule, and why it ranks where it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ScoredStamp {
    pub stamp: StampId,
    pub region: RegionId,
    /// Tenants of the same anti-affinity group already on the stamp.
    pub same_group: u32,
    /// Position in the tenant's preferred regions (0 = first); none when not preferred.
    pub preferred_rank: Option<u32>,
    /// Distance from the tenant's home to the stamp's region, when a home is given.
    pub distance_km: Option<u32>,
    /// Usable units left on the stamp after placing the tenant.
    pub free_after: u32,
    /// Units the headroom reserve keeps free on the stamp (not counted as usable).
    pub reserve_units: u32,
    /// Utilization after placing, in percent of total capacity.
    pub utilization_after: u32,
}

/// A stamp that failed a rule: the first one it failed, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    pub stamp: StampId,
    pub rule: Rule,
    pub reason: String,
}

/// What placement decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Outcome {
    /// Place the tenant on this stamp.
    Place { stamp: StampId, reason: String },
    /// The tenant is pinned and stays where it is.
    Stay { stamp: StampId, reason: String },
    /// No stamp fits: provision a new stamp of this template in this region first.
    NewStamp {
        template: TemplateName,
        version: TemplateVersion,
        region: RegionId,
        reason: String,
    },
    /// Nothing can ever hold this tenant under its constraints.
    Refuse { reason: String },
}

impl Decision {
    /// The stamp a `Place` outcome chose.
    pub fn chosen_stamp(&self) -> Option<&StampId> {
        match &self.outcome {
            Outcome::Place { stamp, .. } => Some(stamp),
            _ => None,
        }
    }
}

/// A decision and its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub outcome: Outcome,
    /// The chosen stamp first, then the best runners-up (at most 4 in all).
    pub ranked: Vec<ScoredStamp>,
    /// How many stamps failed each rule (first failed rule only).
    pub rejected_by_rule: Vec<(Rule, u32)>,
    /// Every stamp that failed a rule, with the reason.
    pub rejected: Vec<Rejection>,
}
