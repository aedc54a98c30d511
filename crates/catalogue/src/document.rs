//! The whole catalogue as one document: read back in id order, and replaced in one
//! transaction with an audit row for every change.

use std::collections::HashSet;

use fleet_core::{CatalogueDocument, DOCUMENT_SCHEMA_VERSION};

use crate::error::{CatalogueError, Result};
use crate::rows::{BindingRow, RegionRow, StampRow, TemplateRow, TenantRow};
use crate::{sql, write, WriteTx};

/// Refuses a document of another schema.
pub(crate) fn check_schema(doc: &CatalogueDocument) -> Result<()> {
    if doc.schema_version != DOCUMENT_SCHEMA_VERSION {
        return Err(CatalogueError::Refused(format!(
            "document schema {} is not {DOCUMENT_SCHEMA_VERSION}",
            doc.schema_version
        )));
    }
    Ok(())
}

/// After a whole catalogue is written (on either backend): the rows hanging on stamps
/// or tenants that are gone go with them; those of stamps and tenants that stay are
/// kept. Foreign keys are checked at commit, so a table missing here fails the write
/// (usage samples once did).
pub(crate) const ORPHANS_GO: [&str; 3] = [
    "DELETE FROM stamp_providers WHERE stamp NOT IN (SELECT id FROM stamps)",
    "DELETE FROM usage_samples WHERE stamp NOT IN (SELECT id FROM stamps)",
    "DELETE FROM tenant_suspensions WHERE tenant NOT IN (SELECT id FROM tenants)",
];

pub(crate) async fn replace_all_in(
    tx: &mut WriteTx,
    doc: &CatalogueDocument,
    via: &str,
) -> Result<u32> {
    check_schema(doc)?;
    let before = read_document(&mut *tx).await?;
    let audit = write::diff_audit(via, &before, doc)?;
    // Rows are replaced wholesale; references are checked at commit. Local agents of
    // stamps that stay keep their place.
    sqlx::query(tx.backend.defer_foreign_keys())
        .execute(&mut **tx)
        .await?;
    let kept: HashSet<&str> = doc.stamps.iter().map(|s| s.id.as_str()).collect();
    let agents: Vec<(String,)> = sqlx::query_as("SELECT stamp FROM local_agents")
        .fetch_all(&mut **tx)
        .await?;
    let gone: Vec<String> = agents
        .into_iter()
        .map(|(stamp,)| stamp)
        .filter(|stamp| !kept.contains(stamp.as_str()))
        .collect();
    for chunk in gone.chunks(write::MAX_BINDS) {
        let mut delete = sql::Statement::new("DELETE FROM local_agents WHERE stamp IN ");
        delete.push_list(chunk.iter().map(String::as_str));
        delete.execute(tx).await?;
    }
    // Every row is rewritten: on SQLite the tenant search index, the stamps' loads and
    // the routing version are brought up to date once at the end, and the triggers and
    // indexes of tenants and bindings are dropped meanwhile (`set_aside`). The
    // `bulk_rewrite` flag of migration 0020, which made those triggers stand aside
    // before, is still set for the write; with the triggers gone it no longer matters.
    let sqlite = tx.backend == crate::Backend::Sqlite;
    let mut aside = Vec::new();
    if sqlite {
        sqlx::query("UPDATE bulk_rewrite SET active = 1 WHERE id = 1")
            .execute(&mut **tx)
            .await?;
        aside = set_aside(tx).await?;
    }
    for table in ["bindings", "tenants", "stamps", "templates"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM regions WHERE builtin = 0")
        .execute(&mut **tx)
        .await?;
    write::insert_regions(tx, &doc.regions, false).await?;
    write::insert_templates(tx, &doc.templates).await?;
    write::insert_stamps(tx, &doc.stamps).await?;
    write::insert_tenants(tx, &doc.tenants).await?;
    write::insert_bindings(tx, &doc.bindings).await?;
    for (_, _, sql) in &aside {
        sqlx::query(sql).execute(&mut **tx).await?;
    }
    if sqlite {
        end_bulk_rewrite(tx, doc, before.bindings.len() + doc.bindings.len()).await?;
    }
    for statement in ORPHANS_GO {
        sqlx::query(statement).execute(&mut **tx).await?;
    }
    write::write_audit(tx, &audit).await?;
    Ok(u32::try_from(audit.len()).unwrap_or(u32::MAX))
}

/// Drops the secondary indexes and triggers of the tenants and bindings tables (SQLite),
/// returning what made them, for the caller to run again in the same transaction once
/// the rows are written. Indexes built in one pass from the written rows, and no
/// trigger program consulted per row (even standing aside, each asked `bulk_rewrite`):
/// the bindings of a million tenants went in in 2 s instead of 9. What is dropped is
/// read from the schema itself, so a later migration's trigger or index is set aside
/// and made again the same way; a failure rolls the transaction back, drops included.
async fn set_aside(tx: &mut WriteTx) -> Result<Vec<(String, String, String)>> {
    let objects: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT type, name, sql FROM sqlite_master \
         WHERE type IN ('index', 'trigger') AND tbl_name IN ('tenants', 'bindings') \
         AND sql IS NOT NULL ORDER BY type, name",
    )
    .fetch_all(&mut **tx)
    .await?;
    for (kind, name, _) in &objects {
        sqlx::query(&format!("DROP {kind} \"{}\"", name.replace('"', "\"\"")))
            .execute(&mut **tx)
            .await?;
    }
    Ok(objects)
}

/// The end of a bulk rewrite on SQLite (migration 0020): the search index rebuilt in
/// one pass, the stamps' loads counted here from the document (an aggregate joining a
/// million bindings to their tenants took 5 s), the routing version moved once by the
/// `binding_changes` its triggers would have counted one by one (as PostgreSQL's
/// statement triggers count them), the tenants' text version moved, and the triggers
/// back.
async fn end_bulk_rewrite(
    tx: &mut WriteTx,
    doc: &CatalogueDocument,
    binding_changes: usize,
) -> Result<()> {
    // FTS5 writes its index out each time the terms it holds pass `hashsize` (1 MiB by
    // default), then merges what it wrote: 64 MiB for the rebuild took it from ~3 s
    // to ~1.5 s at a million tenants. The setting is stored in the index's own config
    // table, in this transaction, and set back after.
    sqlx::query("INSERT INTO tenant_search (tenant_search, rank) VALUES ('hashsize', 67108864)")
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO tenant_search (tenant_search) VALUES ('rebuild')")
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO tenant_search (tenant_search, rank) VALUES ('hashsize', 1048576)")
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM stamp_loads")
        .execute(&mut **tx)
        .await?;
    let mut loads: Vec<_> = fleet_core::StampLoad::of_document(doc)
        .into_iter()
        .collect();
    loads.sort_by(|a, b| a.0.cmp(&b.0));
    write::insert_batched(
        tx,
        "INSERT INTO stamp_loads (stamp, tenants, used_units) ",
        3,
        &loads,
        |row, (stamp, load)| {
            row.push_bind(stamp.as_str())
                .push_bind(i64::from(load.tenant_count))
                .push_bind(i64::from(load.used_units));
        },
    )
    .await?;
    sqlx::query("UPDATE routing SET version = version + $1 WHERE id = 1")
        .bind(i64::try_from(binding_changes).unwrap_or(i64::MAX))
        .execute(&mut **tx)
        .await?;
    // The tenants' text changed (schema 21): its triggers were set aside with the rest.
    sqlx::query("UPDATE tenant_text_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE bulk_rewrite SET active = 0 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn read_document(conn: &mut sqlx::AnyConnection) -> Result<CatalogueDocument> {
    let regions: Vec<RegionRow> =
        sqlx::query_as("SELECT * FROM regions WHERE builtin = 0 ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    let templates: Vec<TemplateRow> =
        sqlx::query_as("SELECT * FROM templates ORDER BY name, version")
            .fetch_all(&mut *conn)
            .await?;
    let stamps: Vec<StampRow> = sqlx::query_as("SELECT * FROM stamps ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let tenants: Vec<TenantRow> = sqlx::query_as("SELECT * FROM tenants ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let bindings: Vec<BindingRow> = sqlx::query_as("SELECT * FROM bindings ORDER BY tenant")
        .fetch_all(&mut *conn)
        .await?;
    let mut doc = CatalogueDocument {
        schema_version: DOCUMENT_SCHEMA_VERSION,
        regions: regions
            .into_iter()
            .map(RegionRow::into_domain)
            .collect::<Result<_>>()?,
        templates: templates
            .into_iter()
            .map(TemplateRow::into_domain)
            .collect::<Result<_>>()?,
        stamps: stamps
            .into_iter()
            .map(StampRow::into_domain)
            .collect::<Result<_>>()?,
        tenants: tenants
            .into_iter()
            .map(TenantRow::into_domain)
            .collect::<Result<_>>()?,
        bindings: bindings
            .into_iter()
            .map(BindingRow::into_domain)
            .collect::<Result<_>>()?,
    };
    doc.canonicalize();
    Ok(doc)
}
