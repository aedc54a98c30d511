//! `stampctl provider list|add|remove`: the stamp providers this operator configures on
//! this machine (providers.json in the OS config directory), named by new stamps
//! (`stamp provision --provider NAME`), plan AddStamp actions and the window's New
//! stamp dialog. Command providers are added here (the window never names a program).

use clap::Subcommand;
use fleet_ops::operator_providers::{
    operator_providers, providers_file, remove_operator_provider, save_operator_provider,
};
use fleet_ops::{OperatorProvider, OpsError, OpsResult, ProviderConfig};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum ProviderAction {
    /// The configured providers.
    List,
    /// Add (or replace) a provider: a command (the stamp's parameters as JSON on stdin,
    /// it prints {"endpoint", "adminToken"}) or an http provisioning service.
    Add {
        name: String,
        /// The program to run, then its arguments (--arg, repeatable).
        #[arg(long, conflicts_with = "http", required_unless_present = "http")]
        command: Option<String>,
        #[arg(long = "arg", value_name = "ARG", allow_hyphen_values = true)]
        args: Vec<String>,
        #[arg(long, value_name = "URL")]
        http: Option<String>,
        /// How long a provisioning run may take.
        #[arg(long, default_value_t = 1800)]
        timeout: u64,
    },
    /// Remove a provider.
    Remove { name: String },
}

pub fn run(out: Output, action: ProviderAction) -> OpsResult<String> {
    let list = match action {
        ProviderAction::List => operator_providers()?,
        ProviderAction::Add {
            name,
            command,
            args,
            http,
            timeout,
        } => {
            let provider = match (command, http) {
                (Some(program), _) => ProviderConfig::Command {
                    program,
                    args,
                    timeout_secs: timeout,
                },
                (None, Some(url)) => ProviderConfig::Http {
                    url,
                    timeout_secs: timeout,
                },
                (None, None) => {
                    return Err(OpsError::invalid("give --command PROGRAM or --http URL"))
                }
            };
            save_operator_provider(OperatorProvider { name, provider }, false)?
        }
        ProviderAction::Remove { name } => remove_operator_provider(&name)?,
    };
    let file = providers_file()?;
    render(out, &list, || {
        let mut t = Table::new(vec!["NAME", "KIND", "RUNS", "TIMEOUT"]);
        for p in &list {
            let (kind, runs, timeout) = match &p.provider {
                ProviderConfig::Command {
                    program,
                    args,
                    timeout_secs,
                } => (
                    "command",
                    format!("{program} {}", args.join(" ")).trim().to_owned(),
                    *timeout_secs,
                ),
                ProviderConfig::Http { url, timeout_secs } => ("http", url.clone(), *timeout_secs),
                ProviderConfig::Local => ("local", String::new(), 0),
            };
            t.row(vec![
                p.name.clone(),
                kind.to_owned(),
                runs,
                format!("{timeout} s"),
            ]);
        }
        format!("{}(kept in {})\n", t.render(), file.display())
    })
}
