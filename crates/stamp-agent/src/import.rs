//! The target side of a move: pull a tenant from its source (snapshot pages in key
//! order, resumable by cursor, the next page fetched while this one is written; then
//! the change log), as the app asks, for a bounded time per call.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use stamp_client::{ClientError, ClientOptions, StampClient};
use stamp_protocol::{rules, ImportProgress, ImportSync, TenantState};

use crate::agent::{Agent, Shared};
use crate::callers::AdminCaller;
use crate::checkpoint::{Checkpointer, ImportConnection};
use crate::error::Failure;
use crate::idempotency;
use crate::import_pages::{upstream, FetchedPage, PagesAhead};
use crate::moves::state_of;
use crate::request::{parse, tenant_id};
use crate::store::{self, MoveState};
use crate::value_files::Sync;

/// After about this many bytes imported, the import waits for the WAL to be checkpointed
/// whole, so its next commit writes the WAL from the start again: the WAL's pages are
/// reused rather than grown to the tenant's size (a second copy of it in new pages).
const WAL_RESET_BYTES: u64 = 64_000_000;

/// One sync call pulls for about this long, then reports.
const SYNC_BUDGET: Duration = Duration::from_secs(2);

/// Pulls the tenant from its source for about [`SYNC_BUDGET`]: the snapshot first (page
/// by page, resumable), then the change log, until caught up. Safe to repeat.
pub(crate) async fn sync(
    _: AdminCaller,
    State(agent): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    idempotency::key(&headers)?;
    let id = tenant_id(&id)?;
    let request: ImportSync = parse(&body)?;
    rules::check_stamp_url("source", &request.source).map_err(Failure::rule)?;
    rules::check_token("transferToken", &request.transfer_token).map_err(Failure::rule)?;
    rules::check_display_name(&request.display_name).map_err(Failure::rule)?;
    rules::check_size_units(request.size_units).map_err(Failure::rule)?;
    let source = StampClient::new(
        &request.source,
        request.transfer_token.clone(),
        ClientOptions {
            attempts: 2,
            ..ClientOptions::default()
        },
    )
    .map_err(|e| Failure::invalid(e.to_string()))?;
    begin_import(&agent, &id, &request).await?;
    let started = Instant::now();
    let mut progress = ImportProgress {
        snapshot_done: false,
        applied_seq: 0,
        source_seq: 0,
        copied_keys: 0,
        copied_bytes: 0,
        source_frozen: false,
        tenant_token: agent.tokens.tenant_token(&id),
    };
    // Pages are fetched ahead (their digests computed, their files written) while this
    // one commits, so source and target work overlap; those left over when the budget
    // runs out are dropped. Checkpoints run beside the writes (see `checkpoint`).
    let mut pages = PagesAhead::new(source.clone(), agent.values.clone(), id.clone());
    let mut checkpointer = Checkpointer::new(agent.pool.clone());
    let mut wal_bytes = 0u64;
    let result = loop {
        let m = state_of(&agent, &id).await?;
        progress.applied_seq = u64::try_from(m.change_seq).unwrap_or(0);
        progress.snapshot_done = m.snapshot_done == 1;
        if m.snapshot_done == 0 {
            let after = m.import_cursor.clone().unwrap_or_default();
            let page = pages.next(&after).await?;
            match copy_page(&agent, &id, &m, page, &mut progress).await {
                Ok(inline) => wal_bytes += inline,
                Err(e) => break Err(e),
            }
            checkpointer.nudge();
            if wal_bytes > WAL_RESET_BYTES {
                checkpointer.drain().await;
                wal_bytes = 0;
            }
        } else {
            let page = match source.changes(&id, progress.applied_seq).await {
                Err(ClientError::Rejected { status: 410, .. }) => {
                    restart_snapshot(&agent, &id).await?;
                    continue;
                }
                other => other.map_err(upstream)?,
            };
            progress.source_seq = page.last_seq;
            progress.source_frozen = page.frozen;
            if !page.changes.is_empty() {
                // Large values' files first (synced: these rows commit with a sync).
                let (changes, hold) = agent
                    .values
                    .put_all(
                        page.changes,
                        |c| Some((c.key.as_str(), c.value.as_deref()?.into())),
                        None,
                        Sync::Now,
                    )
                    .await?;
                // While the source is frozen the tenant's writes wait for this catch-up:
                // the fast lane.
                let writer = if page.frozen {
                    agent.writer.lock_first().await
                } else {
                    agent.writer.lock().await
                };
                let mut tx = agent.pool.begin().await?;
                progress.applied_seq = store::apply_changes(
                    &mut tx,
                    &agent.values,
                    &id,
                    progress.applied_seq,
                    &changes,
                    &hold.refs,
                )
                .await?;
                tx.commit().await?;
                drop((writer, hold));
                crate::value_files::sweep_if_dropped(&agent);
                progress.copied_keys += changes.len() as u64;
                progress.copied_bytes += changes
                    .iter()
                    .map(|c| (c.key.len() + c.value.as_ref().map_or(0, String::len)) as u64)
                    .sum::<u64>();
            }
            if progress.applied_seq >= page.last_seq {
                break Ok(());
            }
        }
        if started.elapsed() > SYNC_BUDGET {
            break Ok(());
        }
    };
    drop(pages);
    checkpointer.finish().await;
    result?;
    // Caught up while the source still takes writes: the freeze is near. Everything
    // the import wrote goes to disk now, so the syncs inside the freeze stay small.
    if progress.snapshot_done
        && !progress.source_frozen
        && progress.applied_seq >= progress.source_seq
    {
        settle(&agent).await?;
    }
    Ok(Json(progress).into_response())
}

/// Syncs the value files written, checkpoints the WAL and syncs the database file and
/// the WAL. An import's pages are committed without a sync; left for later, the first
/// sync of the cut-over (the final catch-up's commit) would write out a gigabyte while
/// the tenant's writes are refused.
async fn settle(agent: &Agent) -> Result<(), Failure> {
    agent.values.sync_written().await?;
    crate::checkpoint::passive(&agent.pool).await?;
    let (file,): (String,) =
        sqlx::query_as("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(&agent.pool)
            .await?;
    let synced = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        for path in [file.clone(), format!("{file}-wal")] {
            match std::fs::File::open(&path) {
                Ok(f) => f.sync_all()?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })
    .await
    .map_err(|e| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    synced.map_err(|e| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("syncing the stamp's files: {e}"),
        )
    })
}

/// Creates the tenant here as `importing`, or takes a fenced copy back into import (a
/// move back then only needs the changes since it left).
async fn begin_import(agent: &Agent, id: &str, request: &ImportSync) -> Result<(), Failure> {
    // Importing already (every call but the first, the catch-up in a freeze too): a read
    // says so, with no turn at the writer lock behind other imports' pages.
    if matches!(state_of(agent, id).await, Ok(m) if m.state == "importing") {
        return Ok(());
    }
    let _writer = agent.writer.lock().await;
    let mut tx = agent.pool.begin().await?;
    match store::move_state(&mut tx, id).await? {
        Some(m) if m.state == "importing" => return Ok(()),
        Some(m) if m.state == "fenced" => {
            store::set_state(&mut tx, id, TenantState::Importing, None).await?;
        }
        Some(m) => {
            return Err(Failure::conflict(format!(
                "tenant {id} is {} here: it cannot be imported",
                m.state
            )))
        }
        None => {
            // sizeUnits was checked with the request (`sync`).
            crate::tenants::insert_if_room(
                agent,
                &mut tx,
                id,
                &request.display_name,
                request.size_units,
            )
            .await?;
            sqlx::query(
                "UPDATE tenants SET state = 'importing', snapshot_done = 0, import_seq = NULL, \
                 import_cursor = NULL WHERE id = ?",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The source's log no longer reaches back to this copy: start over from a snapshot.
async fn restart_snapshot(agent: &Agent, id: &str) -> Result<(), Failure> {
    let writer = agent.writer.lock().await;
    let mut tx = agent.pool.begin().await?;
    store::restart_snapshot(&mut tx, id).await?;
    tx.commit().await?;
    drop(writer);
    agent.values.note_dropped();
    crate::value_files::sweep_if_dropped(agent);
    Ok(())
}

/// Copies one snapshot page (the one after the cursor) and moves the cursor, in one
/// transaction. Returns the bytes it wrote into the store (not into value files).
async fn copy_page(
    agent: &Agent,
    id: &str,
    m: &MoveState,
    fetched: FetchedPage,
    progress: &mut ImportProgress,
) -> Result<u64, Failure> {
    let page = fetched.page;
    // The log is replayed from the sequence the snapshot began at.
    let start = m
        .import_seq
        .unwrap_or_else(|| i64::try_from(page.seq).unwrap_or(i64::MAX));
    let next_after = page.next_after;
    // Its large values' file is written already, unsynced, as the page's rows commit
    // unsynced (`settle`, and the activation, sync them).
    let (entries, hold) = (page.entries, fetched.hold);
    let writer = agent.writer.lock().await;
    // Held for this page only: a connection kept across pages would starve the pool
    // when several imports run on this stamp at once.
    let mut conn = ImportConnection::acquire(&agent.pool).await?;
    let mut tx = sqlx::Connection::begin(&mut **conn.get()?).await?;
    store::apply_entries(
        &mut tx,
        &agent.values,
        id,
        &entries,
        &hold.refs,
        Some(fetched.digest),
    )
    .await?;
    let done = next_after.is_none();
    sqlx::query(
        "UPDATE tenants SET import_seq = ?, import_cursor = ?, snapshot_done = ?, \
         change_seq = CASE WHEN ? THEN ? ELSE change_seq END, \
         log_start = CASE WHEN ? THEN ? ELSE log_start END WHERE id = ?",
    )
    .bind(start)
    .bind(next_after.as_deref().unwrap_or(""))
    .bind(i64::from(done))
    .bind(done)
    .bind(start)
    .bind(done)
    .bind(start)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    drop((writer, hold));
    conn.release().await;
    crate::value_files::sweep_if_dropped(agent);
    progress.copied_keys += entries.len() as u64;
    progress.copied_bytes += fetched.bytes;
    progress.snapshot_done = done;
    Ok(fetched.inline_bytes)
}
