//! Large values as files beside the SQLite store. A value of at least
//! [`FILE_VALUE_MIN`] bytes is written once, to `values/<XXH3-128 of its bytes>`, and
//! its rows (the key's row and its change-log entry share the one file) name the file
//! instead of holding the bytes: SQLite would write them twice (the WAL, then the
//! database file), which halved a big tenant's move against a plain copy.
//!
//! Crash safety, the same promise as the rows':
//! - A tenant's own write syncs the file and the directory before the row naming it
//!   commits: a committed row never names a file that is not on disk.
//! - A move's import writes its files unsynced, as it commits its rows unsynced;
//!   [`ValueFiles::sync_written`] syncs them before the import reports caught up
//!   (`import::settle`), so before the tenant can be activated. At start, an importing
//!   tenant's files are checked against their names (a name is its bytes' hash): one
//!   missing or different starts its snapshot over (`check_imports`).
//! - A file is written under a temporary name and renamed once whole.
//! - A file no row names (a write that never committed, a value overwritten, a log
//!   trimmed, a tenant gone) is removed by [`ValueFiles::sweep`]: at start, and after a
//!   write that may have dropped a name. The sweep runs under the writer lock, so no row
//!   commits meanwhile; a file being written is held ([`Hold`]) until its row has
//!   committed, and readers hold [`ValueFiles::reading`] while they turn names into
//!   values, so the sweep never takes a file from under either.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::SqlitePool;

/// Values of at least this many bytes are kept in files.
pub const FILE_VALUE_MIN: usize = 64 * 1024;

/// Whether `value` is kept in a file.
pub fn is_large(value: &str) -> bool {
    value.len() >= FILE_VALUE_MIN
}

/// The file name of a value: the hex XXH3-128 of its bytes (32 characters).
pub fn name_of(value: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(value.as_bytes()))
}

fn is_value_name(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether the file is synced as it is written, or later by [`ValueFiles::sync_written`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync {
    Now,
    Later,
}

pub struct ValueFiles {
    dir: PathBuf,
    /// Names being written, with how many writers hold each: the sweep leaves them.
    held: Mutex<HashMap<String, usize>>,
    /// Readers between reading a name and reading its file; the sweep waits for them.
    readers: tokio::sync::RwLock<()>,
    /// Files written with `Sync::Later`, not synced yet.
    unsynced: Mutex<Vec<String>>,
    /// Held through `sync_written`: a second caller waits for the first one's sync.
    syncing: tokio::sync::Mutex<()>,
    /// A commit may have dropped the last row naming a file.
    dropped: AtomicBool,
    sweeping: AtomicBool,
    temp_count: AtomicU64,
}

/// Names held against the sweep until dropped (after the rows naming them committed);
/// `names[i]` is the file of the i-th value given to `put_all` (`None`: kept inline).
pub struct Hold {
    files: Arc<ValueFiles>,
    pub names: Vec<Option<String>>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut held = self
            .files
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for name in self.names.iter().flatten() {
            if let Some(n) = held.get_mut(name) {
                *n -= 1;
                if *n == 0 {
                    held.remove(name);
                }
            }
        }
    }
}

fn io_error(e: std::io::Error) -> sqlx::Error {
    sqlx::Error::Io(e)
}

impl ValueFiles {
    /// The `values` directory under the stamp's data directory (created 0700).
    pub fn open(data_dir: &Path) -> Result<Arc<Self>, String> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let dir = data_dir.join("values");
        let failed = |e: std::io::Error| format!("{}: {e}", dir.display());
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(failed)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
        Ok(Arc::new(Self {
            dir,
            held: Mutex::default(),
            readers: tokio::sync::RwLock::new(()),
            unsynced: Mutex::default(),
            syncing: tokio::sync::Mutex::new(()),
            dropped: AtomicBool::new(false),
            sweeping: AtomicBool::new(false),
            temp_count: AtomicU64::new(0),
        }))
    }

    /// Writes the files of the large values among `items` (`value` picks an item's
    /// value) and holds their names; the items come back with the hold. Runs off the
    /// async threads.
    pub async fn put_all<T: Send + 'static>(
        self: &Arc<Self>,
        items: Vec<T>,
        value: fn(&T) -> Option<&str>,
        sync: Sync,
    ) -> Result<(Vec<T>, Hold), sqlx::Error> {
        let names: Vec<Option<String>> = items
            .iter()
            .map(|i| value(i).filter(|v| is_large(v)).map(name_of))
            .collect();
        {
            let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            for name in names.iter().flatten() {
                *held.entry(name.clone()).or_default() += 1;
            }
        }
        let hold = Hold {
            files: self.clone(),
            names,
        };
        if hold.names.iter().all(Option::is_none) {
            return Ok((items, hold));
        }
        let files = self.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<(Vec<T>, Hold)> {
            for (item, name) in items.iter().zip(&hold.names) {
                if let (Some(v), Some(name)) = (value(item), name) {
                    files.write(name, v.as_bytes(), sync)?;
                }
            }
            if sync == Sync::Now {
                std::fs::File::open(&files.dir)?.sync_all()?;
            }
            Ok((items, hold))
        })
        .await
        .map_err(|e| io_error(std::io::Error::other(e)))?
        .map_err(io_error)
    }

    fn write(&self, name: &str, bytes: &[u8], sync: Sync) -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.dir.join(name);
        if path.exists() {
            // Maybe written by an import and not synced yet.
            if sync == Sync::Now {
                std::fs::File::open(&path)?.sync_all()?;
            }
            return Ok(());
        }
        let n = self.temp_count.fetch_add(1, Ordering::Relaxed);
        let temp = self.dir.join(format!("{name}.{n}.tmp"));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(bytes)?;
        match sync {
            Sync::Now => file.sync_all()?,
            // The disk starts writing it now (the advice starts write-back of the
            // file's dirty pages without waiting), so the sync at the end of an import
            // waits for little rather than for the whole tenant.
            Sync::Later => {
                rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed)?;
            }
        }
        drop(file);
        std::fs::rename(&temp, &path)?;
        if sync == Sync::Later {
            self.unsynced
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(name.to_owned());
        }
        Ok(())
    }

    /// Syncs the files written with `Sync::Later`, and the directory (nothing when none
    /// were written since the last call).
    pub async fn sync_written(self: &Arc<Self>) -> Result<(), sqlx::Error> {
        let _one_at_a_time = self.syncing.lock().await;
        let names =
            std::mem::take(&mut *self.unsynced.lock().unwrap_or_else(PoisonError::into_inner));
        if names.is_empty() {
            return Ok(());
        }
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            for name in names {
                match std::fs::File::open(dir.join(&name)) {
                    Ok(f) => f.sync_all()?,
                    // Swept since (no row names it any more).
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(|e| io_error(std::io::Error::other(e)))?
        .map_err(io_error)
    }

    /// Held while reading names from rows and then their files.
    pub async fn reading(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.readers.read().await
    }

    /// The value a row holds: `value` itself, or its file's bytes.
    pub async fn value(&self, value: String, file: Option<String>) -> Result<String, sqlx::Error> {
        let Some(name) = file else {
            return Ok(value);
        };
        let bytes = tokio::fs::read(self.dir.join(&name)).await.map_err(|e| {
            io_error(std::io::Error::new(
                e.kind(),
                format!("value file {name}: {e}"),
            ))
        })?;
        String::from_utf8(bytes).map_err(|_| {
            io_error(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("value file {name} is not UTF-8"),
            ))
        })
    }

    /// The length of the file `name` (a row names it: under the writer lock or
    /// `reading()`).
    pub fn size(&self, name: &str) -> Result<usize, sqlx::Error> {
        std::fs::metadata(self.dir.join(name))
            .map(|m| usize::try_from(m.len()).unwrap_or(usize::MAX))
            .map_err(|e| {
                io_error(std::io::Error::new(
                    e.kind(),
                    format!("value file {name}: {e}"),
                ))
            })
    }

    /// Whether the file `name` holds the bytes its name says.
    pub async fn intact(&self, name: &str) -> bool {
        match tokio::fs::read(self.dir.join(name)).await {
            Ok(bytes) => format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes)) == name,
            Err(_) => false,
        }
    }

    /// A commit may have dropped the last row naming a file: the next `sweep_if_dropped`
    /// sweeps.
    pub fn note_dropped(&self) {
        self.dropped.store(true, Ordering::SeqCst);
    }

    /// Removes the files no row names (none held or being read). The caller holds the
    /// writer lock. `at_start`: temporary files left by a crash go too.
    pub async fn sweep(&self, pool: &SqlitePool, at_start: bool) -> Result<usize, sqlx::Error> {
        self.dropped.store(false, Ordering::SeqCst);
        let named: Vec<(String,)> = sqlx::query_as(
            "SELECT value_file FROM kv WHERE value_file IS NOT NULL \
             UNION SELECT value_file FROM changes WHERE value_file IS NOT NULL",
        )
        .fetch_all(pool)
        .await?;
        let named: HashSet<String> = named.into_iter().map(|(n,)| n).collect();
        let _no_readers = self.readers.write().await;
        let mut removed = 0;
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
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(e)),
            }
            drop(held);
        }
        Ok(removed)
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
        let _writer = writer.lock().await;
        if let Err(e) = files.sweep(&pool, false).await {
            files.note_dropped();
            tracing::warn!(error = %e, "sweeping value files failed; the next write tries again");
        }
        files.sweeping.store(false, Ordering::SeqCst);
    });
}

/// At start: every importing tenant whose files are not all there and intact (a crash
/// lost what the import had not synced yet) starts its snapshot over. The caller holds
/// the writer lock.
pub async fn check_imports(files: &ValueFiles, pool: &SqlitePool) -> Result<(), String> {
    let failed = |e: sqlx::Error| format!("checking imported value files: {e}");
    let named: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.id, v.value_file FROM tenants t JOIN ( \
           SELECT tenant, value_file FROM kv WHERE value_file IS NOT NULL \
           UNION SELECT tenant, value_file FROM changes WHERE value_file IS NOT NULL \
         ) v ON v.tenant = t.id WHERE t.state = 'importing'",
    )
    .fetch_all(pool)
    .await
    .map_err(failed)?;
    let mut broken = HashSet::new();
    for (tenant, name) in named {
        if !broken.contains(&tenant) && !files.intact(&name).await {
            tracing::warn!(%tenant, file = %name, "an imported value was lost in a crash; the snapshot starts over");
            broken.insert(tenant);
        }
    }
    for tenant in broken {
        let mut tx = pool.begin().await.map_err(failed)?;
        crate::store::restart_snapshot(&mut tx, &tenant)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
    }
    Ok(())
}
