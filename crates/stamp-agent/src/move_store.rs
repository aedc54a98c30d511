//! The store's side of a tenant move: snapshot pages and change-log pages read on the
//! source, and applied on the target, with large values read from and written to their
//! files (`value_files`).

use sqlx::SqliteConnection;
use stamp_protocol::{Change, KvEntry, PageEncoder};

use crate::store::{kv_get_conn, log_change, put_row};
use crate::value_files::{ValueFiles, ValueRef};

/// The last key of the page after `after` (up to `limit` entries or about `max_bytes`,
/// at least one) and whether more follow; none when no key follows `after`. Sizes are
/// read without the values (`octet_length` reads no content; a value in a file has
/// its length in its `value_file`), so a page never loads more values than it returns.
/// The rows are read one by one and the reading stops at the first that does not fit:
/// a page of a few megabyte values no longer reads the sizes of `limit` rows past it.
async fn page_end(
    conn: &mut SqliteConnection,
    tenant: &str,
    after: &str,
    (limit, max_bytes): (u32, usize),
) -> Result<Option<(String, bool)>, sqlx::Error> {
    use futures_util::TryStreamExt;
    let mut sizes = sqlx::query_as::<_, (String, i64, Option<String>)>(
        "SELECT key, octet_length(value), value_file FROM kv WHERE tenant = ? AND key > ? \
         ORDER BY key LIMIT ?",
    )
    .bind(tenant)
    .bind(after)
    .bind(i64::from(limit) + 1)
    .fetch(&mut *conn);
    let mut bytes = 0usize;
    let mut last: Option<String> = None;
    let mut taken = 0u32;
    while let Some((key, size, file)) = sizes.try_next().await? {
        let value_size = match file {
            Some(column) => usize::try_from(ValueRef::parse(&column)?.len).unwrap_or(usize::MAX),
            None => usize::try_from(size).unwrap_or(0),
        };
        let size = key.len() + value_size;
        if taken == limit || (taken > 0 && bytes + size > max_bytes) {
            return Ok(last.map(|last| (last, true)));
        }
        bytes += size;
        taken += 1;
        last = Some(key);
    }
    Ok(last.map(|last| (last, false)))
}

/// A snapshot page's row: its value inline, or the name of its file.
pub struct PageRow {
    pub key: String,
    pub value: String,
    pub file: Option<String>,
    pub seq: u64,
}

/// A snapshot page: the rows after `after` in key order, `skip` pages on (see
/// [`page_end`] for a page's size); whether more follow; and the key the rows follow
/// (`after` itself when `skip` is 0). The caller holds one read transaction for it, and
/// `files.reading()` until it has read the rows' files.
pub async fn export_page(
    conn: &mut SqliteConnection,
    tenant: &str,
    (after, skip): (&str, u32),
    size: (u32, usize),
) -> Result<(Vec<PageRow>, bool, String), sqlx::Error> {
    let mut after = after.to_owned();
    for _ in 0..skip {
        match page_end(&mut *conn, tenant, &after, size).await? {
            Some((last, true)) => after = last,
            Some((last, false)) => return Ok((Vec::new(), false, last)),
            None => return Ok((Vec::new(), false, after)),
        }
    }
    let Some((last, more)) = page_end(&mut *conn, tenant, &after, size).await? else {
        return Ok((Vec::new(), false, after));
    };
    let rows: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT key, value, value_file, seq FROM kv WHERE tenant = ? AND key > ? AND key <= ? \
         ORDER BY key",
    )
    .bind(tenant)
    .bind(&after)
    .bind(&last)
    .fetch_all(&mut *conn)
    .await?;
    let rows = rows
        .into_iter()
        .map(|(key, value, file, seq)| PageRow {
            key,
            value,
            file,
            seq: u64::try_from(seq).unwrap_or(0),
        })
        .collect();
    Ok((rows, more, after))
}

/// The rows as entries, their files read (JSON answers).
pub async fn page_entries(
    files: &ValueFiles,
    rows: Vec<PageRow>,
) -> Result<Vec<KvEntry>, sqlx::Error> {
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        entries.push(KvEntry {
            key: row.key,
            value: files.value(row.value, row.file).await?,
            seq: row.seq,
        });
    }
    Ok(entries)
}

/// The page in its binary form, each file read straight into it (off the async
/// threads).
pub async fn encode_page(
    files: &std::sync::Arc<ValueFiles>,
    page: (u64, Option<String>, Option<String>),
    rows: Vec<PageRow>,
) -> Result<Vec<u8>, sqlx::Error> {
    let (seq, next_after, after) = page;
    let files = files.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut opened = Vec::with_capacity(rows.len());
        let mut size = 0;
        for row in &rows {
            let file = match &row.file {
                Some(column) => {
                    use std::io::Seek;
                    let at = ValueRef::parse(column).map_err(std::io::Error::other)?;
                    let mut f = files.open_file(&at.name)?;
                    f.seek(std::io::SeekFrom::Start(at.offset))?;
                    let len = u32::try_from(at.len).map_err(std::io::Error::other)?;
                    size += len as usize;
                    Some((f, len))
                }
                None => None,
            };
            size += row.key.len() + row.value.len() + 16;
            opened.push(file);
        }
        let mut out = PageEncoder::new(seq, next_after.as_deref(), rows.len(), size);
        for (row, file) in rows.iter().zip(opened) {
            match file {
                Some((mut f, len)) => out.entry_from(&row.key, len, &mut f, row.seq)?,
                None => out.entry(&row.key, &row.value, row.seq),
            }
        }
        Ok(out.finish(after.as_deref()))
    })
    .await
    .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
    .map_err(sqlx::Error::Io)
}

/// The changes after `after`, in order: at most `limit`, and at most `max_bytes` as
/// JSON (at least one, so a page always moves on; a value is at most the request
/// limit). Rows are read a few at a time, so a log of megabyte values never loads more
/// than the page it answers. The caller holds `files.reading()`.
pub async fn changes_after(
    conn: &mut SqliteConnection,
    files: &ValueFiles,
    tenant: &str,
    after: u64,
    limit: u32,
    max_bytes: usize,
) -> Result<Vec<Change>, sqlx::Error> {
    const CHUNK: i64 = 16;
    let mut out = Vec::new();
    let mut bytes = 0usize;
    let mut last = i64::try_from(after).unwrap_or(i64::MAX);
    loop {
        let rows: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT seq, key, value, value_file FROM changes WHERE tenant = ? AND seq > ? \
             ORDER BY seq LIMIT ?",
        )
        .bind(tenant)
        .bind(last)
        .bind(CHUNK)
        .fetch_all(&mut *conn)
        .await?;
        let fetched = rows.len();
        for (seq, key, value, file) in rows {
            let value = match (value, file) {
                (value, None) => value,
                (_, file) => Some(files.value(String::new(), file).await?),
            };
            let change = Change {
                seq: u64::try_from(seq).unwrap_or(0),
                key,
                value,
            };
            let size = serde_json::to_vec(&change).map_or(0, |v| v.len() + 1);
            if !out.is_empty() && (bytes + size > max_bytes || out.len() >= limit as usize) {
                return Ok(out);
            }
            bytes += size;
            last = seq;
            out.push(change);
        }
        if fetched < CHUNK as usize {
            return Ok(out);
        }
    }
}

/// The tenant's digest and key count (computed once for tenants from before digests).
/// The caller holds `files.reading()`.
pub async fn checksum(
    conn: &mut SqliteConnection,
    files: &ValueFiles,
    tenant: &str,
) -> Result<(u64, String), sqlx::Error> {
    let (d, n) = match crate::digest::stored(&mut *conn, tenant).await? {
        Some(known) => known,
        None => crate::digest::compute(conn, files, tenant).await?,
    };
    Ok((u64::try_from(n).unwrap_or(0), crate::digest::to_hex(&d)))
}

/// Applies snapshot entries (as the source had them) in the caller's transaction;
/// `names[i]` is the `value_file` of `entries[i]`, if its value is in a file (written and
/// held by the caller). `entries_digest`: the XOR of the entries' row digests, computed by the
/// caller (off the writer's path) or here when none.
pub async fn apply_entries(
    conn: &mut SqliteConnection,
    files: &ValueFiles,
    tenant: &str,
    entries: &[KvEntry],
    names: &[Option<String>],
    entries_digest: Option<crate::digest::Digest>,
) -> Result<(), sqlx::Error> {
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        return Ok(());
    };
    let before: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT key, value, value_file FROM kv WHERE tenant = ? AND key >= ? AND key <= ?",
    )
    .bind(tenant)
    .bind(&first.key)
    .bind(&last.key)
    .fetch_all(&mut *conn)
    .await?;
    if before.iter().any(|(_, _, file)| file.is_some()) {
        files.note_dropped();
    }
    if let Some((mut d, mut n)) = crate::digest::stored(&mut *conn, tenant).await? {
        // Rows already here in the page's range (normally none) are replaced.
        for (k, v, file) in &before {
            let v = files.value(v.clone(), file.clone()).await?;
            crate::digest::xor(&mut d, &crate::digest::row(k, &v));
        }
        let added = entries_digest.unwrap_or_else(|| crate::digest::of_entries(entries));
        crate::digest::xor(&mut d, &added);
        n += entries.len() as i64 - before.len() as i64;
        crate::digest::store(&mut *conn, tenant, &d, n).await?;
    }
    let rows: Vec<(&KvEntry, Option<&str>)> = entries
        .iter()
        .zip(
            names
                .iter()
                .map(Option::as_deref)
                .chain(std::iter::repeat(None)),
        )
        .collect();
    for chunk in rows.chunks(300) {
        let mut qb =
            sqlx::QueryBuilder::new("INSERT INTO kv (tenant, key, value, value_file, seq) ");
        qb.push_values(chunk, |mut b, (e, file)| {
            b.push_bind(tenant)
                .push_bind(&e.key)
                .push_bind(if file.is_some() { "" } else { e.value.as_str() })
                .push_bind(*file)
                .push_bind(i64::try_from(e.seq).unwrap_or(i64::MAX));
        });
        qb.push(
            " ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, \
             value_file = excluded.value_file, seq = excluded.seq",
        );
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Replays logged changes after the tenant's current sequence, keeping their numbers, in
/// the caller's transaction; returns the new sequence. `names[i]`: the `value_file`
/// of `changes[i]`, if its value is in a file (written and held by the caller).
pub async fn apply_changes(
    conn: &mut SqliteConnection,
    files: &ValueFiles,
    tenant: &str,
    current: u64,
    changes: &[Change],
    names: &[Option<String>],
) -> Result<u64, sqlx::Error> {
    let mut seq = current;
    let named = names
        .iter()
        .map(Option::as_deref)
        .chain(std::iter::repeat(None));
    for (c, file) in changes.iter().zip(named).filter(|(c, _)| c.seq > current) {
        let old = kv_get_conn(&mut *conn, files, tenant, &c.key)
            .await?
            .map(|e| e.value);
        crate::digest::update(
            &mut *conn,
            tenant,
            &c.key,
            old.as_deref(),
            c.value.as_deref(),
        )
        .await?;
        let at = i64::try_from(c.seq).unwrap_or(i64::MAX);
        put_row(
            &mut *conn,
            files,
            tenant,
            &c.key,
            c.value.as_deref(),
            file,
            at,
        )
        .await?;
        log_change(&mut *conn, tenant, at, &c.key, c.value.as_deref(), file).await?;
        seq = c.seq;
    }
    sqlx::query("UPDATE tenants SET change_seq = ? WHERE id = ?")
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .bind(tenant)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

/// The source's log no longer reaches back to an importing copy (or a crash lost part of
/// it): its snapshot starts over. The caller holds a transaction (and the writer lock).
pub async fn restart_snapshot(conn: &mut SqliteConnection, id: &str) -> Result<(), sqlx::Error> {
    for sql in [
        "DELETE FROM kv WHERE tenant = ?",
        "DELETE FROM changes WHERE tenant = ?",
        "UPDATE tenants SET snapshot_done = 0, import_seq = NULL, import_cursor = NULL, change_seq = 0, \
         digest = '00000000000000000000000000000000', key_count = 0 WHERE id = ?",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}
