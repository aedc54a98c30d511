//! Tenants, where they may live, and the binding that says where they do live.

use serde::{Deserialize, Serialize};

use crate::ids::{RegionId, StampId, TenantId};
use crate::region::{CountryCode, Region};
use crate::template::Isolation;

/// The commercial tier of a tenant.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum Tier {
    Free,
    Standard,
    Premium,
    Enterprise,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Free, Tier::Standard, Tier::Premium, Tier::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Standard => "standard",
            Tier::Premium => "premium",
            Tier::Enterprise => "enterprise",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// This tier's bit in a template's tier mask.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Where a tenant's data may live. Empty lists mean "no constraint of that kind"; a
/// region must satisfy every non-empty list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Residency {
    #[serde(default)]
    pub countries: Vec<CountryCode>,
    #[serde(default)]
    pub geographies: Vec<String>,
    #[serde(default)]
    pub regions: Vec<RegionId>,
}

impl Residency {
    pub fn is_unconstrained(&self) -> bool {
        self.countries.is_empty() && self.geographies.is_empty() && self.regions.is_empty()
    }

    /// Whether a stamp in `region` may hold this tenant's data.
    pub fn allows(&self, region: &Region) -> bool {
        (self.countries.is_empty() || self.countries.contains(&region.country))
            && (self.geographies.is_empty() || self.geographies.contains(&region.geography))
            && (self.regions.is_empty() || self.regions.contains(&region.id))
    }

    /// A short human description, e.g. `countries DE, FR`.
    pub fn describe(&self) -> String {
        if self.is_unconstrained() {
            return "anywhere".to_owned();
        }
        let mut parts = Vec::new();
        let join = |v: Vec<&str>| v.join(", ");
        if !self.countries.is_empty() {
            parts.push(format!(
                "countries {}",
                join(self.countries.iter().map(|c| c.as_str()).collect())
            ));
        }
        if !self.geographies.is_empty() {
            parts.push(format!(
                "geographies {}",
                join(self.geographies.iter().map(String::as_str).collect())
            ));
        }
        if !self.regions.is_empty() {
            parts.push(format!(
                "regions {}",
                join(self.regions.iter().map(|r| r.as_str()).collect())
            ));
        }
        parts.join("; ")
    }
}

/// A customer's instance of the product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tenant {
    pub id: TenantId,
    pub display_name: String,
    pub tier: Tier,
    /// Capacity units this tenant takes on its stamp.
    pub size_units: u32,
    #[serde(default)]
    pub residency: Residency,
    pub isolation: Isolation,
    /// A pinned tenant is never moved by rebalancing or draining.
    #[serde(default)]
    pub pinned: bool,
    /// Tenants of one anti-affinity group (e.g. one customer's) are spread over stamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub group: Option<String>,
}

/// Which stamp a tenant lives on. `version` grows by one on every change, so a move can
/// flip it with a compare-and-swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Binding {
    pub tenant: TenantId,
    pub stamp: StampId,
    pub version: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::builtin_regions;

    fn region(id: &str) -> Region {
        builtin_regions()
            .unwrap()
            .into_iter()
            .find(|r| r.id.as_str() == id)
            .unwrap()
    }

    #[test]
    fn residency_checks_every_non_empty_list() {
        let de = region("aws-eu-central-1");
        let nl = region("azure-westeurope");
        let us = region("aws-us-east-1");
        let eu = Residency {
            countries: vec![
                CountryCode::new("DE").unwrap(),
                CountryCode::new("NL").unwrap(),
            ],
            ..Residency::default()
        };
        assert!(eu.allows(&de) && eu.allows(&nl) && !eu.allows(&us));
        let europe_geo = Residency {
            geographies: vec!["Europe".into()],
            ..Residency::default()
        };
        assert!(europe_geo.allows(&nl) && !europe_geo.allows(&de));
        let both = Residency {
            regions: vec![nl.id.clone()],
            ..eu.clone()
        };
        assert!(both.allows(&nl) && !both.allows(&de));
        assert!(Residency::default().allows(&us));
    }

    #[test]
    fn residency_describes_itself() {
        assert_eq!(Residency::default().describe(), "anywhere");
        let r = Residency {
            countries: vec![CountryCode::new("DE").unwrap()],
            regions: vec![RegionId::new("azure-westeurope").unwrap()],
            ..Residency::default()
        };
        assert_eq!(r.describe(), "countries DE; regions azure-westeurope");
    }
}
