//! `stampctl tenant ...`: list tenants by stamp, region or text.

use clap::Subcommand;
use fleet_core::{RegionId, StampId, TenantQuery, TenantView};
use fleet_ops::{Fleet, OpsResult};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum TenantAction {
    /// List tenants and the stamp each lives on, by id.
    List {
        /// Only the tenants on this stamp.
        #[arg(long)]
        stamp: Option<StampId>,
        /// Only the tenants on stamps in this region.
        #[arg(long)]
        region: Option<RegionId>,
        /// Only tenants whose id or name contains this text (ASCII case ignored).
        #[arg(long)]
        search: Option<String>,
        /// At most this many (default: all).
        #[arg(long)]
        limit: Option<u32>,
    },
}

pub async fn run(fleet: &Fleet, out: Output, action: TenantAction) -> OpsResult<String> {
    match action {
        TenantAction::List {
            stamp,
            region,
            search,
            limit,
        } => {
            let mut query = TenantQuery {
                stamp,
                region,
                text: search,
                offset: 0,
                limit: TenantQuery::MAX_LIMIT,
            };
            let wanted = limit.unwrap_or(u32::MAX);
            let mut tenants: Vec<TenantView> = Vec::new();
            while (tenants.len() as u32) < wanted {
                query.limit = TenantQuery::MAX_LIMIT.min(wanted - tenants.len() as u32);
                let page = fleet.tenants(&query).await?;
                let got = page.tenants.len() as u32;
                tenants.extend(page.tenants);
                if got < query.limit {
                    break;
                }
                query.offset += got;
            }
            render(out, &tenants, || table(&tenants))
        }
    }
}

fn table(tenants: &[TenantView]) -> String {
    let mut t = Table::new(vec![
        "ID",
        "NAME",
        "TIER",
        "SIZE",
        "ISOLATION",
        "RESIDENCY",
        "STAMP",
    ]);
    for v in tenants {
        t.row(vec![
            v.tenant.id.to_string(),
            v.tenant.display_name.clone(),
            v.tenant.tier.as_str().to_owned(),
            v.tenant.size_units.to_string(),
            v.tenant.isolation.as_str().to_owned() + if v.tenant.pinned { ", pinned" } else { "" },
            v.tenant.residency.describe(),
            v.stamp
                .as_ref()
                .map_or_else(|| "-".to_owned(), ToString::to_string),
        ]);
    }
    t.render()
}
