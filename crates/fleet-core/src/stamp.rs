//! Stamps: full, isolated copies of the product stack, and their lifecycle.

use serde::{Deserialize, Serialize};

use crate::ids::{RegionId, StampId, TemplateName};
use crate::template::TemplateVersion;

/// Where a stamp is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum StampStatus {
    Planned,
    Provisioning,
    Active,
    Draining,
    Retired,
    Failed,
}

impl StampStatus {
    pub const ALL: [StampStatus; 6] = [
        StampStatus::Planned,
        StampStatus::Provisioning,
        StampStatus::Active,
        StampStatus::Draining,
        StampStatus::Retired,
        StampStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StampStatus::Planned => "planned",
            StampStatus::Provisioning => "provisioning",
            StampStatus::Active => "active",
            StampStatus::Draining => "draining",
            StampStatus::Retired => "retired",
            StampStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The lifecycle: planned -> provisioning -> active -> draining -> retired, plus failed.
    pub fn can_become(self, next: StampStatus) -> bool {
        use StampStatus::*;
        matches!(
            (self, next),
            (Planned, Provisioning)
                | (Planned, Retired)
                | (Provisioning, Active)
                | (Provisioning, Failed)
                | (Active, Draining)
                | (Draining, Active)
                | (Draining, Retired)
                | (Failed, Provisioning)
                | (Failed, Retired)
        )
    }
}

/// A stamp in the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stamp {
    pub id: StampId,
    pub region: RegionId,
    pub template: TemplateName,
    pub template_version: TemplateVersion,
    pub capacity_units: u32,
    pub status: StampStatus,
    /// The stamp's API base URL, once it has one.
    pub endpoint: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::StampStatus::*;
    use super::*;

    #[test]
    fn lifecycle_allows_the_documented_path() {
        for (a, b) in [
            (Planned, Provisioning),
            (Provisioning, Active),
            (Active, Draining),
            (Draining, Retired),
        ] {
            assert!(a.can_become(b), "{a:?} -> {b:?}");
        }
        assert!(Provisioning.can_become(Failed));
    }

    #[test]
    fn lifecycle_refuses_shortcuts() {
        for (a, b) in [
            (Active, Retired),
            (Retired, Active),
            (Planned, Active),
            (Active, Provisioning),
            (Retired, Draining),
        ] {
            assert!(!a.can_become(b), "{a:?} -> {b:?}");
        }
    }

    #[test]
    fn status_names_round_trip() {
        for s in StampStatus::ALL {
            assert_eq!(StampStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(StampStatus::parse("up"), None);
    }
}
