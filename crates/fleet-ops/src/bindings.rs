//! The TypeScript types the UI is written against, generated from the Rust types.
//! `ui/src/generated/bindings.ts` is committed; a test fails when it is stale.

use ts_rs::{Config, TS};

macro_rules! declare {
    ($cfg:expr, $out:expr, $($ty:ty),+ $(,)?) => {
        $( $out.push(format!("export {}\n", <$ty as TS>::decl($cfg))); )+
    };
}

/// The whole generated file.
pub fn typescript_bindings() -> String {
    let cfg = Config::default();
    let mut out = vec![
        "// Generated from the Rust types by fleet-ops; do not edit.\n\
         // Regenerate: STAMPFLEET_WRITE_GENERATED=1 cargo test -p fleet-ops --test generated\n"
            .to_owned(),
    ];
    declare!(
        &cfg,
        out,
        fleet_core::TenantId,
        fleet_core::StampId,
        fleet_core::RegionId,
        fleet_core::ProviderId,
        fleet_core::TemplateName,
        fleet_core::TemplateVersion,
        fleet_core::CountryCode,
        fleet_core::Region,
        fleet_core::Isolation,
        fleet_core::StampTemplate,
        fleet_core::StampStatus,
        fleet_core::Stamp,
        fleet_core::Tier,
        fleet_core::Residency,
        fleet_core::Tenant,
        fleet_core::Binding,
        fleet_core::Capacity,
        fleet_core::CatalogueDocument,
        fleet_core::StampView,
        fleet_core::RegionSummary,
        fleet_core::TenantView,
        fleet_core::TenantQuery,
        fleet_core::TenantPage,
        fleet_core::FleetOverview,
        fleet_core::placement::GeoPoint,
        fleet_core::placement::Strategy,
        fleet_core::placement::PlacementPolicy,
        fleet_core::placement::Rule,
        fleet_core::placement::ScoredStamp,
        fleet_core::placement::Rejection,
        fleet_core::placement::Outcome,
        fleet_core::placement::Decision,
        catalogue::Counts,
        catalogue::OperationKind,
        catalogue::OperationState,
        catalogue::MovePhase,
        catalogue::AuditEntry,
        catalogue::AuditQuery,
        crate::AuditFormat,
        crate::CatalogueInfo,
        crate::ImportSummary,
        crate::ErrorCode,
        crate::OpsError,
        crate::ProviderConfig,
        crate::NewStamp,
        crate::ProvisionProgress,
        crate::HealthState,
        crate::HealthProblem,
        crate::HealthFix,
        crate::StampHealth,
        crate::StampDetail,
        crate::PlaceTenant,
        crate::OnboardTenant,
        crate::OnboardProgress,
        crate::ImportPlanRow,
        crate::NewStampNeed,
        fleet_core::tenant_file::ProblemKind,
        fleet_core::tenant_file::RowError,
        crate::TenantImportReport,
        crate::ImportProgress,
        catalogue::Route,
        catalogue::RoutingTable,
        crate::MoveTenant,
        crate::MoveProgress,
        crate::MoveTargets,
        crate::MoveView,
        crate::DrainStamp,
        crate::DrainItem,
        crate::DrainProgress,
        fleet_core::rebalance::PlannedMove,
        fleet_core::rebalance::Unresolved,
        fleet_core::rebalance::RebalancePlan,
        fleet_core::plan_projection::StampProjection,
        fleet_core::plan_projection::ProjectedMove,
        fleet_core::plan_projection::PlanWarning,
        fleet_core::plan_projection::PlanProjection,
        crate::PlanCheck,
        crate::PlanApplyProgress,
        fleet_core::forecast::StampForecast,
        fleet_core::forecast::RegionForecast,
        crate::plan_action_ts::PlanActionShape,
        crate::ApplyState,
        crate::PlanApplyStatus,
        crate::PlanSummary,
        crate::PlanStep,
        crate::PlanDetail,
        crate::ForecastView,
    );
    out.join("\n")
}
