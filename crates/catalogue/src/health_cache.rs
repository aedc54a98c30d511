//! The health cache (schema 19): each stamp's last health answer (JSON, as fleet-ops
//! writes it) and when it was checked, shared by every process on the catalogue.

use crate::{Catalogue, Result};

/// One stamp's cached health: its id, the answer as JSON, when (unix seconds).
pub type CachedHealth = (String, String, i64);

impl Catalogue {
    /// Every cached health answer.
    pub async fn cached_health(&self) -> Result<Vec<CachedHealth>> {
        Ok(
            sqlx::query_as("SELECT stamp, health, checked_at FROM stamp_health")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Keeps these answers (one statement per 8,000 stamps); an older answer never
    /// replaces a newer one another process wrote meanwhile.
    pub async fn save_health(&self, rows: &[CachedHealth]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let _turn = self.write_turn().await?;
        let mut conn = self.pool().acquire().await?;
        for chunk in rows.chunks(8_000) {
            let mut qb =
                crate::sql::Statement::new("INSERT INTO stamp_health (stamp, health, checked_at) ");
            qb.push_values(chunk, |b, (stamp, health, at)| {
                b.push_bind(stamp.as_str())
                    .push_bind(health.as_str())
                    .push_bind(*at);
            });
            qb.push(
                " ON CONFLICT (stamp) DO UPDATE SET health = excluded.health, \
                 checked_at = excluded.checked_at WHERE stamp_health.checked_at <= excluded.checked_at",
            );
            qb.execute(&mut conn).await?;
        }
        Ok(())
    }
}
