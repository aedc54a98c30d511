//! What a placement is asked: the tenant and the operator's preferences.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::ids::{RegionId, StampId};
use crate::tenant::Tenant;

/// A point on Earth, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct GeoPoint {
    pub latitude: f64,
    pub longitude: f64,
}

impl GeoPoint {
    /// Great-circle distance in km (haversine, mean Earth radius).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        let (la1, la2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dla = la2 - la1;
        let dlo = (other.longitude - self.longitude).to_radians();
        let a = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * 6371.0 * a.sqrt().clamp(0.0, 1.0).asin()
    }
}

/// One tenant to place, with where it lives now (if anywhere) and the preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlacementRequest {
    pub tenant: Tenant,
    /// The stamp the tenant lives on now; a pinned tenant stays there.
    #[serde(default)]
    pub current: Option<StampId>,
    /// Where the tenant lives when `current` is not given because its pin should not
    /// hold it (a move the operator asked for): only its region counts, kept first,
    /// then the nearest.
    #[serde(default)]
    pub lives_on: Option<StampId>,
    /// Regions to prefer, best first (residency still applies).
    #[serde(default)]
    pub preferred_regions: Vec<RegionId>,
    /// Where the tenant's users are: nearer regions score better.
    #[serde(default)]
    pub home: Option<GeoPoint>,
    /// How many tenants of the tenant's anti-affinity group live on each stamp.
    #[serde(default)]
    #[ts(type = "Record<string, number>")]
    pub group_load: HashMap<StampId, u32>,
}

impl PlacementRequest {
    /// A request for `tenant` with no preferences.
    pub fn new(tenant: Tenant) -> Self {
        Self {
            tenant,
            current: None,
            lives_on: None,
            preferred_regions: Vec::new(),
            home: None,
            group_load: HashMap::new(),
        }
    }
}
