//! Tenant searches of 1 or 2 characters on a catalogue file. The trigram index (schema
//! 20) cannot serve text under 3 characters, and a search that matches few tenants then
//! read every row: 370 ms at a million tenants. This keeps the tenants' ids and names
//! in memory (ASCII case folded, as SQLite's LIKE folds), read again whenever the
//! catalogue's `tenant_text_version` (schema 21) moved, and finds the rowids of the
//! tenants whose id or name holds the text. The query then reads those rows only, and
//! the exact LIKE on the columns still decides, so what is found here is a superset.

use sqlx::AnyConnection;

use crate::error::Result;

/// More matches than this and the search reads the rows as before: so many matches fill
/// a page (and the count, which stops at its cap) after a short read.
pub(crate) const MAX_CANDIDATES: usize = 5_000;

/// The tenants' text as of one version of it.
pub(crate) struct ShortTextIndex {
    version: i64,
    /// Each tenant's "id", a NUL, its display name and a NUL, ASCII lower-cased.
    text: Vec<u8>,
    /// Where each tenant's text starts in `text`, and its rowid.
    starts: Vec<usize>,
    rowids: Vec<i64>,
}

/// The index a catalogue handle keeps (empty until a short search asks for it).
pub(crate) type ShortSearch = std::sync::Arc<tokio::sync::Mutex<Option<ShortTextIndex>>>;

impl ShortTextIndex {
    /// Reads the version and the text in one read transaction (one snapshot), the text
    /// as JSON in chunks of rows: 1,000,000 rows one by one through sqlx took 2.4 s.
    async fn read(conn: &mut AnyConnection) -> Result<Self> {
        const CHUNK: i64 = 100_000;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let version = current_version(&mut tx).await?;
        let mut index = ShortTextIndex {
            version,
            text: Vec::new(),
            starts: Vec::new(),
            rowids: Vec::new(),
        };
        let mut after = i64::MIN;
        loop {
            let (last, rows): (Option<i64>, String) = sqlx::query_as(
                "SELECT max(rowid), json_group_array(json_array(rowid, id, display_name)) \
                 FROM (SELECT rowid, id, display_name FROM tenants WHERE rowid > $1 \
                 ORDER BY rowid LIMIT $2)",
            )
            .bind(after)
            .bind(CHUNK)
            .fetch_one(&mut *tx)
            .await?;
            let Some(last) = last else { break };
            let rows: Vec<(i64, String, String)> = serde_json::from_str(&rows).map_err(|e| {
                crate::CatalogueError::Refused(format!("tenants' text for search: {e}"))
            })?;
            for (rowid, id, name) in rows {
                index.push(rowid, &id, &name);
            }
            after = last;
        }
        tx.rollback().await?;
        Ok(index)
    }

    fn push(&mut self, rowid: i64, id: &str, name: &str) {
        self.starts.push(self.text.len());
        self.rowids.push(rowid);
        for part in [id, name] {
            self.text
                .extend(part.bytes().map(|b| b.to_ascii_lowercase()));
            self.text.push(0);
        }
    }

    /// The rowids of the tenants whose text holds `needle` (lower-cased, no NUL);
    /// `None` when more than `max` do.
    fn find(&self, needle: &[u8], max: usize) -> Option<Vec<i64>> {
        let mut found: Vec<i64> = Vec::new();
        let mut last: Option<usize> = None;
        for at in memchr::memmem::find_iter(&self.text, needle) {
            // The tenant whose text holds byte `at`: the last start at or before it.
            let tenant = self.starts.partition_point(|&s| s <= at) - 1;
            if last == Some(tenant) {
                continue;
            }
            last = Some(tenant);
            if found.len() == max {
                return None;
            }
            found.push(self.rowids[tenant]);
        }
        Some(found)
    }
}

async fn current_version(conn: &mut AnyConnection) -> Result<i64> {
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM tenant_text_version WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(version)
}

/// The rowids of the tenants whose id or name may hold `text` (a superset: the caller's
/// LIKE decides), or `None` when more than [`MAX_CANDIDATES`] do or the text holds a
/// NUL (the separator here). The index is read first when missing or out of date.
pub(crate) async fn candidates(
    search: &ShortSearch,
    conn: &mut AnyConnection,
    text: &str,
) -> Result<Option<Vec<i64>>> {
    if text.contains('\0') {
        return Ok(None);
    }
    let needle = text.to_ascii_lowercase();
    let mut index = search.lock().await;
    let version = current_version(conn).await?;
    if index.as_ref().map(|i| i.version) != Some(version) {
        *index = Some(ShortTextIndex::read(conn).await?);
    }
    Ok(index
        .as_ref()
        .and_then(|i| i.find(needle.as_bytes(), MAX_CANDIDATES)))
}

#[cfg(test)]
mod tests {
    use super::ShortTextIndex;

    fn index(tenants: &[(&str, &str)]) -> ShortTextIndex {
        let mut index = ShortTextIndex {
            version: 0,
            text: Vec::new(),
            starts: Vec::new(),
            rowids: Vec::new(),
        };
        for (i, (id, name)) in tenants.iter().enumerate() {
            index.push(i as i64 + 10, id, name);
        }
        index
    }

    #[test]
    fn finds_each_tenant_once_in_id_or_name_case_folded_and_stops_past_the_cap() {
        let index = index(&[
            ("acme", "Acme Corp"),
            ("globex", "Globex"),
            ("x-ray", "XX"),
            ("zeta", "Zürich AG"),
        ]);
        assert_eq!(index.find(b"x", 10), Some(vec![11, 12]));
        assert_eq!(index.find(b"ac", 10), Some(vec![10]));
        assert_eq!(index.find("ü".as_bytes(), 10), Some(vec![13]));
        assert_eq!(index.find(b"q", 10), Some(vec![]));
        assert_eq!(index.find(b"e", 2), None);
        assert_eq!(index.find(b"e", 4), Some(vec![10, 11, 13]));
        // No match across the end of one tenant's text and the start of the next.
        assert_eq!(index.find(b"pg", 10), Some(vec![]));
    }
}
