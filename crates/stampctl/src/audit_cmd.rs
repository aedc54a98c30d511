//! `stampctl audit`: who changed what, when, and through which part of Stampfleet.

use clap::Args;
use fleet_ops::catalogue::{AuditEntry, AuditQuery};
use fleet_ops::{AuditFormat, Fleet, OpsResult};

use crate::table::Table;
use crate::{render, Output};

/// Filters for `stampctl audit`; every one given must match.
#[derive(Args)]
pub struct AuditArgs {
    /// Only changes to this kind of thing: stamp, tenant, binding, plan, region, template.
    #[arg(long)]
    entity: Option<String>,
    /// Only changes to this one (a stamp id, a tenant id, a plan name ...).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Only changes made by this operator.
    #[arg(long)]
    actor: Option<String>,
    /// Only rows older than this audit row id (the next page).
    #[arg(long, value_name = "ROW")]
    before: Option<i64>,
    /// Only changes at or after this time: 2026-12-05, 2026-12-05T14:00:00Z, or how long
    /// ago (30m, 12h, 7d).
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// At most this many rows, newest first (up to 10,000).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Print the rows as CSV (for a spreadsheet) instead of a table; `-o json` gives JSON.
    #[arg(long)]
    csv: bool,
}

pub async fn run(fleet: &Fleet, out: Output, args: AuditArgs) -> OpsResult<String> {
    let query = AuditQuery {
        entity: args.entity,
        entity_id: args.id,
        actor: args.actor,
        since: args.since,
        before_id: args.before,
        limit: args.limit,
    };
    if args.csv {
        return fleet.export_audit(&query, AuditFormat::Csv).await;
    }
    let rows = fleet.audit_page(&query).await?;
    render(out, &rows, || table(&rows))
}

fn table(rows: &[AuditEntry]) -> String {
    if rows.is_empty() {
        return "no audit rows match\n".to_owned();
    }
    let mut t = Table::new(vec![
        "ROW", "AT", "ACTOR", "VIA", "ACTION", "ENTITY", "ID", "CHANGE",
    ]);
    for r in rows {
        t.row(vec![
            r.id.to_string(),
            r.at.clone(),
            r.actor.clone(),
            r.via.clone(),
            r.action.clone(),
            r.entity.clone(),
            r.entity_id.clone(),
            r.summary.clone(),
        ]);
    }
    t.render()
}
