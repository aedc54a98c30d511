//! `stampctl` commands on the catalogue as a whole: regions, the local agents, resume,
//! overview, demo, export, import, snapshot and info.

use std::path::{Path, PathBuf};

use fleet_ops::{Fleet, OpsResult};

use crate::table::Table;
use crate::{read_input, render, write_atomically, Output};

pub async fn regions(fleet: &Fleet, out: Output) -> OpsResult<String> {
    let regions = fleet.regions().await?;
    render(out, &regions, || {
        let mut t = Table::new(vec![
            "ID",
            "PROVIDER",
            "NAME",
            "CITY",
            "COUNTRY",
            "GEOGRAPHY",
            "LAT",
            "LON",
        ]);
        for r in &regions {
            t.row(vec![
                r.id.to_string(),
                r.provider.to_string(),
                r.display_name.clone(),
                r.city.clone(),
                r.country.to_string(),
                r.geography.clone(),
                format!("{:.2}", r.latitude),
                format!("{:.2}", r.longitude),
            ]);
        }
        t.render()
    })
}

pub async fn start_agents(fleet: &Fleet, out: Output) -> OpsResult<String> {
    let started = fleet.start_local_stamps().await?;
    render(out, &serde_json::json!({ "started": started }), || {
        format!(
            "{} local agent(s) started (the others answered already)\n",
            started.len()
        )
    })
}

pub async fn stop_agents(fleet: &Fleet, out: Output) -> OpsResult<String> {
    let stopped = fleet.stop_local_agents().await?;
    render(out, &serde_json::json!({ "stopped": stopped }), || {
        format!("{stopped} agent(s) stopped\n")
    })
}

/// What a killed run left: operations, moves, repairs, offboardings and rollouts go on.
pub async fn resume(fleet: &Fleet, out: Output, run_commands: bool) -> OpsResult<String> {
    let waiting = if run_commands {
        Vec::new()
    } else {
        fleet.commands_waiting().await?
    };
    let resumed = if run_commands {
        fleet.resume_operations_running_commands().await?
    } else {
        fleet.resume_operations().await?
    };
    let started = fleet.start_local_agents().await?;
    let mut moves = fleet.recover_moves(false).await?;
    moves.extend(fleet.resume_repairs().await?);
    moves.extend(fleet.resume_offboardings().await?);
    // Rollouts a killed run left go on here, until each stops again.
    for id in fleet.interrupted_rollouts().await? {
        let clock = fleet_ops::RolloutClock::default();
        let r = fleet.resume_rollout(id, &clock, &|_| {}).await?;
        moves.push(format!(
            "rollout {id}: {:?}: {}",
            r.state.phase, r.state.reason
        ));
    }
    let summary = serde_json::json!({
        "resumedOperations": resumed,
        "startedAgents": started,
        "moves": moves,
        "commandsWaiting": waiting,
    });
    render(out, &summary, || {
        let mut text = format!(
            "{resumed} interrupted operation(s) finished, {} agent(s) answering\n",
            started.len()
        );
        for m in &moves {
            text.push_str(m);
            text.push('\n');
        }
        for w in &waiting {
            text.push_str(&format!(
                "not run: {w} (check it, then `stampctl resume --run-commands`)\n"
            ));
        }
        text
    })
}

pub async fn overview(fleet: &Fleet, out: Output) -> OpsResult<String> {
    let overview = fleet.overview().await?;
    render(out, &overview, || {
        format!(
            "{} stamps in {} regions, {} tenants ({} unplaced); {} of {} units used\n",
            overview.stamps.len(),
            overview.regions.len(),
            overview.tenant_count,
            overview.unplaced_tenants,
            overview.totals.used_units,
            overview.totals.total_units,
        )
    })
}

pub async fn demo(fleet: &Fleet, out: Output, no_agents: bool) -> OpsResult<String> {
    let overview = fleet.create_demo(!no_agents).await?;
    let summary = serde_json::json!({
        "stamps": overview.stamps.len(),
        "regions": overview.regions.len(),
        "tenants": overview.tenant_count,
    });
    render(out, &summary, || {
        format!(
            "demo fleet created: {} stamps in {} regions, {} tenants\n",
            overview.stamps.len(),
            overview.regions.len(),
            overview.tenant_count
        )
    })
}

pub async fn export(fleet: &Fleet, out: Output, file: Option<PathBuf>) -> OpsResult<String> {
    let json = fleet.export_json().await? + "\n";
    match file {
        None => Ok(json),
        Some(path) => {
            write_atomically(&path, &json)?;
            render(out, &serde_json::json!({ "file": path }), || {
                format!("exported to {}\n", path.display())
            })
        }
    }
}

pub async fn import(
    fleet: &Fleet,
    out: Output,
    file: &PathBuf,
    replace: bool,
) -> OpsResult<String> {
    let (name, text) = read_input(file)?;
    let summary = fleet.import_json(&name, &text, replace).await?;
    render(out, &summary, || {
        format!(
            "imported {} stamps, {} tenants, {} bindings ({} audit rows)\n",
            summary.stamps, summary.tenants, summary.bindings, summary.audit_rows
        )
    })
}

pub async fn snapshot(fleet: &Fleet, out: Output, file: &Path) -> OpsResult<String> {
    let summary = fleet.take_snapshot(file).await?;
    render(out, &summary, || {
        format!(
            "snapshot of {} at version {} written to {}: {} stamps, {} tenants, {} plans\n\
             plan offline with --catalogue {}; export a plan (plan export) to apply it here\n",
            summary.origin.source,
            summary.origin.version,
            summary.file,
            summary.stamps,
            summary.tenants,
            summary.plans,
            summary.file
        )
    })
}

pub async fn info(fleet: &Fleet, out: Output) -> OpsResult<String> {
    let info = fleet.info().await?;
    render(out, &info, || {
        let c = info.counts;
        format!(
            "catalogue  {}{}\nschema     {}\noperator   {}\nregions    {}\ntemplates  {}\nstamps     {}\ntenants    {}\nbindings   {}\naudit rows {}\n",
            info.path,
            match (&info.role, &info.snapshot_of) {
                (Some(r), _) => format!(" (team catalogue, you are {r})"),
                (None, Some(source)) => format!(" (a snapshot of {source}, for planning)"),
                (None, None) => String::new(),
            },
            info.schema_version, info.operator, c.regions, c.templates, c.stamps, c.tenants, c.bindings, c.audit_rows
        ) + if info.tenant_search_indexed {
            ""
        } else {
            "search     reads every tenant: the server has no pg_trgm, or this role may not add it\n"
        }
    })
}
