//! `stampctl stamp adopt`: bring stamps Stampfleet did not create into the catalogue,
//! one from flags or many from a CSV file.

use std::path::PathBuf;

use clap::Args;
use fleet_ops::{read_adopt_file, AdoptReport, AdoptStamp, Fleet, OpsError, OpsResult};

use crate::{render, Output};

/// Stamps adopted at once from a file.
const CONCURRENCY: usize = 16;

#[derive(Args)]
pub struct AdoptArgs {
    /// The stamp's id (as its health reports it).
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    id: Option<fleet_core::StampId>,
    #[arg(long, required_unless_present = "file")]
    region: Option<fleet_core::RegionId>,
    #[arg(long, required_unless_present = "file")]
    template: Option<fleet_core::TemplateName>,
    /// The template version the stamp runs (as its health reports it).
    #[arg(long = "version", required_unless_present = "file")]
    template_version: Option<String>,
    /// The stamp's API base URL.
    #[arg(long, required_unless_present = "file")]
    endpoint: Option<String>,
    /// A file holding the stamp's admin token (first line).
    #[arg(long, value_name = "FILE", required_unless_present = "file")]
    token_file: Option<PathBuf>,
    /// Adopt every stamp of a CSV file (columns id,region,template,version,endpoint,
    /// token_file; token files relative to the CSV's directory), several at once.
    #[arg(long, value_name = "CSV")]
    file: Option<PathBuf>,
}

pub async fn run(fleet: &Fleet, out: Output, args: AdoptArgs) -> OpsResult<String> {
    if let Some(file) = &args.file {
        return adopt_file(fleet, out, file).await;
    }
    let missing = || {
        OpsError::invalid("give the stamp's id, --region, --template, --version, --endpoint and --token-file, or --file")
    };
    let token_file = args.token_file.ok_or_else(missing)?;
    let token = std::fs::read_to_string(&token_file)
        .map_err(|e| OpsError::invalid(format!("{}: {e}", token_file.display())))?;
    let request = AdoptStamp {
        id: args.id.ok_or_else(missing)?,
        region: args.region.ok_or_else(missing)?,
        template: args.template.ok_or_else(missing)?,
        template_version: fleet_core::TemplateVersion::new(
            args.template_version.ok_or_else(missing)?,
        )
        .map_err(OpsError::invalid)?,
        endpoint: args.endpoint.ok_or_else(missing)?,
        token: token.lines().next().unwrap_or_default().to_owned(),
    };
    let report = fleet.adopt_stamp(&request).await?;
    render(out, &report, || describe(&report))
}

async fn adopt_file(fleet: &Fleet, out: Output, file: &PathBuf) -> OpsResult<String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| OpsError::invalid(format!("{}: {e}", file.display())))?;
    let base = file.parent().unwrap_or(std::path::Path::new("."));
    let stamps = read_adopt_file(&file.display().to_string(), &text, base)?;
    let outcomes = fleet
        .adopt_stamps(&stamps, CONCURRENCY, &|o| {
            let what = match (&o.report, &o.error) {
                (Some(r), _) => format!(
                    "adopted ({} tenants, {} conflicts)",
                    r.added.len() + r.bound.len(),
                    r.conflicts.len()
                ),
                (None, Some(e)) => format!("NOT adopted: {e}"),
                (None, None) => String::new(),
            };
            eprintln!("[{}/{}] {}: {what}", o.done, o.total, o.stamp);
        })
        .await;
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    let text = render(out, &outcomes, || {
        let mut text = String::new();
        for o in outcomes.iter().filter_map(|o| o.report.as_ref()) {
            text.push_str(&describe(o));
        }
        text.push_str(&format!(
            "{} of {} stamps adopted\n",
            outcomes.len() - failed,
            outcomes.len()
        ));
        text
    })?;
    if failed > 0 {
        print!("{text}");
        return Err(OpsError::conflict(format!(
            "{failed} stamp(s) not adopted (each one's reason is above)"
        )));
    }
    Ok(text)
}

fn describe(r: &AdoptReport) -> String {
    let mut text = format!(
        "stamp {} adopted: {} tenant(s) added, {} known tenant(s) bound, {} conflict(s)\n",
        r.stamp.id,
        r.added.len(),
        r.bound.len(),
        r.conflicts.len()
    );
    if !r.added.is_empty() {
        text.push_str(
            "  added tenants are recorded as tier standard, residency anywhere: review them\n",
        );
    }
    for c in &r.conflicts {
        text.push_str(&format!("  conflict: {}: {}\n", c.tenant, c.problem));
    }
    text
}
