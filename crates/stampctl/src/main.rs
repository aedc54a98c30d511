//! stampctl: Stampfleet's operations from a terminal, over the same catalogue.

mod adopt_cmd;
mod audit_cmd;
mod fleet_cmd;
mod move_cmd;
mod plan_cmd;
mod provider_cmd;
mod reconcile_cmd;
mod rollout_cmd;
mod router_cmd;
mod stamp_cmd;
mod table;
mod team_cmd;
mod tenant_args;
mod tenant_cmd;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use fleet_ops::{paths, Fleet, OpsError, OpsResult};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "stampctl",
    version,
    about = "Manage a Stampfleet catalogue from a terminal"
)]
struct Cli {
    /// Catalogue file, or a team catalogue's postgres://user@host:port/db URL (default:
    /// $STAMPFLEET_CATALOGUE, else a file in the OS data directory).
    #[arg(long, global = true, value_name = "PATH")]
    catalogue: Option<PathBuf>,
    /// Who the audit log names for this run's changes (default: $STAMPFLEET_OPERATOR,
    /// else user@host).
    #[arg(long, global = true, value_name = "NAME")]
    operator: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value = "table")]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    Table,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Regions (built-in and custom).
    Region {
        #[command(subcommand)]
        action: ListOnly,
    },
    /// Stamps: list, provision, adopt, show, drain, retire.
    Stamp {
        #[command(subcommand)]
        action: stamp_cmd::StampAction,
    },
    /// Stamp agents are a separate program: see `stamp-agent --help`.
    Agent,
    /// Finish provisioning runs a killed app or stampctl left behind, restart local stamp
    /// agents that do not answer, and finish (past the cut-over) or roll back moves.
    /// A provisioning run by a command provider is listed, not run, unless asked.
    Resume {
        /// Also run again the programs that interrupted command-provider runs name (read
        /// the list `resume` prints first: the catalogue may be someone else's).
        #[arg(long)]
        run_commands: bool,
    },
    /// Serve the built UI and the app's commands on loopback, on this catalogue, for a
    /// plain browser (the browser tests; working on the UI). Prints the page's address,
    /// which carries the server's token; runs until stopped.
    ServeUi {
        /// The built UI (`npm run build` in ui/).
        #[arg(long, value_name = "DIR", default_value = "ui/dist")]
        ui: PathBuf,
        /// Loopback address; port 0 picks a free port.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
    },
    /// Tenant moves: list, resume, cancel (start one with `tenant move`).
    Move {
        #[command(subcommand)]
        action: move_cmd::MoveAction,
    },
    /// The routing table (tenant -> stamp endpoint, with its version) as JSON.
    Routes,
    /// Offline planning on the catalogue alone: new, list, show, add, export, import,
    /// rebalance.
    Plan {
        #[command(subcommand)]
        action: plan_cmd::PlanCommand,
    },
    /// Tenants and the stamp each lives on.
    Tenant {
        #[command(subcommand)]
        action: tenant_cmd::TenantAction,
    },
    /// What the map shows: every stamp with its load, per region, and totals
    /// (`-o json` prints the same overview the app loads).
    Overview,
    /// Fill an empty catalogue with the demo fleet (8 stamps, 60 tenants), each stamp a
    /// real local stamp-agent with its tenants provisioned.
    Demo {
        /// Only write the catalogue; start no agents.
        #[arg(long)]
        no_agents: bool,
    },
    /// Write the whole catalogue as one JSON document.
    Export {
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Read a whole catalogue document; validated first, written all or nothing.
    Import {
        /// The document, or - for standard input.
        file: PathBuf,
        /// Replace a catalogue that is not empty.
        #[arg(long)]
        replace: bool,
    },
    /// The catalogue's path, schema and counts, and who this run writes as.
    Info,
    /// Hold every stamp against the catalogue: tenants a stamp serves that the
    /// catalogue does not place there, tenants missing from their stamp, sizes, states,
    /// template versions, endpoints answering as another stamp; `--fix KIND` repairs.
    Reconcile(reconcile_cmd::ReconcileArgs),
    /// Stamp providers configured on this machine (providers.json in the OS config
    /// directory): command and http providers named by new stamps and plans.
    Provider {
        #[command(subcommand)]
        action: provider_cmd::ProviderAction,
    },
    /// Routers fed from the routing table (HAProxy through its admin socket): a
    /// starting configuration, attach, detach, sync, and how far each one is.
    Router {
        #[command(subcommand)]
        action: router_cmd::RouterAction,
    },
    /// The fleet's signing keys: tenant tokens they sign are valid on every stamp.
    FleetKey {
        #[command(subcommand)]
        action: router_cmd::FleetKeyAction,
    },
    /// Template versions: list them (stamps on each, what changed), add one.
    Template {
        #[command(subcommand)]
        action: rollout_cmd::TemplateAction,
    },
    /// Roll a template version across the fleet in waves: plan, start, status, pause,
    /// resume, approve, abort.
    Rollout {
        #[command(subcommand)]
        action: rollout_cmd::RolloutAction,
    },
    /// The audit log, newest first: who changed what, when, through which part of
    /// Stampfleet, and which fields changed.
    Audit(audit_cmd::AuditArgs),
    /// Copy the catalogue (fleet and plans) into a new catalogue file for planning
    /// offline; plans made there are exported (plan export) and applied here later,
    /// with the drift check.
    Snapshot {
        /// The new catalogue file.
        file: PathBuf,
    },
    /// Who may do what on a team catalogue (postgres://...): list, grant.
    Team {
        #[command(subcommand)]
        action: team_cmd::TeamAction,
    },
    /// Stop this catalogue's local stamp agents (their data stays; `resume` restarts them).
    StopAgents,
    /// Start this catalogue's local stamp agents that do not answer, and run every
    /// active stamp that has no endpoint as a local agent (the window's "Start local
    /// stamps").
    StartAgents,
    /// Write a synthetic catalogue document of any size (for benchmarks); touches no catalogue.
    Generate {
        #[arg(long)]
        stamps: u32,
        #[arg(long)]
        tenants: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ListOnly {
    /// List them.
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return fail(
                cli.output,
                &OpsError::internal(format!("cannot start: {e}")),
            )
        }
    };
    let output = cli.output;
    match runtime.block_on(run(cli)) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(output, &e),
    }
}

fn fail(output: Output, e: &OpsError) -> ExitCode {
    match output {
        Output::Json => eprintln!(
            "{}",
            serde_json::json!({ "code": e.code, "message": e.message })
        ),
        Output::Table => eprintln!("stampctl: error: {}", e.message),
    }
    ExitCode::FAILURE
}

async fn run(cli: Cli) -> OpsResult<String> {
    if let Command::Generate {
        stamps,
        tenants,
        seed,
        file,
    } = cli.command
    {
        let regions =
            fleet_core::builtin_regions().map_err(|e| OpsError::internal(e.to_string()))?;
        let doc = fleet_core::synthetic::synthetic_fleet(&regions, stamps, tenants, seed)
            .map_err(OpsError::invalid)?;
        let json =
            serde_json::to_string(&doc).map_err(|e| OpsError::internal(e.to_string()))? + "\n";
        return match file {
            None => Ok(json),
            Some(path) => write_atomically(&path, &json).map(|()| String::new()),
        };
    }
    if let Command::ServeUi { ui, listen } = cli.command {
        return serve_ui(cli.catalogue, ui, listen).await;
    }
    let mut fleet = Fleet::open(&paths::catalogue_path(cli.catalogue)?).await?;
    if let Some(operator) = &cli.operator {
        fleet = fleet.with_operator(operator)?;
    }
    let out = cli.output;
    let text = match cli.command {
        Command::Region {
            action: ListOnly::List,
        } => fleet_cmd::regions(&fleet, out).await?,
        Command::Agent => "stamp agents are run by `stamp-agent` (see `stamp-agent --help`); \
                           `stampctl stamp provision` starts local ones\n"
            .to_owned(),
        Command::StartAgents => fleet_cmd::start_agents(&fleet, out).await?,
        Command::StopAgents => fleet_cmd::stop_agents(&fleet, out).await?,
        Command::Resume { run_commands } => fleet_cmd::resume(&fleet, out, run_commands).await?,
        Command::Stamp { action } => stamp_cmd::run(&fleet, out, action).await?,
        Command::Move { action } => move_cmd::run(&fleet, out, action).await?,
        Command::Routes => move_cmd::routes(&fleet).await?,
        Command::Plan { action } => plan_cmd::run(&fleet, out, action).await?,
        Command::Tenant { action } => tenant_cmd::run(&fleet, out, action).await?,
        Command::Overview => fleet_cmd::overview(&fleet, out).await?,
        Command::Demo { no_agents } => fleet_cmd::demo(&fleet, out, no_agents).await?,
        Command::Export { file } => fleet_cmd::export(&fleet, out, file).await?,
        Command::Import { file, replace } => fleet_cmd::import(&fleet, out, &file, replace).await?,
        Command::Reconcile(args) => reconcile_cmd::run(&fleet, out, args).await?,
        Command::Provider { action } => provider_cmd::run(out, action)?,
        Command::Router { action } => router_cmd::router(&fleet, out, action).await?,
        Command::FleetKey { action } => router_cmd::fleet_key(&fleet, out, action).await?,
        Command::Template { action } => rollout_cmd::template(&fleet, out, action).await?,
        Command::Rollout { action } => rollout_cmd::rollout(&fleet, out, action).await?,
        Command::Audit(args) => audit_cmd::run(&fleet, out, args).await?,
        Command::Team { action } => team_cmd::run(&fleet, out, action).await?,
        Command::Snapshot { file } => fleet_cmd::snapshot(&fleet, out, &file).await?,
        Command::Info => fleet_cmd::info(&fleet, out).await?,
        Command::Generate { .. } | Command::ServeUi { .. } => {
            return Err(OpsError::internal(
                "generate and serve-ui do not open the catalogue here",
            ))
        }
    };
    fleet.close().await;
    Ok(text)
}

pub(crate) fn render<T: Serialize>(
    out: Output,
    value: &T,
    table: impl FnOnce() -> String,
) -> OpsResult<String> {
    match out {
        Output::Table => Ok(table()),
        Output::Json => serde_json::to_string_pretty(value)
            .map(|s| s + "\n")
            .map_err(|e| OpsError::internal(format!("cannot write JSON: {e}"))),
    }
}

pub(crate) fn read_input(file: &PathBuf) -> OpsResult<(String, String)> {
    if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| OpsError::invalid(format!("<stdin>: {e}")))?;
        return Ok(("<stdin>".to_owned(), text));
    }
    let text = std::fs::read_to_string(file)
        .map_err(|e| OpsError::invalid(format!("{}: {e}", file.display())))?;
    Ok((file.display().to_string(), text))
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
pub(crate) fn write_atomically(path: &PathBuf, text: &str) -> OpsResult<()> {
    let tmp = path.with_extension("tmp-stampctl");
    let io = |e: std::io::Error| OpsError::invalid(format!("{}: {e}", path.display()));
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// `stampctl serve-ui`: the catalogue opens on the first call, as in the window, so an
/// unreadable one is shown in the page rather than refused here.
async fn serve_ui(
    catalogue: Option<PathBuf>,
    ui: PathBuf,
    listen: std::net::SocketAddr,
) -> OpsResult<String> {
    if !ui.join("index.html").is_file() {
        return Err(OpsError::invalid(format!(
            "{}: no index.html there; build the UI first (npm run build in ui/)",
            ui.display()
        )));
    }
    let slot = fleet_ops::FleetSlot::new(paths::catalogue_path(catalogue));
    let token = fleet_ops::new_token()?;
    let (listener, addr) = fleet_ops::bind_ui(listen).await?;
    // What the window does at start, finished before the address is printed.
    slot.recover().await;
    println!("serving the UI at http://{addr}/#token={token}");
    fleet_ops::serve_ui(slot, ui, listener, token).await?;
    Ok(String::new())
}
