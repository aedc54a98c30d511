//! Stampfleet's operations layer: one API for the desktop commands and stampctl.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod bindings;
mod error;
mod fleet;
pub mod paths;
mod slot;

pub use bindings::typescript_bindings;
pub use error::{ErrorCode, OpsError, OpsResult};
pub use fleet::{CatalogueInfo, Fleet, ImportSummary};
pub use slot::FleetSlot;
