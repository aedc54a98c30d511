//! A run's lease on a team catalogue: while a process runs a journaled operation (a
//! move, a plan apply), it holds a PostgreSQL session advisory lock named after it on a
//! connection of its own. Another operator's process cannot take it; the server lets
//! it go when the holder's connection ends, killed or not, so the run can be recovered
//! by anyone once its holder is gone. (On a catalogue file, a lock file beside it does
//! the same: see fleet-ops.)

use sqlx::Connection;

use crate::error::Result;
use crate::{Backend, Catalogue, CatalogueError};

/// Held while the run goes on; dropping it closes its connection and frees the lease.
pub struct RunLease {
    session: sqlx::AnyConnection,
}

impl RunLease {
    /// Ends the lease now (it also ends when dropped or when the process dies).
    pub async fn release(mut self) {
        // Unlocked by the server before this returns: closing the connection alone lets
        // the lock go only when the server's backend has exited, a moment later.
        let _ = sqlx::query("SELECT pg_advisory_unlock_all()")
            .execute(&mut self.session)
            .await;
        let _ = self.session.close().await;
    }
}

/// The advisory lock key for run `name`: FNV-1a of it, stable across builds and hosts.
fn lease_key(name: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in "stampfleet-run:".bytes().chain(name.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

impl Catalogue {
    /// Takes the lease on run `name`; None while another process holds it.
    pub async fn try_run_lease(&self, name: &str) -> Result<Option<RunLease>> {
        if self.backend() != Backend::Postgres {
            return Err(CatalogueError::Refused(
                "run leases are a team catalogue's; a catalogue file uses lock files".to_owned(),
            ));
        }
        let mut session = self.pool().acquire().await?.detach();
        let (taken,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
            .bind(lease_key(name))
            .fetch_one(&mut session)
            .await?;
        if !taken {
            let _ = session.close().await;
            return Ok(None);
        }
        Ok(Some(RunLease { session }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_differ_by_name_and_stay_put() {
        assert_ne!(super::lease_key("move-1"), super::lease_key("move-2"));
        assert_eq!(super::lease_key("move-1"), super::lease_key("move-1"));
    }
}
