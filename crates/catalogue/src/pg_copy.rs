//! Writing a whole catalogue into PostgreSQL with `COPY`: an import of a million
//! tenants goes as a few streams of CSV instead of hundreds of multi-row INSERTs.
//! sqlx's `Any` driver cannot issue `COPY`, so this runs on a PostgreSQL connection of
//! its own, in one transaction that first takes the catalogue's writer lock (the same
//! advisory lock every write takes); the catalogue as it was is read through the pool
//! meanwhile, which no other writer can change while the lock is held. Same rows, same
//! audit, same triggers (they fire for `COPY` as for `INSERT`) as `document.rs`.

use fleet_core::CatalogueDocument;
use sqlx::{Connection, PgConnection};

use crate::error::{CatalogueError, Result};
use crate::write::{
    audit_row, binding_row, region_row, stamp_row, template_row, tenant_row, with_residency,
    RowSink, AUDIT, BINDINGS, REGIONS, STAMPS, TEMPLATES, TENANTS,
};
use crate::{write, Catalogue, OperationKind};

/// Rows being written as CSV: fields separated by commas, text quoted, NULL as an
/// unquoted empty field.
struct Csv {
    text: String,
    first: bool,
}

impl Csv {
    fn separate(&mut self) {
        if !self.first {
            self.text.push(',');
        }
        self.first = false;
    }

    fn quoted(&mut self, value: &str) {
        self.separate();
        self.text.push('"');
        for c in value.chars() {
            if c == '"' {
                self.text.push('"');
            }
            self.text.push(c);
        }
        self.text.push('"');
    }

    fn end_row(&mut self) {
        self.text.push('\n');
        self.first = true;
    }
}

impl<'a> RowSink<'a> for Csv {
    fn text(&mut self, value: &'a str) {
        self.quoted(value);
    }
    fn owned(&mut self, value: String) {
        self.quoted(&value);
    }
    fn opt(&mut self, value: Option<&'a str>) {
        match value {
            Some(v) => self.quoted(v),
            None => self.separate(),
        }
    }
    fn int(&mut self, value: i64) {
        self.separate();
        self.text.push_str(&value.to_string());
    }
    fn real(&mut self, value: f64) {
        self.separate();
        self.text.push_str(&value.to_string());
    }
}

/// Streams `rows` into `table (columns)` as CSV, a megabyte at a time.
async fn copy<'a, T>(
    conn: &mut PgConnection,
    table: &str,
    rows: &'a [T],
    write: impl Fn(&mut Csv, &'a T),
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sink = conn
        .copy_in_raw(&format!("COPY {table} FROM STDIN WITH (FORMAT csv)"))
        .await?;
    let mut buf = Csv {
        text: String::with_capacity(1 << 20),
        first: true,
    };
    for row in rows {
        write(&mut buf, row);
        buf.end_row();
        if buf.text.len() >= 1 << 20 {
            sink.send(std::mem::take(&mut buf.text).into_bytes())
                .await?;
        }
    }
    if !buf.text.is_empty() {
        sink.send(buf.text.into_bytes()).await?;
    }
    sink.finish().await?;
    Ok(())
}

/// Replaces everything but the built-in regions with `doc` (checked by the caller's
/// schema rule), with its audit rows, and opens an operation of `journal` in the same
/// transaction when asked. Returns the audit row count and the operation's id.
pub(crate) async fn replace_all(
    catalogue: &Catalogue,
    doc: &CatalogueDocument,
    via: &str,
    journal: Option<OperationKind>,
) -> Result<(u32, Option<i64>)> {
    crate::document::check_schema(doc)?;
    let url = catalogue.server_url().ok_or_else(|| {
        CatalogueError::Refused("a team catalogue opened without its URL".to_owned())
    })?;
    let _turn = catalogue.write_turn().await?;
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| CatalogueError::Server {
            url: crate::redact(url),
            detail: e.to_string(),
        })?;
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(1398033744)")
        .execute(&mut *tx)
        .await?;
    let before = catalogue.document().await?;
    let audit = write::diff_audit(via, &before, doc)?;
    sqlx::query("SET CONSTRAINTS ALL DEFERRED")
        .execute(&mut *tx)
        .await?;
    // Local agents of stamps that stay keep their place.
    let kept: Vec<String> = doc.stamps.iter().map(|s| s.id.to_string()).collect();
    sqlx::query("DELETE FROM local_agents WHERE NOT (stamp = ANY($1))")
        .bind(&kept)
        .execute(&mut *tx)
        .await?;
    for table in ["bindings", "tenants", "stamps", "templates"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM regions WHERE builtin = 0")
        .execute(&mut *tx)
        .await?;
    copy(&mut tx, REGIONS, &doc.regions, region_row).await?;
    copy(&mut tx, TEMPLATES, &doc.templates, |w, t| {
        template_row(w, t)
    })
    .await?;
    copy(&mut tx, STAMPS, &doc.stamps, stamp_row).await?;
    let tenants = with_residency(&doc.tenants)?;
    copy(&mut tx, TENANTS, &tenants, tenant_row).await?;
    copy(&mut tx, BINDINGS, &doc.bindings, binding_row).await?;
    for statement in crate::document::ORPHANS_GO {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    let operator = catalogue.operator().to_owned();
    copy(&mut tx, AUDIT, &audit, |w, r| audit_row(w, &operator, r)).await?;
    let operation = match journal {
        None => None,
        Some(kind) => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO operations (kind, subject, state, step, params) \
                 VALUES ($1, $2, 'running', 'created', '{}') RETURNING id",
            )
            .bind(kind.as_str())
            .bind(via)
            .fetch_one(&mut *tx)
            .await?;
            Some(id)
        }
    };
    tx.commit().await?;
    let _ = conn.close().await;
    Ok((u32::try_from(audit.len()).unwrap_or(u32::MAX), operation))
}
