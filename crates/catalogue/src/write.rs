//! Writing: every change goes in one transaction together with its audit rows, in
//! batched multi-row statements (a statement costs ~50 us here; a row far less).

use fleet_core::{Binding, CatalogueDocument, Region, Stamp, StampTemplate, Tenant};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::{CatalogueError, Result};
use crate::sql::{Statement, Values};
use crate::WriteTx;

/// SQLite accepts up to 32766 bound values in one statement, PostgreSQL 65535.
pub(crate) const MAX_BINDS: usize = 32_000;

/// Inserts `items` with one multi-row INSERT per chunk.
pub(crate) async fn insert_batched<'a, T: 'a>(
    conn: &mut AnyConnection,
    head: &str,
    columns: usize,
    items: &'a [T],
    bind: impl Fn(&mut Values<'_, 'a>, &'a T),
) -> Result<()> {
    for chunk in items.chunks((MAX_BINDS / columns).max(1)) {
        let mut statement = Statement::new(head);
        statement.push_values(chunk, |row, item| bind(row, item));
        statement.execute(&mut *conn).await?;
    }
    Ok(())
}

/// One audit row: who did what to which entity, and its JSON before and after.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// Which part of Stampfleet writes it; who (the operator) comes from the transaction.
    pub via: String,
    pub action: String,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditRecord {
    pub fn new<T: Serialize>(
        via: &str,
        action: &str,
        entity: &'static str,
        entity_id: impl ToString,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<Self> {
        let json = |v: Option<&T>| {
            v.map(serde_json::to_string).transpose().map_err(|e| {
                CatalogueError::Refused(format!("cannot serialize {entity} for the audit log: {e}"))
            })
        };
        Ok(Self {
            via: via.to_owned(),
            action: action.to_owned(),
            entity,
            entity_id: entity_id.to_string(),
            before: json(before)?,
            after: json(after)?,
        })
    }
}

/// Writes `rows` in the name of the transaction's operator.
pub(crate) async fn write_audit(tx: &mut WriteTx, rows: &[AuditRecord]) -> Result<()> {
    let operator = tx.operator.clone();
    insert_batched(tx, &format!("INSERT INTO {AUDIT} "), 7, rows, |b, r| {
        audit_row(b, &operator, r)
    })
    .await
}

/// Writes one audit row: the operator, through `via`, did `action` to the `entity`
/// named `entity_id`.
pub(crate) async fn write_audit_row<T: Serialize>(
    tx: &mut WriteTx,
    via: &str,
    action: &str,
    entity: &'static str,
    entity_id: impl ToString,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let row = AuditRecord::new(via, action, entity, entity_id, before, after)?;
    write_audit(tx, std::slice::from_ref(&row)).await
}

/// Writes the audit row of an update: through `via`, `entity` `entity_id` went from
/// `before` to `after`.
pub(crate) async fn write_update_row<T: Serialize>(
    tx: &mut WriteTx,
    via: &str,
    entity: &'static str,
    entity_id: impl ToString,
    before: &T,
    after: &T,
) -> Result<()> {
    write_audit_row(
        tx,
        via,
        "update",
        entity,
        entity_id,
        Some(before),
        Some(after),
    )
    .await
}

/// Where a row's values go, in its table's column order: bound to an INSERT
/// (`sql::Values`) or written as CSV for PostgreSQL's COPY (`pg_copy.rs`). Each table's
/// row is written once, below, for both.
pub(crate) trait RowSink<'a> {
    fn text(&mut self, value: &'a str);
    fn owned(&mut self, value: String);
    fn opt(&mut self, value: Option<&'a str>);
    fn int(&mut self, value: i64);
    fn real(&mut self, value: f64);
}

pub(crate) const REGIONS: &str = "regions (id, provider, code, display_name, city, country, geography, latitude, longitude, builtin)";
pub(crate) const TEMPLATES: &str =
    "templates (name, version, capacity_units, isolation, description, tiers, release_notes)";
pub(crate) const STAMPS: &str =
    "stamps (id, region, template, template_version, capacity_units, status, endpoint)";
pub(crate) const TENANTS: &str = "tenants (id, display_name, tier, size_units, residency_json, isolation, pinned, anti_affinity_group)";
pub(crate) const BINDINGS: &str = "bindings (tenant, stamp, version)";
pub(crate) const AUDIT: &str =
    "audit (actor, via, action, entity, entity_id, before_json, after_json)";

pub(crate) fn region_row<'a>(w: &mut impl RowSink<'a>, r: &'a Region) {
    w.text(r.id.as_str());
    w.text(r.provider.as_str());
    w.text(&r.code);
    w.text(&r.display_name);
    w.text(&r.city);
    w.text(r.country.as_str());
    w.text(&r.geography);
    w.real(r.latitude);
    w.real(r.longitude);
    w.int(i64::from(r.builtin));
}

pub(crate) fn template_row<'a>(w: &mut impl RowSink<'a>, t: &'a StampTemplate) {
    let tiers: Vec<&str> = t.tiers.iter().map(|t| t.as_str()).collect();
    w.text(t.name.as_str());
    w.text(t.version.as_str());
    w.int(i64::from(t.capacity_units));
    w.text(t.isolation.as_str());
    w.text(&t.description);
    w.owned(tiers.join(","));
    w.text(&t.release_notes);
}

pub(crate) fn stamp_row<'a>(w: &mut impl RowSink<'a>, s: &'a Stamp) {
    w.text(s.id.as_str());
    w.text(s.region.as_str());
    w.text(s.template.as_str());
    w.text(s.template_version.as_str());
    w.int(i64::from(s.capacity_units));
    w.text(s.status.as_str());
    w.opt(s.endpoint.as_deref());
}

/// A tenant with its residency as JSON (`residency_json`).
pub(crate) fn tenant_row<'a>(w: &mut impl RowSink<'a>, (t, residency): &'a (&'a Tenant, String)) {
    w.text(t.id.as_str());
    w.text(&t.display_name);
    w.text(t.tier.as_str());
    w.int(i64::from(t.size_units));
    w.text(residency);
    w.text(t.isolation.as_str());
    w.int(i64::from(t.pinned));
    w.opt(t.group.as_deref());
}

pub(crate) fn binding_row<'a>(w: &mut impl RowSink<'a>, b: &'a Binding) {
    w.text(b.tenant.as_str());
    w.text(b.stamp.as_str());
    w.int(i64::from(b.version));
}

/// An audit row in the name of `operator`.
pub(crate) fn audit_row<'a>(w: &mut impl RowSink<'a>, operator: &str, r: &'a AuditRecord) {
    w.owned(operator.to_owned());
    w.text(&r.via);
    w.text(&r.action);
    w.text(r.entity);
    w.text(&r.entity_id);
    w.opt(r.before.as_deref());
    w.opt(r.after.as_deref());
}

/// Tenants paired with their residency as JSON, as `tenant_row` takes them.
pub(crate) fn with_residency(items: &[Tenant]) -> Result<Vec<(&Tenant, String)>> {
    let residency: Vec<String> = items
        .iter()
        .map(|t| serde_json::to_string(&t.residency))
        .collect::<Result<_, _>>()
        .map_err(|e| CatalogueError::Refused(format!("cannot serialize residency: {e}")))?;
    Ok(items.iter().zip(residency).collect())
}

pub(crate) async fn insert_regions(
    conn: &mut AnyConnection,
    regions: &[Region],
    upsert: bool,
) -> Result<()> {
    let head = format!("INSERT INTO {REGIONS} ");
    for chunk in regions.chunks(MAX_BINDS / 10) {
        let mut qb = Statement::new(&head);
        qb.push_values(chunk, |b, r| region_row(b, r));
        if upsert {
            qb.push(
                " ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, code = excluded.code, \
                 display_name = excluded.display_name, city = excluded.city, country = excluded.country, \
                 geography = excluded.geography, latitude = excluded.latitude, longitude = excluded.longitude, \
                 builtin = excluded.builtin",
            );
        }
        qb.execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) async fn insert_templates(
    conn: &mut AnyConnection,
    items: &[StampTemplate],
) -> Result<()> {
    insert_batched(
        conn,
        &format!("INSERT INTO {TEMPLATES} "),
        7,
        items,
        |b, t| template_row(b, t),
    )
    .await
}

pub(crate) async fn insert_stamps(conn: &mut AnyConnection, items: &[Stamp]) -> Result<()> {
    insert_batched(conn, &format!("INSERT INTO {STAMPS} "), 7, items, |b, s| {
        stamp_row(b, s)
    })
    .await
}

pub(crate) async fn insert_tenants(conn: &mut AnyConnection, items: &[Tenant]) -> Result<()> {
    let rows = with_residency(items)?;
    insert_batched(
        conn,
        &format!("INSERT INTO {TENANTS} "),
        8,
        &rows,
        |b, t| tenant_row(b, t),
    )
    .await
}

pub(crate) async fn insert_bindings(conn: &mut AnyConnection, items: &[Binding]) -> Result<()> {
    insert_batched(
        conn,
        &format!("INSERT INTO {BINDINGS} "),
        3,
        items,
        |b, x| binding_row(b, x),
    )
    .await
}

/// Audit rows describing the change from `before` to `after` (a whole-catalogue write:
/// import, snapshot, demo): a row for each entity updated or deleted, with its JSON
/// before and after, and one row for everything created, naming each created entity by
/// id (`entity` [`crate::audit::CREATED_TOGETHER`]; `audit_page` answers a question
/// about one entity with it). A row per created entity was two million rows at a million
/// tenants: over half of the import's time, and a second copy of the document.
pub(crate) fn diff_audit(
    via: &str,
    before: &CatalogueDocument,
    after: &CatalogueDocument,
) -> Result<Vec<AuditRecord>> {
    // Deletions go dependents first (bindings before tenants), updates the other way.
    let mut parts = [
        diff(via, "region", &before.regions, &after.regions, |r| {
            r.id.to_string()
        })?,
        diff(via, "template", &before.templates, &after.templates, |t| {
            format!("{}@{}", t.name, t.version)
        })?,
        diff(via, "stamp", &before.stamps, &after.stamps, |s| {
            s.id.to_string()
        })?,
        diff(via, "tenant", &before.tenants, &after.tenants, |t| {
            t.id.to_string()
        })?,
        diff(via, "binding", &before.bindings, &after.bindings, |b| {
            b.tenant.to_string()
        })?,
    ];
    let mut rows: Vec<AuditRecord> = parts
        .iter_mut()
        .rev()
        .flat_map(|part| part.deletes.drain(..))
        .collect();
    // Serialized straight from the ids (a JSON value per id first cost as much again).
    let mut created = std::collections::BTreeMap::new();
    for part in &mut parts {
        rows.append(&mut part.updates);
        if !part.created.is_empty() {
            created.insert(part.entity, std::mem::take(&mut part.created));
        }
    }
    if !created.is_empty() {
        let after = serde_json::to_string(&created).map_err(|e| {
            CatalogueError::Refused(format!(
                "cannot serialize the created ids for the audit log: {e}"
            ))
        })?;
        rows.push(AuditRecord {
            via: via.to_owned(),
            action: "create".to_owned(),
            entity: crate::audit::CREATED_TOGETHER,
            entity_id: crate::audit::CREATED_TOGETHER.to_owned(),
            before: None,
            after: Some(after),
        });
    }
    Ok(rows)
}

/// What a whole-catalogue write changed of one entity kind.
struct KindDiff {
    entity: &'static str,
    /// A row each, with the entity as it was (nothing else keeps that).
    deletes: Vec<AuditRecord>,
    updates: Vec<AuditRecord>,
    /// Only the ids: what was created is the document written, which the catalogue
    /// holds (and, once changed, the next audit row's `before`).
    created: Vec<String>,
}

fn diff<T: Serialize + PartialEq>(
    via: &str,
    entity: &'static str,
    before: &[T],
    after: &[T],
    key: impl Fn(&T) -> String,
) -> Result<KindDiff> {
    let mut part = KindDiff {
        entity,
        deletes: Vec::new(),
        updates: Vec::new(),
        created: Vec::new(),
    };
    if before.is_empty() {
        part.created = after.iter().map(key).collect();
        return Ok(part);
    }
    let old: std::collections::HashMap<String, &T> = before.iter().map(|x| (key(x), x)).collect();
    let new: std::collections::HashSet<String> = after.iter().map(&key).collect();
    for item in before {
        let k = key(item);
        if !new.contains(&k) {
            part.deletes.push(AuditRecord::new(
                via,
                "delete",
                entity,
                &k,
                Some(item),
                None,
            )?);
        }
    }
    for item in after {
        let k = key(item);
        match old.get(&k) {
            None => part.created.push(k),
            Some(prev) if *prev != item => part.updates.push(AuditRecord::new(
                via,
                "update",
                entity,
                &k,
                Some(*prev),
                Some(item),
            )?),
            Some(_) => {}
        }
    }
    Ok(part)
}
