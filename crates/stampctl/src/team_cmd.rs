//! `stampctl team`: who may do what on a team catalogue (PostgreSQL). Roles are the
//! server's grants: a reader's login may only read, even through psql.

use clap::Subcommand;
use fleet_ops::{Fleet, OpsResult};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum TeamAction {
    /// Every login that may open the catalogue, with its role.
    List,
    /// Enroll every operator's own token (registered when it first opened the team
    /// catalogue) on every stamp whose admin token this machine holds.
    Enroll,
    /// Revoke an operator's own token on every stamp whose admin token this machine
    /// holds, and forget it.
    Revoke { login: String },
    /// Give a server login a role: reader (reads only), operator (changes the fleet) or
    /// admin (also grants roles and upgrades the schema). Admins only.
    Grant {
        /// The PostgreSQL login (create it on the server first).
        login: String,
        #[arg(long, value_name = "ROLE")]
        role: String,
    },
}

pub async fn run(fleet: &Fleet, out: Output, action: TeamAction) -> OpsResult<String> {
    match action {
        TeamAction::List => {
            let members = fleet.team_members().await?;
            render(out, &members, || {
                let mut t = Table::new(vec!["LOGIN", "ROLE"]);
                for m in &members {
                    t.row(vec![m.login.clone(), m.role.as_str().to_owned()]);
                }
                t.render()
            })
        }
        TeamAction::Enroll => {
            let outcomes = fleet.enroll_operators().await?;
            render(out, &outcomes, || outcome_table(&outcomes))
        }
        TeamAction::Revoke { login } => {
            let outcomes = fleet.revoke_operator(&login).await?;
            render(out, &outcomes, || outcome_table(&outcomes))
        }
        TeamAction::Grant { login, role } => {
            fleet.grant_team_role(&login, &role).await?;
            Ok(format!("{login} is now {role} on this team catalogue\n"))
        }
    }
}

fn outcome_table(outcomes: &[fleet_ops::EnrollOutcome]) -> String {
    let mut t = Table::new(vec!["STAMP", "OPERATORS", "PROBLEM"]);
    for o in outcomes {
        t.row(vec![
            o.stamp.to_string(),
            o.operators.join(", "),
            o.error.clone().unwrap_or_default(),
        ]);
    }
    t.render()
}
