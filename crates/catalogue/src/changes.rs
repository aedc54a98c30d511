//! Noticing changes other windows and processes make. On a team catalogue the server
//! notifies the channel `stampfleet_changes` when a change commits (migration 0011), and
//! a listener hears it at once; a catalogue file has no channel, so its newest audit row
//! and routing version are looked at every two seconds.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::AnyPool;

use crate::error::Result;
use crate::{Backend, Catalogue, CatalogueError};

/// The channel migration 0011's triggers notify.
const CHANNEL: &str = "stampfleet_changes";
/// How often a catalogue file is looked at.
const FILE_POLL: Duration = Duration::from_secs(2);

/// Waits for changes to the catalogue (`next`).
pub struct ChangeWatch {
    source: Source,
}

enum Source {
    Listen(Box<PgListener>),
    Poll { pool: AnyPool, seen: (i64, i64) },
}

/// The newest audit row and the routing table's version: what any change moves.
async fn version(pool: &AnyPool) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM audit), (SELECT version FROM routing WHERE id = 1)",
    )
    .fetch_one(pool)
    .await?)
}

impl Catalogue {
    /// A watch on this catalogue's changes, made by any process (this one's included).
    pub async fn watch_changes(&self) -> Result<ChangeWatch> {
        let source = match (self.backend(), self.server_url()) {
            (Backend::Postgres, Some(url)) => {
                let unreachable = |e: sqlx::Error| CatalogueError::Server {
                    url: crate::redact(url),
                    detail: e.to_string(),
                };
                let mut listener = PgListener::connect(url).await.map_err(unreachable)?;
                listener.listen(CHANNEL).await.map_err(unreachable)?;
                Source::Listen(Box::new(listener))
            }
            _ => Source::Poll {
                pool: self.pool().clone(),
                seen: version(self.pool()).await?,
            },
        };
        Ok(ChangeWatch { source })
    }
}

impl ChangeWatch {
    /// Returns once the catalogue changed since the last call (or since the watch began).
    /// A lost server connection is taken up again, and counts as a change (notices sent
    /// meanwhile are lost).
    pub async fn next(&mut self) -> Result<()> {
        match &mut self.source {
            Source::Listen(listener) => match listener.recv().await {
                Ok(_) => Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, "the team catalogue's change notices paused");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Ok(())
                }
            },
            Source::Poll { pool, seen } => loop {
                tokio::time::sleep(FILE_POLL).await;
                let now = version(pool).await?;
                if now != *seen {
                    *seen = now;
                    return Ok(());
                }
            },
        }
    }
}
