//! Stampfleet's operations layer: one API for the desktop commands and stampctl.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod adopt;
pub mod adopt_file;
mod audit_export;
mod bindings;
mod catalogue_watch;
mod command_provider;
pub mod commands;
mod demo_agents;
mod drain;
mod drift_repairs;
mod error;
mod fleet;
pub mod fleet_keys;
mod haproxy;
mod health;
mod health_answer;
pub mod health_cache;
mod health_delta;
mod health_watch;
pub use health_delta::{HealthDelta, HealthUpdate};
pub use health_watch::{HealthSession, HealthSessions};
mod import_stamps;
mod local_provider;
pub mod log_file;
mod move_cut_over;
mod move_pull;
mod move_recovery;
mod move_views;
mod moves;
mod onboard;
pub mod operator_providers;
mod operator_tokens;
pub mod paths;
pub mod plan_action_ts;
mod plan_apply;
mod plan_views;
mod planning;
mod provider_upgrade;
pub mod providers;
mod provision;
mod provision_onboard;
pub mod recent;
mod reconcile;
mod resume;
mod rollout;
mod rollout_run;
mod router_maps;
mod router_sync;
mod routers;
mod routes_server;
pub mod secrets;
mod slot;
mod stamp_tokens;
mod stamps;
mod startup_report;
mod template_versions;
mod tenant_import;
mod tenant_lifecycle;
mod test_hooks;
mod ui_server;

pub use adopt::{AdoptConflict, AdoptReport, AdoptStamp};
pub use adopt_file::{read_adopt_file, AdoptOutcome};
pub use audit_export::{audit_csv, AuditFormat};
pub use bindings::typescript_bindings;
/// The catalogue crate, for the same paths.
pub use catalogue;
pub use catalogue::{Route, RoutingTable};
pub use catalogue_watch::CatalogueChange;
pub use drain::{DrainItem, DrainProgress, DrainStamp};
pub use error::{ErrorCode, OpsError, OpsResult};
pub use fleet::{CatalogueInfo, Fleet, ImportSummary};
/// The domain crate, for paths in `with_commands!` that expand in other crates.
pub use fleet_core;
pub use health::{HealthFix, HealthProblem, HealthState, StampDetail, StampHealth};
pub use local_provider::AGENT_ENV;
pub use move_views::{MoveTargets, MoveView, RETENTION_HOURS};
pub use moves::{MoveProgress, MoveTenant};
pub use onboard::{OnboardProgress, OnboardTenant, PlaceTenant};
pub use operator_providers::OperatorProvider;
pub use operator_tokens::EnrollOutcome;
pub use plan_apply::{PlanApplyProgress, PlanCheck};
pub use plan_views::{
    ApplyState, ForecastView, PlanApplyStatus, PlanDetail, PlanStep, PlanSummary,
};
pub use planning::PlanView;
pub use providers::ProviderConfig;
pub use provision::{NewStamp, ProvisionProgress};
pub use provision_onboard::{ProvisionAndOnboard, PROVISION_ONBOARD_KIND};
pub use recent::RecentCatalogue;
pub use reconcile::{DriftFinding, DriftKind, ReconcileReport};
pub use rollout::{ProposeRollout, RolloutView};
pub use rollout_run::RolloutClock;
pub use router_sync::{keep_routers_in_sync, RouterSyncOutcome, RouterSyncer};
pub use routers::{HaproxyFiles, RouterSays, RouterView, RoutingStatus, TenantRoute};
pub use routes_server::{
    serve_routes, serve_routes_with_token, DEFAULT_ROUTES_ADDR, ROUTES_TOKEN_ENV,
};
pub use secrets::new_token;
pub use slot::FleetSlot;
pub use template_versions::{NewTemplateVersion, TemplateVersionView};
pub use tenant_import::{ImportPlanRow, ImportProgress, NewStampNeed, TenantImportReport};
pub use tenant_lifecycle::OffboardOutcome;
pub use ui_server::{bind_ui, serve_ui, UI_CSP};
