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
use crate::{write, Catalogue, OperationKind};

/// A CSV row being written: fields separated by commas, text quoted.
struct Csv(String);

impl Csv {
    fn field(&mut self, first: bool) {
        if !first {
            self.0.push(',');
        }
    }

    /// Text, quoted (an empty string stays an empty string, not NULL).
    fn text(&mut self, first: bool, value: &str) -> &mut Self {
        self.field(first);
        self.0.push('"');
        for c in value.chars() {
            if c == '"' {
                self.0.push('"');
            }
            self.0.push(c);
        }
        self.0.push('"');
        self
    }

    /// Text or NULL (an unquoted empty field).
    fn opt(&mut self, first: bool, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(first, v),
            None => {
                self.field(first);
                self
            }
        }
    }

    fn num(&mut self, first: bool, value: impl std::fmt::Display) -> &mut Self {
        self.field(first);
        self.0.push_str(&value.to_string());
        self
    }

    fn end(&mut self) {
        self.0.push('\n');
    }
}

/// Streams `rows` into `table (columns)` as CSV, a megabyte at a time.
async fn copy<T>(
    conn: &mut PgConnection,
    table: &str,
    rows: &[T],
    write: impl Fn(&mut Csv, &T),
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sink = conn
        .copy_in_raw(&format!("COPY {table} FROM STDIN WITH (FORMAT csv)"))
        .await?;
    let mut buf = Csv(String::with_capacity(1 << 20));
    for row in rows {
        write(&mut buf, row);
        buf.end();
        if buf.0.len() >= 1 << 20 {
            sink.send(std::mem::take(&mut buf.0).into_bytes()).await?;
        }
    }
    if !buf.0.is_empty() {
        sink.send(buf.0.into_bytes()).await?;
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
    copy(
        &mut tx,
        "regions (id, provider, code, display_name, city, country, geography, latitude, longitude, builtin)",
        &doc.regions,
        |w, r| {
            w.text(true, r.id.as_str())
                .text(false, r.provider.as_str())
                .text(false, &r.code)
                .text(false, &r.display_name)
                .text(false, &r.city)
                .text(false, r.country.as_str())
                .text(false, &r.geography)
                .num(false, r.latitude)
                .num(false, r.longitude)
                .num(false, i64::from(r.builtin));
        },
    )
    .await?;
    copy(
        &mut tx,
        "templates (name, version, capacity_units, isolation, description, tiers)",
        &doc.templates,
        |w, t| {
            let tiers: Vec<&str> = t.tiers.iter().map(|t| t.as_str()).collect();
            w.text(true, t.name.as_str())
                .text(false, t.version.as_str())
                .num(false, t.capacity_units)
                .text(false, t.isolation.as_str())
                .text(false, &t.description)
                .text(false, &tiers.join(","));
        },
    )
    .await?;
    copy(
        &mut tx,
        "stamps (id, region, template, template_version, capacity_units, status, endpoint)",
        &doc.stamps,
        |w, s| {
            w.text(true, s.id.as_str())
                .text(false, s.region.as_str())
                .text(false, s.template.as_str())
                .text(false, s.template_version.as_str())
                .num(false, s.capacity_units)
                .text(false, s.status.as_str())
                .opt(false, s.endpoint.as_deref());
        },
    )
    .await?;
    let residency: Vec<String> = doc
        .tenants
        .iter()
        .map(|t| serde_json::to_string(&t.residency))
        .collect::<Result<_, _>>()
        .map_err(|e| CatalogueError::Refused(format!("cannot serialize residency: {e}")))?;
    let tenants: Vec<_> = doc.tenants.iter().zip(&residency).collect();
    copy(
        &mut tx,
        "tenants (id, display_name, tier, size_units, residency_json, isolation, pinned, anti_affinity_group)",
        &tenants,
        |w, (t, residency)| {
            w.text(true, t.id.as_str())
                .text(false, &t.display_name)
                .text(false, t.tier.as_str())
                .num(false, t.size_units)
                .text(false, residency)
                .text(false, t.isolation.as_str())
                .num(false, i64::from(t.pinned))
                .opt(false, t.group.as_deref());
        },
    )
    .await?;
    copy(
        &mut tx,
        "bindings (tenant, stamp, version)",
        &doc.bindings,
        |w, b| {
            w.text(true, b.tenant.as_str())
                .text(false, b.stamp.as_str())
                .num(false, b.version);
        },
    )
    .await?;
    let operator = catalogue.operator().to_owned();
    copy(
        &mut tx,
        "audit (actor, via, action, entity, entity_id, before_json, after_json)",
        &audit,
        |w, r| {
            w.text(true, &operator)
                .text(false, &r.via)
                .text(false, &r.action)
                .text(false, r.entity)
                .text(false, &r.entity_id)
                .opt(false, r.before.as_deref())
                .opt(false, r.after.as_deref());
        },
    )
    .await?;
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
