//! The snapshot pages an import fetches ahead of the page it writes. One fetch in
//! flight left the two stamps waiting on each other (the source reading and sending a
//! page, then the target decoding and hashing it); with [`AHEAD`] pages asked at once
//! (the later ones with `skip`, so before the one before has arrived) their work
//! overlaps. Each fetch also writes its page's large values to their file (held against
//! the sweep until the rows naming it commit, as any batch's file), so the import's
//! loop only commits rows: the file of the next page is written meanwhile. Writes on
//! the source can move page boundaries meanwhile, so a page is used only if it follows
//! on from the import's cursor (it names the key it follows); otherwise the pages ahead
//! are dropped and fetched again from the cursor.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::http::StatusCode;
use stamp_client::{ClientError, StampClient};
use stamp_protocol::{ExportPage, KvEntry};
use tokio::task::JoinHandle;

use crate::error::Failure;
use crate::value_files::{Hold, Sync, ValueBytes, ValueFiles};

/// Pages in flight while one is written (two left the cores idle a sixth of the time
/// once a page's values were no longer copied; four were no faster than three).
const AHEAD: usize = 3;

/// Pages being fetched and written at once on this stamp, by all its imports: a page
/// holds up to 24 MiB (`pageBytes`, in the chunks it arrived in) until its file is
/// written, and twenty moves at once would otherwise hold sixty. (A fetched page
/// waiting for its turn holds no large value: those are in its file by then.)
static FETCHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(6);

/// A snapshot page, the XOR of its rows' digests (computed as it arrives), and its
/// large values' file, written unsynced (`Sync::Later`) and held. The entries whose
/// value is in the file keep an empty value (their rows store only the file's name).
pub struct FetchedPage {
    pub page: ExportPage,
    pub digest: crate::digest::Digest,
    pub hold: Hold,
    /// The page's key and value bytes, and those of them kept inline (in the store).
    pub bytes: u64,
    pub inline_bytes: u64,
}

struct Fetch {
    /// The cursor it was asked after, and how many pages past it.
    after: String,
    skip: u32,
    handle: JoinHandle<Result<FetchedPage, Failure>>,
}

pub struct PagesAhead {
    source: StampClient,
    files: Arc<ValueFiles>,
    tenant: String,
    in_flight: VecDeque<Fetch>,
    /// Cleared when the source answers `skip` without naming what its page follows (an
    /// older agent): then one page at a time.
    ahead: usize,
}

impl PagesAhead {
    pub fn new(source: StampClient, files: Arc<ValueFiles>, tenant: String) -> Self {
        Self {
            source,
            files,
            tenant,
            in_flight: VecDeque::new(),
            ahead: AHEAD,
        }
    }

    fn fetch(&mut self, after: String, skip: u32) {
        let (source, tenant, asked) = (self.source.clone(), self.tenant.clone(), after.clone());
        let files = self.files.clone();
        let handle = tokio::spawn(async move {
            let _turn = FETCHING
                .acquire()
                .await
                .map_err(|e| Failure::internal(format!("waiting to fetch a page: {e}")))?;
            // Values stay in the chunks the page arrived in: hashed and written to
            // their file from there.
            let mut page = source
                .export_page_shared(&tenant, &asked, skip)
                .await
                .map_err(upstream)?;
            let rows: Vec<_> = page
                .entries
                .iter()
                .map(|e| {
                    let value = e.value.pieces().iter().map(|p| &p[..]);
                    crate::digest::row_parts(&e.key, e.value.len(), value)
                })
                .collect();
            let mut digest = crate::digest::Digest::default();
            for r in &rows {
                crate::digest::xor(&mut digest, r);
            }
            let (shared, hold) = files
                .put_all(
                    std::mem::take(&mut page.entries),
                    |e| Some((e.key.as_str(), ValueBytes::Pieces(&e.value))),
                    Some(&rows),
                    Sync::Later,
                )
                .await?;
            let (mut bytes, mut inline_bytes) = (0, 0);
            let mut entries = Vec::with_capacity(shared.len());
            for (entry, file) in shared.into_iter().zip(&hold.refs) {
                let size = (entry.key.len() + entry.value.len()) as u64;
                bytes += size;
                let value = match file {
                    None => {
                        inline_bytes += size;
                        entry.value.into_string()
                    }
                    // In its file: the row keeps only the file's name.
                    Some(_) => String::new(),
                };
                entries.push(KvEntry {
                    key: entry.key,
                    value,
                    seq: entry.seq,
                });
            }
            let page = ExportPage {
                seq: page.seq,
                entries,
                next_after: page.next_after,
                after: page.after,
            };
            Ok(FetchedPage {
                page,
                digest,
                hold,
                bytes,
                inline_bytes,
            })
        });
        self.in_flight.push_back(Fetch {
            after,
            skip,
            handle,
        });
    }

    fn drop_in_flight(&mut self) {
        for f in self.in_flight.drain(..) {
            f.handle.abort();
        }
    }

    /// The page after `cursor`, and the next ones asked for.
    pub async fn next(&mut self, cursor: &str) -> Result<FetchedPage, Failure> {
        let page = loop {
            if self.in_flight.is_empty() {
                self.fetch(cursor.to_owned(), 0);
            }
            let Some(f) = self.in_flight.pop_front() else {
                continue;
            };
            let fetched = f
                .handle
                .await
                .map_err(|e| Failure::internal(format!("fetching a snapshot page: {e}")))??;
            let follows = match (f.skip, fetched.page.after.as_deref()) {
                (0, _) => f.after == cursor,
                (_, Some(after)) => after == cursor,
                (_, None) => {
                    self.ahead = 1;
                    false
                }
            };
            if follows {
                break fetched;
            }
            tracing::debug!(tenant = %self.tenant, %cursor, "page boundaries moved on the source; pages ahead fetched again");
            self.drop_in_flight();
        };
        match &page.page.next_after {
            Some(next) => {
                while self.in_flight.len() < self.ahead {
                    let skip = u32::try_from(self.in_flight.len()).unwrap_or(u32::MAX);
                    self.fetch(next.clone(), skip);
                }
            }
            None => self.drop_in_flight(),
        }
        Ok(page)
    }
}

impl Drop for PagesAhead {
    /// Pages still in flight when the sync's budget runs out are not waited for.
    fn drop(&mut self) {
        self.drop_in_flight();
    }
}

pub fn upstream(e: ClientError) -> Failure {
    Failure::new(
        StatusCode::BAD_GATEWAY,
        "source_failed",
        format!("pulling from the source: {e}"),
    )
}
