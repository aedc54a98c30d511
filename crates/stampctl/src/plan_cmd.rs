//! `stampctl plan ...`: offline planning (no stamp needs to answer).

use clap::Subcommand;
use fleet_ops::{Fleet, OpsResult};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum PlanAction {
    /// Propose the moves that bring every stamp under a utilization limit: fewest moves,
    /// then least data, within residency, isolation and pins (writes nothing).
    Rebalance {
        /// The utilization no stamp should exceed, in percent.
        #[arg(long, default_value_t = 80)]
        limit: u8,
    },
}

pub async fn run(fleet: &Fleet, out: Output, action: PlanAction) -> OpsResult<String> {
    match action {
        PlanAction::Rebalance { limit } => {
            let plan = fleet.plan_rebalance(limit).await?;
            render(out, &plan, || {
                let mut t = Table::new(vec!["TENANT", "FROM", "TO", "UNITS"]);
                for m in &plan.moves {
                    t.row(vec![
                        m.tenant.to_string(),
                        m.from.to_string(),
                        m.to.to_string(),
                        m.size_units.to_string(),
                    ]);
                }
                let mut text = format!(
                    "{} stamp(s) over {limit}%: {} move(s) of {} units (lower bounds: {} moves, {} units)\n",
                    plan.stamps_over_before,
                    plan.moves.len(),
                    plan.moved_units,
                    plan.lower_bound_moves,
                    plan.lower_bound_units
                );
                if !plan.moves.is_empty() {
                    text.push_str(&t.render());
                }
                for u in &plan.unresolved {
                    text.push_str(&format!("unresolved: {}: {}\n", u.stamp, u.reason));
                }
                text
            })
        }
    }
}
