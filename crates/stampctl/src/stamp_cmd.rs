//! `stampctl stamp ...`: list, provision, adopt, show, drain, retire.

use clap::Subcommand;
use fleet_ops::{Fleet, OpsError, OpsResult};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum StampAction {
    /// List stamps with their capacity and status.
    List,
    /// Provision a new local stamp from a template and wait until it is healthy.
    Provision {
        id: fleet_core::StampId,
        #[arg(long)]
        region: fleet_core::RegionId,
        #[arg(long)]
        template: fleet_core::TemplateName,
        #[arg(long = "version")]
        template_version: String,
        /// Capacity units (default: the template's).
        #[arg(long)]
        capacity: Option<u32>,
        /// Create it by running this command (e.g. "tofu apply ..."): the stamp's
        /// parameters arrive as JSON on stdin; it prints {"endpoint", "adminToken"}.
        #[arg(long, value_name = "COMMAND", conflicts_with = "provider_http")]
        provider_command: Option<String>,
        /// Create it by POSTing to this provisioning service and polling its operation.
        #[arg(long, value_name = "URL")]
        provider_http: Option<String>,
        /// How long the command or http provider may take.
        #[arg(long, default_value_t = 1800)]
        provider_timeout: u64,
        /// Create it with the provider of this name (`stampctl provider list`).
        #[arg(long, value_name = "NAME", conflicts_with_all = ["provider_command", "provider_http"])]
        provider: Option<String>,
    },
    /// Adopt a stamp Stampfleet did not create (or many, with --file): it must answer
    /// as that stamp; its token goes to the secret store; the tenants it holds are
    /// bound to it, and any the catalogue knows otherwise are reported, not changed.
    Adopt(crate::adopt_cmd::AdoptArgs),
    /// A stamp's record and its live health.
    Show { id: fleet_core::StampId },
    /// Every active or draining stamp's health (asked now, or from the cache with
    /// --max-age), how old each answer is, and why one cannot be asked.
    Health {
        /// Healthy answers up to this many seconds old come from the health cache (the
        /// app's watcher keeps it fresh); by default every stamp is asked now.
        #[arg(long, default_value_t = 0)]
        max_age: u64,
    },
    /// Store a stamp's admin token (read from FILE, `-` for standard input) once the
    /// stamp has accepted it.
    Token {
        id: fleet_core::StampId,
        #[arg(long, value_name = "FILE")]
        token_file: std::path::PathBuf,
    },
    /// Stop placing tenants on a stamp and move every tenant off it (targets chosen by
    /// placement), several moves at once.
    Drain {
        id: fleet_core::StampId,
        /// Moves at a time.
        #[arg(long, default_value_t = 4)]
        concurrency: u32,
        /// Only mark it draining; move nobody.
        #[arg(long)]
        no_moves: bool,
        /// Keep this tenant on the stamp (repeatable).
        #[arg(long = "keep", value_name = "TENANT")]
        keep: Vec<fleet_core::TenantId>,
    },
    /// Retire an empty stamp.
    Retire { id: fleet_core::StampId },
}

pub async fn run(fleet: &Fleet, out: Output, action: StampAction) -> OpsResult<String> {
    Ok(match action {
        StampAction::Provision {
            id,
            region,
            template,
            template_version,
            capacity,
            provider_command,
            provider_http,
            provider_timeout,
            provider,
        } => {
            let version =
                fleet_core::TemplateVersion::new(template_version).map_err(OpsError::invalid)?;
            let request = fleet_ops::NewStamp {
                id,
                region,
                template,
                template_version: version,
                capacity_units: capacity,
                provider: match (provider_command, provider_http) {
                    (Some(command), _) => {
                        let mut words = command.split_whitespace().map(str::to_owned);
                        let program = words
                            .next()
                            .ok_or_else(|| OpsError::invalid("--provider-command is empty"))?;
                        fleet_ops::ProviderConfig::Command {
                            program,
                            args: words.collect(),
                            timeout_secs: provider_timeout,
                        }
                    }
                    (None, Some(url)) => fleet_ops::ProviderConfig::Http {
                        url,
                        timeout_secs: provider_timeout,
                    },
                    (None, None) => fleet_ops::ProviderConfig::Local,
                },
                provider_name: provider,
            };
            let quiet = out == Output::Json;
            let stamp = fleet
                .provision_stamp(&request, &move |p| {
                    if !quiet {
                        eprintln!("[{:>3}%] {}: {}", p.percent, p.step, p.message);
                    }
                })
                .await?;
            render(out, &stamp, || {
                format!(
                    "stamp {} is {} at {}\n",
                    stamp.id,
                    stamp.status.as_str(),
                    stamp.endpoint.as_deref().unwrap_or("-")
                )
            })?
        }
        StampAction::Show { id } => {
            let view = fleet.stamp_detail(&id).await?;
            render(out, &view, || {
                let s = &view.stamp.stamp;
                format!(
                    "stamp      {}\nregion     {}\ntemplate   {}@{}\nstatus     {}\nendpoint   {}\ntenants    {}\ncapacity   {}/{} units\nhealth     {}\n{}",
                    s.id, s.region, s.template, s.template_version, s.status.as_str(),
                    s.endpoint.as_deref().unwrap_or("-"), view.stamp.tenant_count,
                    view.stamp.capacity.used_units, view.stamp.capacity.total_units, view.health.describe(),
                    view.failure.as_ref().map(|f| format!("failure    {f}\n")).unwrap_or_default()
                )
            })?
        }
        StampAction::Health { max_age } => {
            let checks = fleet
                .fleet_health(std::time::Duration::from_secs(max_age))
                .await?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            render(out, &checks, || {
                let mut table = Table::new(vec!["STAMP", "HEALTH", "CHECKED"]);
                for check in &checks {
                    table.row(vec![
                        check.stamp.to_string(),
                        check.describe(),
                        format!("{} s ago", now.saturating_sub(check.checked_at)),
                    ]);
                }
                table.render()
            })?
        }
        StampAction::Adopt(args) => crate::adopt_cmd::run(fleet, out, args).await?,
        StampAction::Token { id, token_file } => {
            let token = if token_file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
            } else {
                std::fs::read_to_string(&token_file)
            }
            .map_err(|e| OpsError::invalid(format!("{}: {e}", token_file.display())))?;
            fleet.set_stamp_token(&id, &token).await?;
            render(out, &serde_json::json!({ "stamp": id }), || {
                format!("token for stamp {id} checked against the stamp and stored\n")
            })?
        }
        StampAction::Drain {
            id, no_moves: true, ..
        } => {
            let stamp = fleet
                .set_stamp_status(&id, fleet_core::StampStatus::Draining)
                .await?;
            render(out, &stamp, || format!("stamp {} is draining\n", stamp.id))?
        }
        StampAction::Drain {
            id,
            concurrency,
            keep,
            ..
        } => {
            let request = fleet_ops::DrainStamp {
                stamp: id,
                concurrency: Some(concurrency),
                keep,
            };
            let done = fleet
                .drain_stamp(&request, &|p| {
                    let total = p.items.len();
                    eprintln!(
                        "{}/{total} moved, {} failed, {} stay",
                        p.moved, p.failed, p.stays
                    );
                })
                .await?;
            let text = render(out, &done, || {
                let mut t = Table::new(vec!["TENANT", "TO", "STATE", "MESSAGE"]);
                for i in &done.items {
                    t.row(vec![
                        i.tenant.to_string(),
                        i.to.as_ref().map_or("-".to_owned(), ToString::to_string),
                        i.state.clone(),
                        i.message.clone(),
                    ]);
                }
                format!(
                    "{}{} moved, {} failed, {} stay on {}\n",
                    t.render(),
                    done.moved,
                    done.failed,
                    done.stays,
                    done.stamp
                )
            })?;
            if done.failed > 0 && out == Output::Table {
                return Err(fleet_ops::OpsError::conflict(format!(
                    "{text}some moves failed"
                )));
            }
            text
        }
        StampAction::Retire { id } => {
            let stamp = fleet
                .set_stamp_status(&id, fleet_core::StampStatus::Retired)
                .await?;
            render(out, &stamp, || format!("stamp {} is retired\n", stamp.id))?
        }
        StampAction::List => {
            let stamps = fleet.overview().await?.stamps;
            render(out, &stamps, || {
                let mut t = Table::new(vec![
                    "ID", "REGION", "TEMPLATE", "STATUS", "TENANTS", "USED", "TOTAL", "UTIL",
                ]);
                for s in &stamps {
                    t.row(vec![
                        s.stamp.id.to_string(),
                        s.stamp.region.to_string(),
                        format!(
                            "{}@{}{}",
                            s.stamp.template,
                            s.stamp.template_version,
                            if s.template_outdated {
                                " (outdated)"
                            } else {
                                ""
                            }
                        ),
                        s.stamp.status.as_str().to_owned(),
                        s.tenant_count.to_string(),
                        s.capacity.used_units.to_string(),
                        s.capacity.total_units.to_string(),
                        format!("{:.0}%", s.capacity.utilization() * 100.0),
                    ]);
                }
                t.render()
            })?
        }
    })
}
