//! SQL that both backends run. The catalogue speaks through sqlx's `Any` driver, so one
//! statement serves SQLite and PostgreSQL: fixed statements use `$1, $2 ...` (SQLite
//! reads them by number too; a few per statement cost nothing), times are written from
//! Rust, and what differs (taking the write lock, deferring foreign keys) is asked of
//! the `Backend`.
//!
//! `Statement` builds multi-row and filtered statements, with each backend's
//! placeholders: `?` on SQLite, `$N` on PostgreSQL. (sqlx's own `QueryBuilder` writes
//! `?` for `Any`, which PostgreSQL refuses, sqlx issue 3000. And on SQLite a numbered or
//! named placeholder makes sqlx ask SQLite each parameter's name, which SQLite finds by
//! a scan of the names: a 32,000-value INSERT then costs over a second instead of
//! milliseconds.)

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, AnyConnection, Arguments, Encode, FromRow, Type};

use crate::error::{CatalogueError, Result};

/// Which database a catalogue lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file on this machine (the default, and the offline copy).
    Sqlite,
    /// A team's server, shared by several operators.
    Postgres,
}

impl Backend {
    /// The statement that opens a write transaction holding the catalogue's single
    /// writer turn: SQLite's write lock up front, or a transaction-scoped advisory lock
    /// on PostgreSQL (so a read-then-write never interleaves with another writer).
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// The statement that opens a read transaction seeing one snapshot throughout.
    pub(crate) fn begin_read(self) -> &'static str {
        match self {
            // In WAL mode a read transaction keeps the snapshot of its first read.
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }

    /// Run right after `begin_write`, inside the transaction.
    pub(crate) fn take_write_lock(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            // 0x5354_4d50 is "STMP": one lock id for the whole catalogue database.
            Backend::Postgres => {
                Some("SELECT 1 AS turn FROM (SELECT pg_advisory_xact_lock(1398033744)) AS l")
            }
        }
    }

    /// Foreign keys checked at commit instead of per statement.
    pub(crate) fn defer_foreign_keys(self) -> &'static str {
        match self {
            Backend::Sqlite => "PRAGMA defer_foreign_keys = ON",
            Backend::Postgres => "SET CONSTRAINTS ALL DEFERRED",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Now, as the catalogue writes times: UTC with milliseconds, `2026-12-05T03:34:23.123Z`
/// (what SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')` gives, so old rows sort with new).
pub(crate) fn now_text() -> String {
    time_text(time::OffsetDateTime::now_utc())
}

/// `at` in the catalogue's time format.
pub(crate) fn time_text(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Where `Statement` puts a placeholder until it knows the backend (SQL text never
/// holds this character: values are bound, never written into it).
const PLACEHOLDER: char = '\u{1}';

/// A statement built piece by piece, with numbered placeholders.
pub(crate) struct Statement<'q> {
    sql: String,
    args: AnyArguments<'q>,
    error: Option<String>,
}

impl<'q> Statement<'q> {
    pub(crate) fn new(head: &str) -> Self {
        Self {
            sql: head.to_owned(),
            args: AnyArguments::default(),
            error: None,
        }
    }

    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        if let Err(e) = self.args.add(value) {
            self.error.get_or_insert_with(|| e.to_string());
        }
        self.sql.push(PLACEHOLDER);
        self
    }

    /// Appends `VALUES (...), (...)`: one parenthesized row per item.
    pub(crate) fn push_values<I, F>(&mut self, items: I, mut row: F) -> &mut Self
    where
        I: IntoIterator,
        F: FnMut(&mut Values<'_, 'q>, I::Item),
    {
        self.sql.push_str("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push('(');
            row(
                &mut Values {
                    statement: self,
                    first: true,
                },
                item,
            );
            self.sql.push(')');
        }
        self
    }

    /// Appends `(v1, v2, ...)` for `IN`: one placeholder per value.
    pub(crate) fn push_list<T, I>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = T>,
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        self.sql.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.push_bind(v);
        }
        self.sql.push(')');
        self
    }

    /// The SQL for `conn`'s backend (`?` on SQLite, `$1, $2 ...` on PostgreSQL), and
    /// the values.
    fn checked(&mut self, conn: &AnyConnection) -> Result<(String, AnyArguments<'q>)> {
        if let Some(e) = self.error.take() {
            return Err(CatalogueError::Refused(format!("cannot bind a value: {e}")));
        }
        Ok((
            placeholders(&self.sql, conn.backend_name() == "PostgreSQL"),
            std::mem::take(&mut self.args),
        ))
    }

    pub(crate) async fn execute(mut self, conn: &mut AnyConnection) -> Result<AnyQueryResult> {
        let (sql, args) = self.checked(conn)?;
        Ok(sqlx::query_with(&sql, args).execute(conn).await?)
    }

    pub(crate) async fn fetch_all<T>(mut self, conn: &mut AnyConnection) -> Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let (sql, args) = self.checked(conn)?;
        Ok(sqlx::query_as_with(&sql, args).fetch_all(conn).await?)
    }
}

/// The rows `head` selects where a column is one of `keys`: `head` ends in
/// `WHERE column IN `; the keys go in chunks of bound values, whatever their count.
pub(crate) async fn fetch_where_in<T>(
    conn: &mut AnyConnection,
    head: &str,
    keys: &[&str],
) -> Result<Vec<T>>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let mut rows = Vec::new();
    for chunk in keys.chunks(crate::write::MAX_BINDS) {
        let mut statement = Statement::new(head);
        statement.push_list(chunk.iter().copied());
        rows.extend(statement.fetch_all(&mut *conn).await?);
    }
    Ok(rows)
}

/// `sql` with its placeholders written `?`, or `$1, $2 ...` when `numbered`.
fn placeholders(sql: &str, numbered: bool) -> String {
    if !numbered {
        return sql.replace(PLACEHOLDER, "?");
    }
    let mut out = String::with_capacity(sql.len() + sql.len() / 4);
    let mut n = 0usize;
    for c in sql.chars() {
        if c == PLACEHOLDER {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

impl<'a> crate::write::RowSink<'a> for Values<'_, 'a> {
    fn text(&mut self, value: &'a str) {
        self.push_bind(value);
    }
    fn owned(&mut self, value: String) {
        self.push_bind(value);
    }
    fn opt(&mut self, value: Option<&'a str>) {
        self.push_bind(value);
    }
    fn int(&mut self, value: i64) {
        self.push_bind(value);
    }
    fn real(&mut self, value: f64) {
        self.push_bind(value);
    }
}

/// One row of `push_values`: its values separated by commas.
pub(crate) struct Values<'s, 'q> {
    statement: &'s mut Statement<'q>,
    first: bool,
}

impl<'q> Values<'_, 'q> {
    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        if !self.first {
            self.statement.sql.push_str(", ");
        }
        self.first = false;
        self.statement.push_bind(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_across_rows() {
        let mut s = Statement::new("INSERT INTO t (a, b) ");
        s.push_values([(1_i64, "x"), (2, "y")], |row, (a, b)| {
            row.push_bind(a).push_bind(b);
        });
        s.push(" WHERE c IN ").push_list(["p", "q"]);
        assert_eq!(
            placeholders(&s.sql, true),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) WHERE c IN ($5, $6)"
        );
        assert_eq!(
            placeholders(&s.sql, false),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?) WHERE c IN (?, ?)"
        );
    }

    #[test]
    fn times_have_milliseconds_in_utc() {
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(1_764_905_663_123_456_789)
            .expect("a time");
        assert_eq!(time_text(at), "2025-12-05T03:34:23.123Z");
    }
}
