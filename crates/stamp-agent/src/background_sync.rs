//! Syncs the value files a move's import writes without waiting (`Sync::Later`), on a
//! thread of its own, each as soon as it is written: the disk writes it at once, the
//! import goes on meanwhile, and [`BackgroundSync::wait`] at the end of the import waits
//! only for the last few. The file's pages stay in the page cache, where the tenant's
//! next reads (or a move back) find them: asking the kernel to start the write-back by
//! `fadvise(DONTNEED)`, as before, also dropped the pages already written, and a move
//! back then read its gigabyte from the disk.

use std::fs::File;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

#[derive(Default)]
struct Progress {
    sent: u64,
    synced: u64,
    /// The first sync that failed. It stays: after a failed sync the kernel may have
    /// dropped the pages it could not write, so no later wait can promise they are on
    /// disk (the agent says so until it is restarted).
    failed: Option<String>,
}

pub struct BackgroundSync {
    queue: Mutex<Sender<File>>,
    progress: Arc<(Mutex<Progress>, Condvar)>,
}

impl BackgroundSync {
    /// Starts the syncing thread; it ends when this is dropped.
    pub fn start() -> std::io::Result<Self> {
        let (queue, files) = channel::<File>();
        let progress = Arc::new((Mutex::new(Progress::default()), Condvar::new()));
        let shared = Arc::clone(&progress);
        std::thread::Builder::new()
            .name("value-file-sync".into())
            .spawn(move || {
                for file in files {
                    let synced = file.sync_all();
                    let (lock, changed) = &*shared;
                    let mut p = lock.lock().unwrap_or_else(PoisonError::into_inner);
                    p.synced += 1;
                    if let Err(e) = synced {
                        p.failed.get_or_insert_with(|| e.to_string());
                    }
                    changed.notify_all();
                }
            })?;
        Ok(Self {
            queue: Mutex::new(queue),
            progress,
        })
    }

    /// Queues `file` (written whole) to be synced.
    pub fn push(&self, file: File) -> std::io::Result<()> {
        let (lock, _) = &*self.progress;
        lock.lock().unwrap_or_else(PoisonError::into_inner).sent += 1;
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(file)
            .map_err(|_| std::io::Error::other("the value files' sync thread has ended"))
    }

    /// Blocks until every file queued before the call is synced: an error when any sync
    /// failed (since the agent started).
    pub fn wait(&self) -> std::io::Result<()> {
        let (lock, changed) = &*self.progress;
        let mut p = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let until = p.sent;
        while p.synced < until && p.failed.is_none() {
            p = changed.wait(p).unwrap_or_else(PoisonError::into_inner);
        }
        match &p.failed {
            Some(e) => Err(std::io::Error::other(format!(
                "a value file could not be synced to disk ({e}); restart the agent once the disk is fixed"
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BackgroundSync;

    #[test]
    fn a_wait_returns_once_every_file_queued_before_it_is_synced() {
        let dir = tempfile::tempdir().unwrap();
        let sync = BackgroundSync::start().unwrap();
        sync.wait().unwrap();
        for i in 0..20 {
            let path = dir.path().join(format!("f{i}"));
            std::fs::write(&path, vec![7u8; 4096]).unwrap();
            sync.push(std::fs::File::open(&path).unwrap()).unwrap();
        }
        sync.wait().unwrap();
        let (lock, _) = &*sync.progress;
        let p = lock.lock().unwrap();
        assert_eq!((p.sent, p.synced), (20, 20));
    }
}
