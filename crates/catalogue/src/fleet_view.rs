//! The queries behind the map and the lists: the overview from per-stamp aggregates
//! (never every tenant), and tenants by stamp, region or text, a page at a time.

use std::collections::HashMap;

use fleet_core::{FleetOverview, StampId, StampLoad, TenantPage, TenantQuery, TenantView};

use crate::error::Result;
use crate::rows::{StampRow, TemplateRow, TenantRow};
use crate::sql::{Backend, Statement};
use crate::{short_search, Catalogue};

#[derive(sqlx::FromRow)]
struct LoadRow {
    stamp: String,
    tenants: i64,
    used: i64,
}

#[derive(sqlx::FromRow)]
struct TenantViewRow {
    #[sqlx(flatten)]
    tenant: TenantRow,
    home: Option<String>,
}

fn clamp_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// `text` as a LIKE pattern matching it anywhere, with LIKE's wildcards escaped.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The pattern the SQLite search index is asked with: FTS5 uses its index for LIKE only
/// without an ESCAPE clause, so a typed `%` or `_` becomes `_` (any one character). The
/// index's rows are a superset; the exact, escaped pattern on the columns decides.
fn index_pattern(text: &str) -> String {
    let loose: String = text
        .chars()
        .map(|c| if matches!(c, '%' | '_') { '_' } else { c })
        .collect();
    format!("%{loose}%")
}

/// How a text search finds its candidates.
#[derive(Clone, Copy, PartialEq)]
enum TextPath {
    /// No text filter.
    None,
    /// SQLite's trigram index (migration 0020), for 3 characters or more.
    SqliteIndex,
    /// Each tenant's id and name read (SQLite below 3 characters when more than
    /// [`short_search::MAX_CANDIDATES`] tenants hold the text; on PostgreSQL the combined
    /// line's expression lets the planner use pg_trgm's index, where present).
    Rows,
    /// SQLite below 3 characters: the rows the in-memory text named (`short_search.rs`).
    Candidates,
}

fn text_path(query: &TenantQuery, backend: Backend) -> TextPath {
    match query.text() {
        None => TextPath::None,
        Some(text) if backend == Backend::Sqlite && text.chars().count() >= 3 => {
            TextPath::SqliteIndex
        }
        Some(_) => TextPath::Rows,
    }
}

/// Appends the WHERE clause for `query` (the FROM joins tenants t, bindings b, stamps s,
/// and on the index path the search index f).
/// `candidates`: on [`TextPath::Candidates`], their rowids as a JSON array.
fn push_filters<'q>(
    qb: &mut Statement<'q>,
    query: &'q TenantQuery,
    backend: Backend,
    path: TextPath,
    candidates: Option<&'q str>,
) {
    qb.push(" WHERE 1 = 1");
    if let Some(stamp) = &query.stamp {
        qb.push(" AND b.stamp = ").push_bind(stamp.as_str());
    }
    if let Some(region) = &query.region {
        qb.push(" AND s.region = ").push_bind(region.as_str());
    }
    let Some(text) = query.text() else {
        return;
    };
    let pattern = contains_pattern(text);
    match path {
        TextPath::SqliteIndex => {
            qb.push(" AND f.text LIKE ").push_bind(index_pattern(text));
        }
        TextPath::Candidates => {
            qb.push(" AND t.rowid IN (SELECT value FROM json_each(")
                .push_bind(candidates.unwrap_or("[]"))
                .push("))");
        }
        TextPath::Rows if backend == Backend::Postgres => {
            // The expression pg_trgm's index (migration 0020) is built on.
            qb.push(" AND (t.id || E'\\n' || t.display_name) ILIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\'");
        }
        TextPath::Rows | TextPath::None => {}
    }
    // Case-insensitive on both: SQLite's LIKE folds ASCII case, PostgreSQL's ILIKE.
    let like = match backend {
        Backend::Sqlite => " LIKE ",
        Backend::Postgres => " ILIKE ",
    };
    qb.push(" AND (t.id")
        .push(like)
        .push_bind(pattern.clone())
        .push(" ESCAPE '\\' OR t.display_name")
        .push(like)
        .push_bind(pattern)
        .push(" ESCAPE '\\')");
}

/// The tables a query reads. With a stamp or region given, only bound tenants can match:
/// inner joins let SQLite start from the stamp (index on bindings.stamp) instead of
/// scanning every tenant.
fn from_clause(query: &TenantQuery, path: TextPath) -> String {
    let tenants = if path == TextPath::SqliteIndex {
        "tenant_search f JOIN tenants t ON t.rowid = f.rowid"
    } else {
        "tenants t"
    };
    if query.stamp.is_some() || query.region.is_some() {
        format!(
            " FROM {tenants} JOIN bindings b ON b.tenant = t.id JOIN stamps s ON s.id = b.stamp"
        )
    } else {
        format!(" FROM {tenants} LEFT JOIN bindings b ON b.tenant = t.id LEFT JOIN stamps s ON s.id = b.stamp")
    }
}

/// The order of a page: by id, except for a text search with more matches than it
/// counts, which comes in the catalogue's own order on SQLite (the index's order: no
/// sort of hundreds of thousands of matches); PostgreSQL sorts by id.
fn order_clause(path: TextPath, capped: bool, backend: Backend) -> &'static str {
    match (capped, backend, path) {
        (true, Backend::Sqlite, TextPath::SqliteIndex) => " ORDER BY f.rowid",
        (true, Backend::Sqlite, _) => " ORDER BY t.rowid",
        _ => " ORDER BY t.id",
    }
}

impl Catalogue {
    /// Whether tenant search reads an index: always on a file; on a team catalogue when
    /// the server had pg_trgm for migration 0020 (otherwise every tenant is read).
    pub async fn tenant_search_indexed(&self) -> Result<bool> {
        if self.backend == Backend::Sqlite {
            return Ok(true);
        }
        let (found,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'tenants_search'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(found > 0)
    }

    /// The overview, from one aggregate query per stamp rather than every tenant.
    pub async fn overview(&self, all_regions: &[fleet_core::Region]) -> Result<FleetOverview> {
        let mut conn = self.pool.acquire().await?;
        let stamps: Vec<StampRow> = sqlx::query_as("SELECT * FROM stamps")
            .fetch_all(&mut *conn)
            .await?;
        let templates: Vec<TemplateRow> = sqlx::query_as("SELECT * FROM templates")
            .fetch_all(&mut *conn)
            .await?;
        // Kept by triggers (migration 0003) on every binding and tenant change.
        let load_rows: Vec<LoadRow> = sqlx::query_as(
            "SELECT stamp, tenants, used_units AS used FROM stamp_loads WHERE tenants > 0",
        )
        .fetch_all(&mut *conn)
        .await?;
        let (tenant_count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tenants")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .next()
            .ok_or(sqlx::Error::RowNotFound)?;
        let mut loads = HashMap::with_capacity(load_rows.len());
        for row in load_rows {
            let Ok(stamp) = StampId::new(row.stamp) else {
                continue; // the stamps table rejects such ids; its row reports the error
            };
            loads.insert(
                stamp,
                StampLoad {
                    tenant_count: clamp_u32(row.tenants),
                    used_units: clamp_u32(row.used),
                },
            );
        }
        Ok(FleetOverview::from_parts(
            stamps
                .into_iter()
                .map(StampRow::into_domain)
                .collect::<Result<_>>()?,
            &loads,
            templates
                .into_iter()
                .map(TemplateRow::into_domain)
                .collect::<Result<_>>()?,
            all_regions,
            clamp_u32(tenant_count),
        ))
    }

    /// One page of the tenants matching `query`, and how many match in all: exactly
    /// without a text filter; a text search counts up to [`TenantQuery::COUNT_CAP`] and
    /// then says there are more (see [`order_clause`] for the order).
    pub async fn tenants(&self, query: &TenantQuery) -> Result<TenantPage> {
        let limit = query.limit.min(TenantQuery::MAX_LIMIT);
        let mut path = text_path(query, self.backend);
        let mut conn = self.pool.acquire().await?;
        let mut candidates = None;
        if let (TextPath::Rows, Backend::Sqlite, Some(text)) = (path, self.backend, query.text()) {
            if let Some(rowids) =
                short_search::candidates(&self.short_search, &mut conn, text).await?
            {
                if rowids.is_empty() {
                    return Ok(TenantPage {
                        tenants: Vec::new(),
                        total: 0,
                        capped: false,
                    });
                }
                path = TextPath::Candidates;
                candidates = Some(serde_json::Value::from(rowids).to_string());
            }
        }
        let from = from_clause(query, path);
        let mut count = if path == TextPath::None {
            Statement::new("SELECT COUNT(*)")
        } else {
            Statement::new("SELECT COUNT(*) FROM (SELECT 1")
        };
        count.push(&from);
        push_filters(&mut count, query, self.backend, path, candidates.as_deref());
        if path != TextPath::None {
            count
                .push(" LIMIT ")
                .push_bind(i64::from(TenantQuery::COUNT_CAP) + 1)
                .push(") AS matches");
        }
        let (counted,): (i64,) = count
            .fetch_all(&mut conn)
            .await?
            .into_iter()
            .next()
            .ok_or(sqlx::Error::RowNotFound)?;
        let capped = path != TextPath::None && counted > i64::from(TenantQuery::COUNT_CAP);

        let mut select = Statement::new("SELECT t.*, b.stamp AS home");
        select.push(&from);
        push_filters(
            &mut select,
            query,
            self.backend,
            path,
            candidates.as_deref(),
        );
        select
            .push(order_clause(path, capped, self.backend))
            .push(" LIMIT ")
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::from(query.offset));
        let rows: Vec<TenantViewRow> = select.fetch_all(&mut conn).await?;
        let tenants = rows
            .into_iter()
            .map(|row| {
                let tenant = row.tenant.into_domain()?;
                let stamp = row
                    .home
                    .map(StampId::new)
                    .transpose()
                    .map_err(|e| crate::rows::bad("bindings", tenant.id.as_str(), e))?;
                Ok(TenantView { tenant, stamp })
            })
            .collect::<Result<_>>()?;
        Ok(TenantPage {
            tenants,
            total: if capped {
                TenantQuery::COUNT_CAP
            } else {
                clamp_u32(counted)
            },
            capped,
        })
    }
}
