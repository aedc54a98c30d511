//! Snapshots for offline planning: the whole catalogue (fleet and plans), as one
//! consistent read, copied into a new catalogue file that records where it came from
//! and at which version. Plans made in it are based on that version, so when they are
//! exported and applied to the team catalogue, its drift check counts what changed.

use std::path::Path;

use fleet_core::plan::Plan;
use serde::Serialize;

use crate::document::read_document;
use crate::error::Result;
use crate::{Catalogue, CatalogueError};

/// Where a snapshot came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotOrigin {
    /// The copied catalogue's identity (UUID).
    pub source_id: String,
    /// The copied catalogue's file or URL (without a password).
    pub source: String,
    /// The copied catalogue's version (newest audit row) at the copy.
    #[ts(type = "number")]
    pub version: i64,
    /// This file's own version right after the copy.
    #[ts(type = "number")]
    pub local_version: i64,
    pub taken_at: String,
}

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotSummary {
    pub file: String,
    pub stamps: u32,
    pub tenants: u32,
    pub plans: u32,
    pub origin: SnapshotOrigin,
}

impl Catalogue {
    /// Where this catalogue was copied from, when it is a snapshot.
    pub async fn snapshot_origin(&self) -> Result<Option<SnapshotOrigin>> {
        Ok(sqlx::query_as(
            "SELECT source_id, source, version, local_version, taken_at FROM snapshot_origin WHERE id = 1",
        )
        .fetch_optional(self.pool())
        .await?)
    }

    /// Copies this catalogue (fleet and plans, as one read) into the new file `file`.
    /// An existing file is refused untouched; a failed copy leaves no file behind.
    pub async fn take_snapshot(&self, file: &Path) -> Result<SnapshotSummary> {
        if file.exists() {
            return Err(CatalogueError::Refused(format!(
                "{}: a file is there already; a snapshot goes to a new file",
                file.display()
            )));
        }
        let mut read = self.pool().begin_with(self.backend().begin_read()).await?;
        let doc = read_document(&mut read).await?;
        let plans: Vec<(String, String)> =
            sqlx::query_as("SELECT name, body FROM plans ORDER BY name")
                .fetch_all(&mut *read)
                .await?;
        let (version,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM audit")
            .fetch_one(&mut *read)
            .await?;
        read.commit().await?;
        let plans = plans
            .into_iter()
            .map(|(name, body)| {
                serde_json::from_str::<Plan>(&body).map_err(|e| crate::rows::bad("plans", &name, e))
            })
            .collect::<Result<Vec<_>>>()?;

        let written = async {
            let copy = Catalogue::open(file).await?;
            copy.replace_all(&doc, "snapshot").await?;
            for plan in &plans {
                copy.save_plan(plan, false, "snapshot").await?;
            }
            let origin = SnapshotOrigin {
                source_id: self.id().to_owned(),
                source: self.path().display().to_string(),
                version,
                local_version: copy.catalogue_version().await?,
                taken_at: crate::sql::now_text(),
            };
            let _turn = copy.write_turn().await?;
            sqlx::query(
                "INSERT INTO snapshot_origin (id, source_id, source, version, local_version, taken_at) \
                 VALUES (1, $1, $2, $3, $4, $5)",
            )
            .bind(&origin.source_id)
            .bind(&origin.source)
            .bind(origin.version)
            .bind(origin.local_version)
            .bind(&origin.taken_at)
            .execute(copy.pool())
            .await?;
            copy.close().await;
            Ok::<_, CatalogueError>(origin)
        }
        .await;
        let origin = match written {
            Ok(origin) => origin,
            Err(e) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = file.as_os_str().to_owned();
                    name.push(suffix);
                    let _ = std::fs::remove_file(name);
                }
                return Err(e);
            }
        };
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(SnapshotSummary {
            file: file.display().to_string(),
            stamps: count(doc.stamps.len()),
            tenants: count(doc.tenants.len()),
            plans: count(plans.len()),
            origin,
        })
    }
}
