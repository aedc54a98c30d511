//! The sweep of value files no row names (`value_files.rs`, crash safety): set aside
//! under the writer lock, removed after it.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::PoisonError;

use sqlx::SqlitePool;

use super::{io_error, is_value_name, ValueFiles, ValueRef};

impl ValueFiles {
    /// Sets aside the files no row names (none held or being read), for the caller to
    /// remove ([`Swept::remove`]) once it has let go of the writer lock, which it holds
    /// here. `at_start`: temporary files and files set aside that a crash left go too.
    pub async fn sweep(&self, pool: &SqlitePool, at_start: bool) -> Result<Swept, sqlx::Error> {
        self.dropped.store(false, Ordering::SeqCst);
        let named: Vec<(String,)> = sqlx::query_as(
            "SELECT value_file FROM kv WHERE value_file IS NOT NULL \
             UNION SELECT value_file FROM changes WHERE value_file IS NOT NULL",
        )
        .fetch_all(pool)
        .await?;
        let named: HashSet<String> = named
            .into_iter()
            .map(|(column,)| ValueRef::parse(&column).map(|r| r.name))
            .collect::<Result<_, _>>()?;
        let _no_readers = self.readers.write().await;
        let mut gone = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(io_error)? {
            let entry = entry.map_err(io_error)?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if named.contains(&name) || (!at_start && !is_value_name(&name)) {
                continue;
            }
            let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            if held.contains_key(&name) {
                continue;
            }
            // Renamed aside now, removed by `Swept::remove` once the caller has let
            // go of the writer lock: freeing a gigabyte of files takes 250-430 ms
            // here, which every write on the stamp waited for. No row names the file,
            // so a write of the same values from now on writes it again under its name.
            let n = self.temp_count.fetch_add(1, Ordering::Relaxed);
            let aside = self.dir.join(format!("{name}.{n}.gone"));
            match std::fs::rename(entry.path(), &aside) {
                Ok(()) => gone.push(aside),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(e)),
            }
            drop(held);
        }
        Ok(Swept(gone))
    }
}

/// The files a sweep set aside (`<name>.<n>.gone`: no row names them, and no sweep but
/// the one at start looks at them), to remove off the writer lock; one a crash left, or
/// that could not be removed, is removed at the next start.
#[must_use = "the files set aside stay on disk until removed"]
pub struct Swept(Vec<PathBuf>);

impl Swept {
    /// Removes them (off the async threads); how many there were.
    pub async fn remove(self) -> Result<usize, sqlx::Error> {
        let count = self.0.len();
        if count == 0 {
            return Ok(0);
        }
        tokio::task::spawn_blocking(move || {
            for path in self.0 {
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| io_error(std::io::Error::other(e)))?
        .map_err(io_error)?;
        Ok(count)
    }
}

/// After a commit: sweeps in the background if it may have dropped a file's last name
/// (one sweep at a time; a drop noted meanwhile waits for the next commit).
pub fn sweep_if_dropped(agent: &crate::agent::Agent) {
    let files = agent.values.clone();
    if !files.dropped.load(Ordering::SeqCst) || files.sweeping.swap(true, Ordering::SeqCst) {
        return;
    }
    let (pool, writer) = (agent.pool.clone(), agent.writer.clone());
    tokio::spawn(async move {
        let writer = writer.lock().await;
        let swept = files.sweep(&pool, false).await;
        drop(writer);
        if let Err(e) = match swept {
            Ok(swept) => swept.remove().await.map(|_| ()),
            Err(e) => Err(e),
        } {
            files.note_dropped();
            tracing::warn!(error = %e, "sweeping value files failed; the next write tries again");
        }
        files.sweeping.store(false, Ordering::SeqCst);
    });
}
