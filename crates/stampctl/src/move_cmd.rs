//! `stampctl move list|resume|cancel` and `stampctl routes`.

use clap::Subcommand;
use fleet_ops::{Fleet, OpsResult};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum MoveAction {
    /// The journaled tenant moves, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Finish moves a killed process left: forward past the cut-over, and before it
    /// forward too (without this command, the next start rolls those back).
    Resume,
    /// Stop a move before its cut-over and roll it back.
    Cancel { operation: i64 },
    /// Remove the source copies of moves older than the move-back window.
    Cleanup {
        #[arg(long, default_value_t = fleet_ops::RETENTION_HOURS)]
        older_than_hours: u32,
    },
}

pub async fn run(fleet: &Fleet, out: Output, action: MoveAction) -> OpsResult<String> {
    match action {
        MoveAction::List { limit } => {
            let moves = fleet.moves(limit).await?;
            render(out, &moves, || {
                let mut t = Table::new(vec![
                    "ID", "TENANT", "FROM", "TO", "STATE", "STEP", "STARTED",
                ]);
                for m in &moves {
                    t.row(vec![
                        m.operation.to_string(),
                        m.tenant.to_string(),
                        m.from.to_string(),
                        m.to.to_string(),
                        m.state.to_string(),
                        m.step.to_string(),
                        m.started_at.clone(),
                    ]);
                }
                t.render()
            })
        }
        MoveAction::Resume => {
            let outcomes = fleet.recover_moves(true).await?;
            render(out, &outcomes, || {
                if outcomes.is_empty() {
                    "no interrupted move\n".to_owned()
                } else {
                    outcomes.join("\n") + "\n"
                }
            })
        }
        MoveAction::Cleanup { older_than_hours } => {
            let removed = fleet.clean_up_moves(older_than_hours).await?;
            render(out, &removed, || {
                format!("{} source copie(s) removed\n", removed.len())
                    + &removed
                        .iter()
                        .map(|r| format!("  {r}\n"))
                        .collect::<String>()
            })
        }
        MoveAction::Cancel { operation } => {
            let said = fleet.cancel_move(operation).await?;
            render(out, &said, || format!("{said}\n"))
        }
    }
}

/// `stampctl routes`: the routing table as JSON, whatever the output format (routers
/// read it).
pub async fn routes(fleet: &Fleet) -> OpsResult<String> {
    let table = fleet.routes().await?;
    serde_json::to_string_pretty(&table)
        .map(|s| s + "\n")
        .map_err(|e| fleet_ops::OpsError::internal(e.to_string()))
}
