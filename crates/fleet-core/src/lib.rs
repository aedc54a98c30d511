//! Stampfleet's pure domain. No IO, no async: everything here is a value and a rule.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod capacity;
pub mod demo;
pub mod document;
pub mod forecast;
pub mod ids;
pub mod overview;
pub mod placement;
pub mod plan;
pub mod plan_projection;
pub mod rebalance;
pub mod region;
pub mod rollout;
pub mod stamp;
pub mod synthetic;
pub mod template;
pub mod tenant;
pub mod tenant_file;

pub use capacity::Capacity;
pub use document::{parse_document, CatalogueDocument, DocumentError, DOCUMENT_SCHEMA_VERSION};
pub use ids::{IdError, ProviderId, RegionId, StampId, TemplateName, TenantId};
pub use overview::{
    tenant_views, FleetOverview, RegionSummary, StampLoad, StampView, TenantPage, TenantQuery,
    TenantView,
};
pub use region::{builtin_regions, CountryCode, Region, RegionCsvError};
pub use stamp::{Stamp, StampStatus};
pub use template::{Isolation, StampTemplate, TemplateVersion};
pub use tenant::{Binding, Residency, Tenant, Tier};
