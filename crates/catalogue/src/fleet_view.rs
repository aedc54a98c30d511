//! The queries behind the map and the lists: the overview from per-stamp aggregates
//! (never every tenant), and tenants by stamp, region or text, a page at a time.

use std::collections::HashMap;

use fleet_core::{FleetOverview, StampId, StampLoad, TenantPage, TenantQuery, TenantView};

use crate::error::Result;
use crate::rows::{StampRow, TemplateRow, TenantRow};
use crate::sql::{Backend, Statement};
use crate::Catalogue;

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
fn contains_pattern(text: &str) -> String {
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

/// Appends the WHERE clause for `query` (the FROM joins tenants t, bindings b, stamps s).
fn push_filters<'q>(qb: &mut Statement<'q>, query: &'q TenantQuery, backend: Backend) {
    qb.push(" WHERE 1 = 1");
    if let Some(stamp) = &query.stamp {
        qb.push(" AND b.stamp = ").push_bind(stamp.as_str());
    }
    if let Some(region) = &query.region {
        qb.push(" AND s.region = ").push_bind(region.as_str());
    }
    if let Some(text) = query.text() {
        let pattern = contains_pattern(text);
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
}

/// The tables a query reads. With a stamp or region given, only bound tenants can match:
/// inner joins let SQLite start from the stamp (index on bindings.stamp) instead of
/// scanning every tenant.
fn from_clause(query: &TenantQuery) -> &'static str {
    if query.stamp.is_some() || query.region.is_some() {
        " FROM stamps s JOIN bindings b ON b.stamp = s.id JOIN tenants t ON t.id = b.tenant"
    } else {
        " FROM tenants t LEFT JOIN bindings b ON b.tenant = t.id LEFT JOIN stamps s ON s.id = b.stamp"
    }
}

impl Catalogue {
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

    /// One page of the tenants matching `query`, by id, and how many match in all.
    pub async fn tenants(&self, query: &TenantQuery) -> Result<TenantPage> {
        let limit = query.limit.min(TenantQuery::MAX_LIMIT);
        let mut conn = self.pool.acquire().await?;
        let mut count = Statement::new("SELECT COUNT(*)");
        count.push(from_clause(query));
        push_filters(&mut count, query, self.backend);
        let (total,): (i64,) = count
            .fetch_all(&mut conn)
            .await?
            .into_iter()
            .next()
            .ok_or(sqlx::Error::RowNotFound)?;

        let mut select = Statement::new("SELECT t.*, b.stamp AS home");
        select.push(from_clause(query));
        push_filters(&mut select, query, self.backend);
        select
            .push(" ORDER BY t.id LIMIT ")
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
            total: clamp_u32(total),
        })
    }
}
