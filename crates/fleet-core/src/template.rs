//! Stamp templates: the versioned recipe a stamp is stamped out from.

use serde::{Deserialize, Serialize};

use crate::ids::TemplateName;
use crate::tenant::Tier;

/// Whether a stamp (or a tenant's requirement) is shared by many tenants or dedicated to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Isolation {
    Shared,
    Dedicated,
}

impl Isolation {
    pub fn as_str(self) -> &'static str {
        match self {
            Isolation::Shared => "shared",
            Isolation::Dedicated => "dedicated",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "shared" => Some(Isolation::Shared),
            "dedicated" => Some(Isolation::Dedicated),
            _ => None,
        }
    }
}

/// A template version: `MAJOR.MINOR.PATCH`, compared numerically.
#[derive(Debug, Clone, PartialEq, Eq, Hash, ts_rs::TS)]
#[ts(type = "string")]
pub struct TemplateVersion {
    text: String,
    parts: [u32; 3],
}

impl TemplateVersion {
    pub fn new(value: impl Into<String>) -> Result<Self, String> {
        let text = value.into();
        let bad = || format!("version {text:?} is invalid: must be MAJOR.MINOR.PATCH, e.g. 1.4.0");
        let mut parts = [0u32; 3];
        let mut split = text.split('.');
        for part in &mut parts {
            let piece = split.next().ok_or_else(bad)?;
            if piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            *part = piece.parse().map_err(|_| bad())?;
        }
        if split.next().is_some() {
            return Err(bad());
        }
        Ok(Self { text, parts })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// MAJOR, MINOR and PATCH.
    pub fn parts(&self) -> [u32; 3] {
        self.parts
    }
}

impl PartialOrd for TemplateVersion {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TemplateVersion {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts.cmp(&other.parts)
    }
}

crate::string_serde!(TemplateVersion);

impl std::fmt::Display for TemplateVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// One version of a stamp template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StampTemplate {
    pub name: TemplateName,
    pub version: TemplateVersion,
    /// Capacity units a stamp of this template offers unless the stamp overrides it.
    pub capacity_units: u32,
    pub isolation: Isolation,
    pub description: String,
    /// The tenant tiers this template serves; empty means every tier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<Tier>>")]
    pub tiers: Vec<Tier>,
    /// What this version changes, for the operators rolling it out.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub release_notes: String,
}

impl StampTemplate {
    /// Whether a tenant of `tier` may live on a stamp of this template.
    pub fn serves(&self, tier: Tier) -> bool {
        self.tiers.is_empty() || self.tiers.contains(&tier)
    }

    /// The tiers served as a bit set (bit = position in [`Tier::ALL`]).
    pub fn tier_mask(&self) -> u8 {
        Tier::ALL
            .iter()
            .enumerate()
            .filter(|(_, t)| self.serves(**t))
            .fold(0, |m, (i, _)| m | (1 << i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let v = |s: &str| TemplateVersion::new(s).unwrap();
        assert!(v("1.10.0") > v("1.9.3"));
        assert!(v("2.0.0") > v("1.99.99"));
        assert_eq!(v("1.4.0").as_str(), "1.4.0");
    }

    #[test]
    fn bad_versions_are_refused() {
        for bad in [
            "", "1", "1.2", "1.2.3.4", "1.x.0", "v1.2.3", "1..3", "1.2.-3",
        ] {
            let e = TemplateVersion::new(bad).unwrap_err();
            assert!(e.contains("MAJOR.MINOR.PATCH"), "{bad}: {e}");
        }
    }
}
