//! Large values as files beside the SQLite store. A value of at least
//! [`FILE_VALUE_MIN`] bytes is written once, into a file under `values/`, and its rows
//! (the key's row and its change-log entry share it) name the bytes instead of holding
//! them: `value_file` is `<file>:<offset>:<length>` ([`ValueRef`]). SQLite would write
//! them twice (the WAL, then the database file), which halved a big tenant's move
//! against a plain copy. The large values of one batch (a write, a snapshot page of a
//! move, a catch-up page) share one file: creating a file costs the filesystem more
//! than writing a megabyte into it.
//!
//! Crash safety, the same promise as the rows':
//! - A tenant's own write syncs the file and the directory before the row naming it
//!   commits: a committed row never names a file that is not on disk.
//! - A move's import does not wait for its files' sync, as it commits its rows
//!   unsynced: a thread syncs each file once written (`background_sync.rs`), and
//!   [`ValueFiles::sync_written`] waits for those syncs before the import reports caught up
//!   (`import::settle`) and before the copy activates. At start, an importing tenant's
//!   values are counted again against its kept digest: a file a crash lost or cut
//!   starts its snapshot over (`check_imports`).
//! - A file is written under a temporary name and renamed once whole.
//! - A file no row names (a write that never committed, values overwritten, a log
//!   trimmed, a tenant gone) is removed by [`ValueFiles::sweep`]: at start, and after a
//!   write that may have dropped a name. The sweep runs under the writer lock, so no row
//!   commits meanwhile; a file being written is held ([`Hold`]) until its rows have
//!   committed, and readers hold [`ValueFiles::reading`] while they turn names into
//!   values, so the sweep never takes a file from under either. Under those locks it
//!   only renames the files aside ([`sweep::Swept`]); they are removed once the writer
//!   lock is let go, so freeing a big tenant's disk does not hold up the stamp's writes.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::SqlitePool;

/// Values of at least this many bytes are kept in files.
pub const FILE_VALUE_MIN: usize = 64 * 1024;

pub use crate::value_bytes::ValueBytes;
pub use sweep::sweep_if_dropped;

mod sweep;

/// Where a value's bytes are: `length` bytes at `offset` in the file `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueRef {
    pub name: String,
    pub offset: u64,
    pub len: u64,
}

impl ValueRef {
    /// As the `value_file` column holds it.
    pub fn column(&self) -> String {
        format!("{}:{}:{}", self.name, self.offset, self.len)
    }

    /// From the `value_file` column; anything else is an error naming it.
    pub fn parse(column: &str) -> Result<Self, sqlx::Error> {
        let bad = || {
            sqlx::Error::Decode(
                format!("value_file {column:?} is not <file>:<offset>:<length>").into(),
            )
        };
        let mut parts = column.split(':');
        let (Some(name), Some(offset), Some(len), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if !is_value_name(name) {
            return Err(bad());
        }
        Ok(Self {
            name: name.to_owned(),
            offset: offset.parse().map_err(|_| bad())?,
            len: len.parse().map_err(|_| bad())?,
        })
    }
}

/// The file name for a batch's large values: the hex XXH3-128 of their rows' digests,
/// in order (the same batch again, after a retry, finds its file written).
fn file_name(digests: &[crate::digest::Digest]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for d in digests {
        h.update(d);
    }
    format!("{:032x}", h.digest128())
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
    /// Syncs the files written with `Sync::Later`, each as it is written.
    syncer: crate::background_sync::BackgroundSync,
    /// A file written with `Sync::Later` was named in the directory since the last
    /// `sync_written`.
    unsynced_names: AtomicBool,
    /// Held through `sync_written`: a second caller waits for the first one's sync.
    syncing: tokio::sync::Mutex<()>,
    /// A commit may have dropped the last row naming a file.
    dropped: AtomicBool,
    sweeping: AtomicBool,
    temp_count: AtomicU64,
}

/// A batch's file, held against the sweep until dropped (after the rows naming it
/// committed); `refs[i]` is the `value_file` column of the i-th item given to
/// `put_all` (`None`: kept inline).
pub struct Hold {
    files: Arc<ValueFiles>,
    name: Option<String>,
    pub refs: Vec<Option<String>>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let Some(name) = &self.name else {
            return;
        };
        let mut held = self
            .files
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = held.get_mut(name) {
            *n -= 1;
            if *n == 0 {
                held.remove(name);
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
        let syncer = crate::background_sync::BackgroundSync::start().map_err(failed)?;
        Ok(Arc::new(Self {
            dir,
            held: Mutex::default(),
            readers: tokio::sync::RwLock::new(()),
            syncer,
            unsynced_names: AtomicBool::new(false),
            syncing: tokio::sync::Mutex::new(()),
            dropped: AtomicBool::new(false),
            sweeping: AtomicBool::new(false),
            temp_count: AtomicU64::new(0),
        }))
    }

    /// Writes the large values among `items` into one file (`row` picks an item's key
    /// and value; `digests`, when given, are their row digests, computed already) and
    /// holds it; the items come back with the hold. Runs off the async threads.
    pub async fn put_all<T: Send + 'static>(
        self: &Arc<Self>,
        items: Vec<T>,
        row: for<'a> fn(&'a T) -> Option<(&'a str, ValueBytes<'a>)>,
        digests: Option<&[crate::digest::Digest]>,
        sync: Sync,
    ) -> Result<(Vec<T>, Hold), sqlx::Error> {
        let large: Vec<(usize, crate::digest::Digest, usize)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let (key, value) = row(item).filter(|(_, v)| v.is_large())?;
                let digest = match digests.and_then(|d| d.get(i)) {
                    Some(d) => *d,
                    None => crate::digest::row_parts(key, value.len(), value.parts()),
                };
                Some((i, digest, value.len()))
            })
            .collect();
        let mut hold = Hold {
            files: self.clone(),
            name: None,
            refs: vec![None; items.len()],
        };
        if large.is_empty() {
            return Ok((items, hold));
        }
        let name = file_name(&large.iter().map(|(_, d, _)| *d).collect::<Vec<_>>());
        let mut offset = 0u64;
        for (i, _, len) in &large {
            let len = *len as u64;
            hold.refs[*i] = Some(
                ValueRef {
                    name: name.clone(),
                    offset,
                    len,
                }
                .column(),
            );
            offset += len;
        }
        *self
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.clone())
            .or_default() += 1;
        hold.name = Some(name.clone());
        let files = self.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<(Vec<T>, Hold)> {
            let values: Vec<&[u8]> = large
                .iter()
                .filter_map(|(i, _, _)| Some(row(&items[*i])?.1.parts()))
                .flatten()
                .collect();
            files.write(&name, &values, sync)?;
            Ok((items, hold))
        })
        .await
        .map_err(|e| io_error(std::io::Error::other(e)))?
        .map_err(io_error)
    }

    /// Writes `values` one after another into the file `name`, unless it is there.
    fn write(&self, name: &str, values: &[&[u8]], sync: Sync) -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.dir.join(name);
        if path.exists() {
            // Maybe written by an import and not synced yet.
            if sync == Sync::Now {
                std::fs::File::open(&path)?.sync_all()?;
                std::fs::File::open(&self.dir)?.sync_all()?;
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
        for value in values {
            file.write_all(value)?;
        }
        match sync {
            Sync::Now => {
                file.sync_all()?;
                drop(file);
                std::fs::rename(&temp, &path)?;
                std::fs::File::open(&self.dir)?.sync_all()?;
            }
            // Synced on the sync thread from now (background_sync.rs), so the sync at
            // the end of an import waits for little rather than for the whole tenant.
            Sync::Later => {
                self.syncer.push(file)?;
                std::fs::rename(&temp, &path)?;
                self.unsynced_names.store(true, Ordering::SeqCst);
            }
        }
        Ok(())
    }

    /// Waits until the files written with `Sync::Later` are synced, then syncs the
    /// directory that names them (nothing when none were written since the last call).
    pub async fn sync_written(self: &Arc<Self>) -> Result<(), sqlx::Error> {
        let _one_at_a_time = self.syncing.lock().await;
        if !self.unsynced_names.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        let files = Arc::clone(self);
        let synced = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            files.syncer.wait()?;
            std::fs::File::open(&files.dir)?.sync_all()
        })
        .await
        .map_err(|e| io_error(std::io::Error::other(e)))
        .and_then(|r| r.map_err(io_error));
        if synced.is_err() {
            // Still to do: the next call tries again.
            self.unsynced_names.store(true, Ordering::SeqCst);
        }
        synced
    }

    /// Held while reading names from rows and then their files.
    pub async fn reading(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.readers.read().await
    }

    /// The value a row holds: `value` itself, or the bytes its `value_file` names.
    pub async fn value(&self, value: String, file: Option<String>) -> Result<String, sqlx::Error> {
        let Some(column) = file else {
            return Ok(value);
        };
        let at = ValueRef::parse(&column)?;
        let mut file = tokio::fs::File::from_std(self.open_file(&at.name)?);
        let bytes = read_at(&mut file, &at).await.map_err(|e| {
            io_error(std::io::Error::new(
                e.kind(),
                format!("value file {column}: {e}"),
            ))
        })?;
        String::from_utf8(bytes).map_err(|_| {
            io_error(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("value file {column} is not UTF-8"),
            ))
        })
    }

    /// The file `name`, open to read (a row names it: under the writer lock or
    /// `reading()`).
    pub fn open_file(&self, name: &str) -> std::io::Result<std::fs::File> {
        std::fs::File::open(self.dir.join(name))
            .map_err(|e| std::io::Error::new(e.kind(), format!("value file {name}: {e}")))
    }

    /// A commit may have dropped the last row naming a file: the next `sweep_if_dropped`
    /// sweeps.
    pub fn note_dropped(&self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// The `len` bytes at `offset` of `file`.
async fn read_at(file: &mut tokio::fs::File, at: &ValueRef) -> std::io::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    file.seek(std::io::SeekFrom::Start(at.offset)).await?;
    let len = usize::try_from(at.len).map_err(std::io::Error::other)?;
    let mut bytes = vec![0; len];
    file.read_exact(&mut bytes).await?;
    Ok(bytes)
}

/// At start: every importing tenant whose values, counted again from its rows and
/// files, do not give its kept digest (a crash lost or cut what the import had not
/// synced yet) starts its snapshot over. The caller holds the writer lock.
pub async fn check_imports(files: &ValueFiles, pool: &SqlitePool) -> Result<(), String> {
    let failed = |e: sqlx::Error| format!("checking imported value files: {e}");
    let importing: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM tenants WHERE state = 'importing' AND id IN ( \
           SELECT tenant FROM kv WHERE value_file IS NOT NULL \
           UNION SELECT tenant FROM changes WHERE value_file IS NOT NULL)",
    )
    .fetch_all(pool)
    .await
    .map_err(failed)?;
    for (tenant,) in importing {
        let mut conn = pool.acquire().await.map_err(failed)?;
        let kept = crate::digest::stored(&mut conn, &tenant)
            .await
            .map_err(failed)?;
        let counted = crate::digest::recount(&mut conn, files, &tenant).await;
        if counted.as_ref().ok() == kept.as_ref() {
            continue;
        }
        tracing::warn!(%tenant, "an import's value files were lost or cut in a crash; its snapshot starts over");
        let mut tx = pool.begin().await.map_err(failed)?;
        crate::store::restart_snapshot(&mut tx, &tenant)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
    }
    Ok(())
}
