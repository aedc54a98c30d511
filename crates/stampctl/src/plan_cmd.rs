//! `stampctl plan ...`: offline planning (no stamp needs to answer): drafts, plan files,
//! the rebalance planner.

use clap::Subcommand;
use fleet_core::plan::{Plan, PlanAction};
use fleet_core::{StampId, TenantId};
use fleet_ops::{Fleet, OpsError, OpsResult};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Start an empty plan against the catalogue as it is now.
    New { name: String },
    /// Every plan: name, base version, action count.
    List,
    /// A plan's actions, in order.
    Show { name: String },
    /// Append an action to a plan.
    Add {
        name: String,
        #[command(subcommand)]
        action: AddAction,
    },
    /// Remove a plan's action N (1-based, as `show` numbers them).
    Remove { name: String, action: u32 },
    /// Delete a plan (not while it is being applied).
    Delete { name: String },
    /// Write a plan as a file (schema version and digest) to share or review.
    Export {
        name: String,
        #[arg(long, value_name = "FILE")]
        file: Option<std::path::PathBuf>,
    },
    /// Read a plan file strictly (an edited or malformed one is refused, nothing written).
    Import {
        file: std::path::PathBuf,
        /// Replace a plan of the same name.
        #[arg(long)]
        replace: bool,
    },
    /// When stamps and regions fill up (from recorded usage), and the stamps to add.
    Forecast {
        /// Days of usage history to fit.
        #[arg(long, default_value_t = 30)]
        window: u32,
        /// Propose a stamp for every region full within this many days.
        #[arg(long, default_value_t = 90)]
        horizon: u32,
        /// Append the proposed stamps to this plan.
        #[arg(long, value_name = "PLAN")]
        into: Option<String>,
    },
    /// Revalidate a plan against the fleet now (stamps asked): the conflicts, if any.
    Check { name: String },
    /// Apply a plan action by action (checked first); killed, failed or paused, applying
    /// again goes on from the next action.
    Apply { name: String },
    /// Stop a running apply before its next action.
    Pause { name: String },
    /// Propose the moves that bring every stamp under a utilization limit: fewest moves,
    /// then least data, within residency, isolation and pins (writes nothing).
    Rebalance {
        /// The utilization no stamp should exceed, in percent.
        #[arg(long, default_value_t = 80)]
        limit: u8,
        /// Append the proposed moves to this plan.
        #[arg(long, value_name = "PLAN")]
        into: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AddAction {
    /// Move a tenant to a stamp.
    Move {
        tenant: TenantId,
        #[arg(long)]
        to: StampId,
    },
    /// Drain a stamp.
    Drain { stamp: StampId },
    /// Retire a stamp.
    Retire { stamp: StampId },
    /// Change a stamp's capacity.
    Capacity { stamp: StampId, units: u32 },
    /// Any action as JSON, e.g. '{"action":"addStamp","stamp":"fra-02",...}'.
    Json { action: String },
}

impl AddAction {
    fn into_action(self) -> OpsResult<PlanAction> {
        Ok(match self {
            AddAction::Move { tenant, to } => PlanAction::MoveTenant { tenant, to },
            AddAction::Drain { stamp } => PlanAction::DrainStamp { stamp },
            AddAction::Retire { stamp } => PlanAction::RetireStamp { stamp },
            AddAction::Capacity { stamp, units } => PlanAction::ChangeCapacity {
                stamp,
                capacity_units: units,
            },
            AddAction::Json { action } => serde_json::from_str(&action)
                .map_err(|e| OpsError::invalid(format!("the action: {e}")))?,
        })
    }
}

fn show(plan: &Plan) -> String {
    let mut text = format!(
        "plan {:?}, made against catalogue version {}, {} action(s)\n",
        plan.name,
        plan.base_version,
        plan.actions.len()
    );
    for (i, a) in plan.actions.iter().enumerate() {
        text.push_str(&format!("{:>3}. {}\n", i + 1, a.describe()));
    }
    text
}

/// The plan, then what it does: stamps that change, and every warning.
fn show_projected(view: &fleet_ops::PlanView) -> String {
    let mut text = show(&view.plan);
    if view.changes_since_base > 0 {
        text.push_str(&format!(
            "the catalogue changed {} time(s) since this plan was made\n",
            view.changes_since_base
        ));
    }
    let p = &view.projection;
    let changed: Vec<_> = p
        .stamps
        .iter()
        .filter(|s| {
            s.status_before != Some(s.status_after)
                || s.used_before != s.used_after
                || s.capacity_before != s.capacity_after
        })
        .collect();
    if !changed.is_empty() {
        let mut t = Table::new(vec![
            "STAMP",
            "STATUS",
            "USED BEFORE",
            "USED AFTER",
            "TENANTS",
        ]);
        for s in changed {
            t.row(vec![
                s.stamp.to_string(),
                match s.status_before {
                    None => format!("new, {}", s.status_after.as_str()),
                    Some(b) if b != s.status_after => {
                        format!("{} -> {}", b.as_str(), s.status_after.as_str())
                    }
                    Some(b) => b.as_str().to_owned(),
                },
                format!("{}/{}", s.used_before, s.capacity_before),
                format!(
                    "{}/{}{}",
                    s.used_after,
                    s.capacity_after,
                    if s.over_reserve_after {
                        " (over reserve)"
                    } else {
                        ""
                    }
                ),
                format!("{} -> {}", s.tenants_before, s.tenants_after),
            ]);
        }
        text.push_str("\nafter the plan:\n");
        text.push_str(&t.render());
    }
    for w in &p.warnings {
        match w.action {
            Some(i) => text.push_str(&format!("warning (action {}): {}\n", i + 1, w.message)),
            None => text.push_str(&format!("warning: {}\n", w.message)),
        }
    }
    text
}

pub async fn run(fleet: &Fleet, out: Output, command: PlanCommand) -> OpsResult<String> {
    match command {
        PlanCommand::New { name } => {
            let plan = fleet.new_plan(&name).await?;
            render(out, &plan, || show(&plan))
        }
        PlanCommand::List => {
            let plans = fleet.plan_summaries().await?;
            render(out, &plans, || {
                let mut t = Table::new(vec!["NAME", "BASE VERSION", "ACTIONS", "APPLIED"]);
                for p in &plans {
                    let applied = p.apply.as_ref().map_or("-".to_owned(), |a| {
                        format!("{:?} {}/{}", a.state, a.done, a.total).to_lowercase()
                    });
                    t.row(vec![
                        p.name.clone(),
                        p.base_version.to_string(),
                        p.actions.to_string(),
                        applied,
                    ]);
                }
                t.render()
            })
        }
        PlanCommand::Remove { name, action } => {
            let index = action.checked_sub(1).ok_or_else(|| {
                OpsError::invalid("ACTION: actions are numbered from 1, as `plan show` lists them")
            })?;
            let plan = fleet.remove_plan_action(&name, index).await?;
            render(out, &plan, || show(&plan))
        }
        PlanCommand::Delete { name } => {
            fleet.delete_plan(&name).await?;
            Ok(format!("plan {name:?} deleted\n"))
        }
        PlanCommand::Show { name } => {
            let view = fleet.plan_view(&name).await?;
            render(out, &view, || show_projected(&view))
        }
        PlanCommand::Add { name, action } => {
            let plan = fleet.add_plan_action(&name, action.into_action()?).await?;
            render(out, &plan, || show(&plan))
        }
        PlanCommand::Export { name, file } => {
            let text = fleet.export_plan(&name).await?;
            match file {
                None => Ok(text),
                Some(path) => crate::write_atomically(&path, &text).map(|()| String::new()),
            }
        }
        PlanCommand::Import { file, replace } => {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file)
                .map_err(|e| OpsError::invalid(format!("{name}: {e}")))?;
            let plan = fleet.import_plan(&name, &text, replace).await?;
            render(out, &plan, || show(&plan))
        }
        PlanCommand::Forecast {
            window,
            horizon,
            into: Some(name),
        } => {
            let plan = fleet.plan_forecast_into(&name, window, horizon).await?;
            render(out, &plan, || show(&plan))
        }
        PlanCommand::Forecast {
            window,
            horizon,
            into: None,
        } => {
            let f = fleet.forecast(window, horizon).await?;
            render(out, &f, || {
                let days = |d: Option<f64>| d.map_or("-".to_owned(), |d| format!("{d:.0}"));
                let mut t = Table::new(vec!["REGION", "GROWTH/DAY", "DAYS UNTIL FULL"]);
                for r in &f.regions {
                    t.row(vec![
                        r.region.to_string(),
                        format!("{:.1}", r.growth_per_day),
                        days(r.days_until_full),
                    ]);
                }
                let mut text = t.render();
                let mut s = Table::new(vec!["STAMP", "GROWTH/DAY", "DAYS UNTIL FULL"]);
                for x in &f.stamps {
                    s.row(vec![
                        x.stamp.to_string(),
                        x.growth_per_day
                            .map_or("-".to_owned(), |g| format!("{g:.1}")),
                        days(x.days_until_full),
                    ]);
                }
                text.push('\n');
                text.push_str(&s.render());
                for p in &f.proposals {
                    text.push_str(&format!("propose: {}\n", p.describe()));
                }
                text
            })
        }
        PlanCommand::Check { name } => {
            let check = fleet.check_plan(&name).await?;
            render(out, &check, || {
                let mut text = if check.conflicts.is_empty() {
                    format!("plan {name:?} can be applied\n")
                } else {
                    format!("plan {name:?} has {} conflict(s):\n", check.conflicts.len())
                };
                for c in &check.conflicts {
                    match c.action {
                        Some(i) => text.push_str(&format!("  action {}: {}\n", i + 1, c.message)),
                        None => text.push_str(&format!("  {}\n", c.message)),
                    }
                }
                if check.changes_since_base > 0 {
                    text.push_str(&format!(
                        "the catalogue changed {} time(s) since the plan was made\n",
                        check.changes_since_base
                    ));
                }
                text
            })
        }
        PlanCommand::Apply { name } => {
            let done = fleet
                .apply_plan(&name, &|p| {
                    eprintln!("{}/{} {}", p.done, p.total, p.message)
                })
                .await?;
            render(out, &done, || {
                format!("plan {name:?}: {} action(s) applied\n", done.total)
            })
        }
        PlanCommand::Pause { name } => {
            fleet.pause_plan(&name).await?;
            Ok(format!("plan {name:?} stops before its next action\n"))
        }
        PlanCommand::Rebalance {
            limit,
            into: Some(name),
        } => {
            let (plan, proposal) = fleet.plan_rebalance_into(&name, limit).await?;
            render(out, &plan, || {
                format!(
                    "{} move(s) appended to plan {:?}\n{}",
                    proposal.moves.len(),
                    plan.name,
                    show(&plan)
                )
            })
        }
        PlanCommand::Rebalance { limit, into: None } => {
            let plan = fleet.plan_rebalance(limit).await?;
            render(out, &plan, || {
                let mut t = Table::new(vec!["TENANT", "FROM", "TO", "UNITS", "KM"]);
                for m in &plan.moves {
                    t.row(vec![
                        m.tenant.to_string(),
                        m.from.to_string(),
                        m.to.to_string(),
                        m.size_units.to_string(),
                        m.distance_km.to_string(),
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
                    text.push_str(&format!(
                        "across regions: {} of {} move(s), {} km in all\n",
                        plan.cross_region_moves,
                        plan.moves.len(),
                        plan.distance_km
                    ));
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
