//! Live across windows: another window, stampctl or another operator changed the
//! catalogue, and the window reloads what it shows. A team catalogue's server notifies
//! at once; a catalogue file is looked at every two seconds (catalogue `changes.rs`).
//! The watch itself runs in `commands::watch_catalogue_in_background`.

use serde::Serialize;

/// The catalogue changed: reload. `seq` counts the changes this watch has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueChange {
    pub seq: u32,
}
