//! The tenant that `stampctl tenant place` and `tenant onboard` take, from flags: its
//! residency, isolation and placement policy.

use clap::Args;
use fleet_core::placement::{GeoPoint, PlacementPolicy, Strategy};
use fleet_core::{CountryCode, Isolation, RegionId, Residency, Tenant, TenantId, Tier};
use fleet_ops::{OpsError, OpsResult, PlaceTenant};

/// A tenant as the placement and onboarding commands take it.
#[derive(Args)]
pub struct NewTenantArgs {
    /// The tenant's id (a lowercase slug).
    id: TenantId,
    #[arg(long)]
    name: String,
    /// Expected size in capacity units.
    #[arg(long)]
    size: u32,
    #[arg(long, default_value = "standard", value_parser = parse_tier)]
    tier: Tier,
    /// Allowed country (ISO 3166 alpha-2); repeat for several.
    #[arg(long = "country")]
    countries: Vec<String>,
    /// Allowed geography, e.g. Europe; repeat for several.
    #[arg(long = "geography")]
    geographies: Vec<String>,
    /// Allowed region id; repeat for several.
    #[arg(long = "region")]
    regions: Vec<RegionId>,
    /// The tenant needs a stamp of its own.
    #[arg(long)]
    dedicated: bool,
    /// Preferred region, best first; repeat for several.
    #[arg(long = "prefer")]
    preferred: Vec<RegionId>,
    /// Percent of every stamp kept free.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u8).range(0..=90))]
    reserve: u8,
    /// Spread load (lowest utilization) instead of filling stamps up (best fit).
    #[arg(long)]
    least_loaded: bool,
    /// Anti-affinity group (e.g. the customer): its tenants are spread over stamps.
    #[arg(long)]
    group: Option<String>,
    /// The tenant's home as LATITUDE,LONGITUDE (e.g. 52.37,4.90): nearer regions rank first.
    #[arg(long, value_parser = parse_home, allow_hyphen_values = true)]
    home: Option<GeoPoint>,
}

fn parse_home(value: &str) -> Result<GeoPoint, String> {
    let bad = || format!("{value:?} is not LATITUDE,LONGITUDE in degrees, e.g. 52.37,4.90");
    let (lat, lon) = value.split_once(',').ok_or_else(bad)?;
    let latitude: f64 = lat.trim().parse().map_err(|_| bad())?;
    let longitude: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err(format!(
            "{value:?}: latitude must be within -90..90 and longitude within -180..180"
        ));
    }
    Ok(GeoPoint {
        latitude,
        longitude,
    })
}

fn parse_tier(value: &str) -> Result<Tier, String> {
    Tier::parse(value)
        .ok_or_else(|| format!("unknown tier {value:?} (free, standard, premium, enterprise)"))
}

impl NewTenantArgs {
    pub(crate) fn request(self) -> OpsResult<PlaceTenant> {
        let countries = self
            .countries
            .iter()
            .map(|c| {
                CountryCode::new(c.as_str())
                    .map_err(|e| OpsError::invalid(format!("--country {c}: {e}")))
            })
            .collect::<OpsResult<_>>()?;
        Ok(PlaceTenant {
            tenant: Tenant {
                id: self.id,
                display_name: self.name,
                tier: self.tier,
                size_units: self.size,
                residency: Residency {
                    countries,
                    geographies: self.geographies,
                    regions: self.regions,
                },
                isolation: if self.dedicated {
                    Isolation::Dedicated
                } else {
                    Isolation::Shared
                },
                pinned: false,
                group: self.group,
            },
            preferred_regions: self.preferred,
            home: self.home,
            policy: Some(PlacementPolicy {
                headroom_reserve_percent: self.reserve,
                strategy: if self.least_loaded {
                    Strategy::LeastLoaded
                } else {
                    Strategy::BestFit
                },
            }),
        })
    }
}
