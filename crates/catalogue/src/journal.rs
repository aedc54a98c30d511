//! The operation journal's vocabulary as types: what an operation is and where it
//! stands. Stored as their kebab-case names; a stored value that is none of them is an
//! error when the row is read, never a guess.

use serde::{Deserialize, Serialize};

/// What a journaled operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum OperationKind {
    /// Provisioning a new stamp through a provider.
    ProvisionStamp,
    /// Onboarding a tenant: recorded, provisioned on its stamp, bound.
    OnboardTenant,
    /// Moving a tenant between stamps (its step is the move's phase).
    MoveTenant,
    /// Applying a plan action by action.
    ApplyPlan,
    /// Creating the demo fleet and starting its agents.
    CreateDemo,
    /// Provisioning the new stamp placement proposed, then onboarding a tenant onto it.
    ProvisionAndOnboard,
    /// Taking a template version across stamps in waves (its state is the params).
    Rollout,
    /// Offboarding a tenant: suspended, exported, deleted on its stamp, removed.
    OffboardTenant,
    /// Repairing a drift finding (its params: the finding and the call's key).
    RepairDrift,
}

impl OperationKind {
    pub const ALL: [OperationKind; 9] = [
        Self::ProvisionStamp,
        Self::OnboardTenant,
        Self::MoveTenant,
        Self::ApplyPlan,
        Self::CreateDemo,
        Self::ProvisionAndOnboard,
        Self::Rollout,
        Self::OffboardTenant,
        Self::RepairDrift,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProvisionStamp => "provision-stamp",
            Self::OnboardTenant => "onboard-tenant",
            Self::MoveTenant => "move-tenant",
            Self::ApplyPlan => "apply-plan",
            Self::CreateDemo => "create-demo",
            Self::ProvisionAndOnboard => "provision-and-onboard",
            Self::Rollout => "rollout",
            Self::OffboardTenant => "offboard-tenant",
            Self::RepairDrift => "repair-drift",
        }
    }
}

/// Where a journaled operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum OperationState {
    /// Started and not finished: a live process runs it, or a killed one left it.
    Running,
    Succeeded,
    Failed,
}

impl OperationState {
    pub const ALL: [OperationState; 3] = [Self::Running, Self::Succeeded, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

impl std::fmt::Display for OperationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for OperationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a tenant move stands: the step its journal row records.
///
/// planned -> importing -> freezing -> catching-up -> verifying -> flipped ->
/// activating -> fencing -> done; before `flipped` a failure goes rolling-back ->
/// rolled-back; a finished move's source copy removed later is `cleaned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum MovePhase {
    Planned,
    Importing,
    Freezing,
    CatchingUp,
    Verifying,
    Flipped,
    Activating,
    Fencing,
    Done,
    RollingBack,
    RolledBack,
    Cleaned,
    /// Ended before it could start: its parameters could not be read.
    Failed,
}

impl MovePhase {
    pub const ALL: [MovePhase; 13] = [
        Self::Planned,
        Self::Importing,
        Self::Freezing,
        Self::CatchingUp,
        Self::Verifying,
        Self::Flipped,
        Self::Activating,
        Self::Fencing,
        Self::Done,
        Self::RollingBack,
        Self::RolledBack,
        Self::Cleaned,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Importing => "importing",
            Self::Freezing => "freezing",
            Self::CatchingUp => "catching-up",
            Self::Verifying => "verifying",
            Self::Flipped => "flipped",
            Self::Activating => "activating",
            Self::Fencing => "fencing",
            Self::Done => "done",
            Self::RollingBack => "rolling-back",
            Self::RolledBack => "rolled-back",
            Self::Cleaned => "cleaned",
            Self::Failed => "failed",
        }
    }

    /// A journal row's step read as a move phase; anything else is an error naming it.
    pub fn parse(step: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == step)
            .ok_or_else(|| format!("{step:?} is not a move phase"))
    }

    /// From `flipped` on, the target is the tenant's home: the move only goes forward.
    pub fn past_cut_over(self) -> bool {
        matches!(
            self,
            Self::Flipped | Self::Activating | Self::Fencing | Self::Done | Self::Cleaned
        )
    }
}

impl std::fmt::Display for MovePhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Stores a journal enum as its kebab-case name in a text column, on either backend; a
/// stored name that is none of its values is a decoding error naming it.
macro_rules! stored_as_name {
    ($($ty:ident),*) => {$(
        impl sqlx::Type<sqlx::Any> for $ty {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <&str as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Any> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Any>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $ty {
            fn decode(
                value: <sqlx::Any as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let name = <&str as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == name)
                    .ok_or_else(|| format!("{name:?} is not a {}", stringify!($ty)).into())
            }
        }
    )*};
}

stored_as_name!(OperationKind, OperationState, MovePhase);
