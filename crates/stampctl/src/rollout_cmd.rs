//! `stampctl template list|add` and `stampctl rollout plan|start|status|pause|resume|
//! approve|abort`: template versions and rollouts of them across the fleet.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use fleet_core::rollout::{MaintenanceWindow, RingBy, RolloutSpec, WaveOptions};
use fleet_core::{RegionId, TemplateName, TemplateVersion, Tier};
use fleet_ops::{
    Fleet, NewTemplateVersion, OpsError, OpsResult, ProposeRollout, RolloutClock, RolloutView,
};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum TemplateAction {
    /// Every template version: stamps running it, and what changed from the one before.
    List,
    /// Add a version of a template: a copy of --based-on (default: the newest) with changes.
    Add {
        template: String,
        version: String,
        #[arg(long)]
        based_on: Option<String>,
        #[arg(long)]
        capacity: Option<u32>,
        /// Tiers served, comma-separated (free,standard,premium,enterprise).
        #[arg(long, value_delimiter = ',')]
        tiers: Option<Vec<String>>,
        #[arg(long)]
        description: Option<String>,
        /// What this version changes.
        #[arg(long, default_value = "")]
        notes: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Ring {
    Region,
    Provider,
    Geography,
}

/// How a rollout is proposed.
#[derive(Args)]
pub struct ProposeArgs {
    #[arg(long)]
    template: String,
    /// The version to roll out.
    #[arg(long)]
    version: String,
    #[arg(long, value_enum, default_value = "region")]
    ring_by: Ring,
    /// Rings after the canary.
    #[arg(long, default_value_t = 2)]
    rings: u32,
    /// Stamps upgraded at once within a wave.
    #[arg(long, default_value_t = 2)]
    parallelism: u32,
    /// No canary wave of one stamp first.
    #[arg(long)]
    no_canary: bool,
    /// Seconds each wave bakes before the next.
    #[arg(long, default_value_t = 60)]
    bake: u32,
    /// Wait for `stampctl rollout approve` before each next wave.
    #[arg(long)]
    approval: bool,
    /// Health gate: the highest share of failed tenant requests (0 to 1).
    #[arg(long, default_value_t = 0.05)]
    max_error_rate: f64,
    /// A region's maintenance window in its local time: REGION=HH:MM-HH:MM, optionally
    /// @OFFSET_MINUTES from UTC (default: the region's longitude, whole hours). Repeatable.
    #[arg(long = "window", value_name = "REGION=HH:MM-HH:MM[@OFFSET]")]
    windows: Vec<String>,
}

#[derive(Subcommand)]
pub enum RolloutAction {
    /// Propose waves (a canary, then rings); --out writes the spec to start later.
    Plan {
        #[command(flatten)]
        propose: ProposeArgs,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Start a rollout (from --spec, else proposed from the options) and run it until
    /// it is done, halts, pauses or waits for approval.
    Start {
        #[arg(long, conflicts_with = "template")]
        spec: Option<PathBuf>,
        #[command(flatten)]
        propose: Option<ProposeArgs>,
    },
    /// A rollout (the newest when no id is given): its waves and each stamp's state.
    Status { id: Option<i64> },
    /// Stop before the next step; resume goes on.
    Pause { id: i64 },
    /// Go on with a paused rollout (or one a killed run left).
    Resume { id: i64 },
    /// Approve the next wave and run on.
    Approve { id: i64 },
    /// Stop for good; upgraded stamps keep their version.
    Abort { id: i64 },
}

fn parse<T>(what: &str, value: &str, f: impl FnOnce(&str) -> Result<T, String>) -> OpsResult<T> {
    f(value).map_err(|e| OpsError::invalid(format!("{what}: {e}")))
}

async fn window(fleet: &Fleet, text: &str) -> OpsResult<MaintenanceWindow> {
    let bad = || {
        OpsError::invalid(format!(
            "--window {text:?}: expected REGION=HH:MM-HH:MM[@OFFSET]"
        ))
    };
    let (region, rest) = text.split_once('=').ok_or_else(bad)?;
    let (span, offset) = match rest.split_once('@') {
        Some((span, o)) => (span, Some(o.parse::<i32>().map_err(|_| bad())?)),
        None => (rest, None),
    };
    let (start, end) = span.split_once('-').ok_or_else(bad)?;
    let region = parse("--window", region, |r| {
        RegionId::new(r).map_err(|e| e.to_string())
    })?;
    let known = fleet.regions().await?;
    let r = known
        .iter()
        .find(|k| k.id == region)
        .ok_or_else(|| OpsError::invalid(format!("--window {text:?}: no region {region}")))?;
    Ok(MaintenanceWindow {
        utc_offset_minutes: offset
            .unwrap_or_else(|| MaintenanceWindow::default_offset(r.longitude)),
        region,
        start: start.to_owned(),
        end: end.to_owned(),
    })
}

async fn propose(fleet: &Fleet, a: &ProposeArgs) -> OpsResult<RolloutSpec> {
    let mut windows = Vec::new();
    for w in &a.windows {
        windows.push(window(fleet, w).await?);
    }
    let request = ProposeRollout {
        template: parse("--template", &a.template, |t| {
            TemplateName::new(t).map_err(|e| e.to_string())
        })?,
        target_version: parse("--version", &a.version, |v| TemplateVersion::new(v))?,
        waves: WaveOptions {
            ring_by: match a.ring_by {
                Ring::Region => RingBy::Region,
                Ring::Provider => RingBy::Provider,
                Ring::Geography => RingBy::Geography,
            },
            rings: a.rings,
            parallelism: a.parallelism,
            canary: !a.no_canary,
        },
        bake_secs: a.bake,
        approval: a.approval,
        max_error_rate: a.max_error_rate,
        windows,
    };
    fleet.propose_rollout(&request).await
}

pub async fn template(fleet: &Fleet, out: Output, action: TemplateAction) -> OpsResult<String> {
    match action {
        TemplateAction::List => {
            let versions = fleet.template_versions().await?;
            render(out, &versions, || {
                let mut t = Table::new(vec![
                    "TEMPLATE", "VERSION", "STAMPS", "CAPACITY", "CHANGES", "NOTES",
                ]);
                for v in &versions {
                    t.row(vec![
                        v.template.name.to_string(),
                        format!(
                            "{}{}",
                            v.template.version,
                            if v.newest { " (newest)" } else { "" }
                        ),
                        v.stamps.to_string(),
                        v.template.capacity_units.to_string(),
                        v.changes.join("; "),
                        v.template.release_notes.clone(),
                    ]);
                }
                t.render()
            })
        }
        TemplateAction::Add {
            template,
            version,
            based_on,
            capacity,
            tiers,
            description,
            notes,
        } => {
            let tiers = tiers
                .map(|list| {
                    list.iter()
                        .map(|t| {
                            Tier::parse(t).ok_or_else(|| {
                                OpsError::invalid(format!("--tiers: unknown tier {t:?}"))
                            })
                        })
                        .collect::<OpsResult<Vec<_>>>()
                })
                .transpose()?;
            let request = NewTemplateVersion {
                template: parse("template", &template, |t| {
                    TemplateName::new(t).map_err(|e| e.to_string())
                })?,
                version: parse("version", &version, |v| TemplateVersion::new(v))?,
                based_on: based_on
                    .map(|v| parse("--based-on", &v, |v| TemplateVersion::new(v)))
                    .transpose()?,
                capacity_units: capacity,
                tiers,
                description,
                release_notes: notes,
            };
            let made = fleet.add_template_version(&request).await?;
            render(out, &made, || {
                format!("added template {}@{}\n", made.name, made.version)
            })
        }
    }
}

/// Prints each step of a running rollout (to standard error), as it happens.
fn narrate(view: RolloutView) {
    let (done, total) = view.state.progress();
    eprintln!(
        "[{done}/{total}] {:?}: {}",
        view.state.phase, view.state.reason
    );
}

pub async fn rollout(fleet: &Fleet, out: Output, action: RolloutAction) -> OpsResult<String> {
    let clock = RolloutClock::default();
    let view = match action {
        RolloutAction::Plan {
            propose: args,
            out: file,
        } => {
            let spec = propose(fleet, &args).await?;
            if let Some(path) = file {
                let text = serde_json::to_string_pretty(&spec)
                    .map_err(|e| OpsError::internal(e.to_string()))?;
                std::fs::write(&path, text + "\n")
                    .map_err(|e| OpsError::invalid(format!("{}: {e}", path.display())))?;
            }
            return render(out, &spec, || describe_spec(&spec));
        }
        RolloutAction::Start {
            spec,
            propose: args,
        } => {
            let spec = match (spec, args) {
                (Some(path), _) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| OpsError::invalid(format!("{}: {e}", path.display())))?;
                    serde_json::from_str::<RolloutSpec>(&text).map_err(|e| {
                        OpsError::invalid(format!(
                            "{}: line {}, column {}: {e}",
                            path.display(),
                            e.line(),
                            e.column()
                        ))
                    })?
                }
                (None, Some(args)) => propose(fleet, &args).await?,
                (None, None) => {
                    return Err(OpsError::invalid(
                        "give --spec FILE or --template and --version",
                    ))
                }
            };
            fleet.start_rollout(&spec, &clock, &narrate).await?
        }
        RolloutAction::Status { id } => match id {
            Some(id) => fleet.rollout(id).await?,
            None => fleet
                .rollouts(1)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| OpsError::invalid("no rollout yet"))?,
        },
        RolloutAction::Pause { id } => fleet.pause_rollout(id).await?,
        RolloutAction::Resume { id } => fleet.resume_rollout(id, &clock, &narrate).await?,
        RolloutAction::Approve { id } => fleet.approve_rollout(id, &clock, &narrate).await?,
        RolloutAction::Abort { id } => fleet.abort_rollout(id).await?,
    };
    render(out, &view, || describe(&view))
}

fn describe_spec(spec: &RolloutSpec) -> String {
    let mut text = format!("{}\n", spec.describe());
    for (i, w) in spec.waves.iter().enumerate() {
        let stamps: Vec<&str> = w.stamps.iter().map(|s| s.as_str()).collect();
        text.push_str(&format!(
            "wave {}: {} (parallelism {}): {}\n",
            i + 1,
            w.name,
            w.parallelism,
            stamps.join(", ")
        ));
    }
    text.push_str(&format!(
        "bake {} s, health gate: healthy and error rate <= {:.1}%{}\n",
        spec.bake_secs,
        spec.max_error_rate * 100.0,
        if spec.approval {
            ", approval before each wave"
        } else {
            ""
        }
    ));
    for w in &spec.windows {
        text.push_str(&format!(
            "window {}: {}-{} (UTC{:+})\n",
            w.region,
            w.start,
            w.end,
            f64::from(w.utc_offset_minutes) / 60.0
        ));
    }
    text
}

fn describe(view: &RolloutView) -> String {
    let (done, total) = view.state.progress();
    let mut text = format!(
        "rollout {} of {}@{}: {:?} ({done}/{total} upgraded), wave {} of {}\n",
        view.id,
        view.state.spec.template,
        view.state.spec.target_version,
        view.state.phase,
        (view.state.wave + 1).min(view.state.spec.waves.len() as u32),
        view.state.spec.waves.len()
    );
    if !view.state.reason.is_empty() {
        text.push_str(&format!("{}\n", view.state.reason));
    }
    let mut t = Table::new(vec!["WAVE", "STAMP", "REGION", "FROM", "STATE", "DETAIL"]);
    for s in &view.state.stamps {
        t.row(vec![
            (s.wave + 1).to_string(),
            s.stamp.to_string(),
            s.region.to_string(),
            s.from_version.to_string(),
            format!("{:?}", s.state).to_lowercase(),
            s.message.clone(),
        ]);
    }
    text.push_str(&t.render());
    text
}
