//! `stampctl reconcile`: hold every stamp against the catalogue, and repair what was
//! found when asked.

use clap::{Args, ValueEnum};
use fleet_ops::{DriftFinding, DriftKind, Fleet, OpsError, OpsResult};
use serde::Serialize;

use crate::table::Table;
use crate::{render, Output};

#[derive(Args)]
pub struct ReconcileArgs {
    /// Repair the findings of this kind that have a repair (repeatable).
    #[arg(long, value_enum, value_name = "KIND")]
    fix: Vec<FixKind>,
    /// Ignore a finding (KIND:STAMP, or KIND:STAMP:TENANT) from now on, while what
    /// differs stays the same; needs --reason (repeatable).
    #[arg(long, value_name = "KIND:STAMP[:TENANT]", requires = "reason")]
    ignore: Vec<String>,
    /// Why the findings given with --ignore are ignored.
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FixKind {
    /// Adopt tenants a stamp serves that the catalogue does not place.
    Orphan,
    /// Provision again (empty) tenants the catalogue places on a stamp that lacks them.
    Missing,
    /// Record the size a stamp gives a tenant.
    Size,
    /// Record the template version a stamp reports.
    Version,
    /// Every repair there is.
    All,
}

impl FixKind {
    fn covers(self, kind: DriftKind) -> bool {
        matches!(
            (self, kind),
            (FixKind::All, _)
                | (FixKind::Orphan, DriftKind::Orphan)
                | (FixKind::Missing, DriftKind::Missing)
                | (FixKind::Size, DriftKind::Size)
                | (FixKind::Version, DriftKind::Version)
        )
    }
}

/// A repair tried, and how it went.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Repair {
    finding: DriftFinding,
    done: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    stamps_checked: u32,
    findings: Vec<DriftFinding>,
    ignored: Vec<fleet_ops::catalogue::DriftIgnore>,
    repairs: Vec<Repair>,
}

pub async fn run(fleet: &Fleet, out: Output, args: ReconcileArgs) -> OpsResult<String> {
    let mut report = fleet.reconcile().await?;
    if !args.ignore.is_empty() {
        let reason = args.reason.clone().unwrap_or_default();
        for spec in &args.ignore {
            let mut parts = spec.splitn(3, ':');
            let (kind, stamp, tenant) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next(),
            );
            let finding = report
                .findings
                .iter()
                .find(|f| {
                    f.kind.as_str() == kind
                        && f.stamp.as_str() == stamp
                        && f.tenant.as_deref() == tenant
                })
                .cloned()
                .ok_or_else(|| {
                    OpsError::invalid(format!(
                        "--ignore {spec}: no such finding now (KIND:STAMP[:TENANT])"
                    ))
                })?;
            fleet.ignore_drift(&finding, &reason).await?;
        }
        report = fleet.reconcile().await?;
    }
    let mut repairs = Vec::new();
    for finding in report
        .findings
        .iter()
        .filter(|f| f.repair.is_some() && args.fix.iter().any(|k| k.covers(f.kind)))
    {
        let (done, error) = match fleet.repair_drift(finding).await {
            Ok(what) => (Some(what), None),
            Err(e) => (None, Some(e.message)),
        };
        repairs.push(Repair {
            finding: finding.clone(),
            done,
            error,
        });
    }
    let failed = repairs.iter().filter(|r| r.error.is_some()).count();
    let outcome = Outcome {
        stamps_checked: report.stamps_checked,
        findings: report.findings,
        ignored: report.ignored,
        repairs,
    };
    let text = render(out, &outcome, || describe(&outcome))?;
    if failed > 0 {
        print!("{text}");
        return Err(OpsError::conflict(format!(
            "{failed} repair(s) failed (each one's reason is above)"
        )));
    }
    Ok(text)
}

fn describe(o: &Outcome) -> String {
    let mut text = format!(
        "{} stamp(s) checked, {} finding(s)\n",
        o.stamps_checked,
        o.findings.len()
    );
    if !o.findings.is_empty() {
        let mut t = Table::new(vec!["KIND", "STAMP", "TENANT", "DETAIL", "REPAIR"]);
        for f in &o.findings {
            t.row(vec![
                serde_json::to_value(f.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                f.stamp.to_string(),
                f.tenant.clone().unwrap_or_else(|| "-".to_owned()),
                f.detail.clone(),
                f.repair
                    .clone()
                    .unwrap_or_else(|| "needs a person".to_owned()),
            ]);
        }
        text.push_str(&t.render());
    }
    for i in &o.ignored {
        let tenant = if i.tenant.is_empty() {
            String::new()
        } else {
            format!(" {}", i.tenant)
        };
        text.push_str(&format!(
            "ignored: {} {}{tenant}: {} (by {}, {})\n",
            i.kind, i.stamp, i.reason, i.actor, i.ignored_at
        ));
    }
    for r in &o.repairs {
        match (&r.done, &r.error) {
            (Some(done), _) => text.push_str(&format!("repaired: {done}\n")),
            (None, Some(e)) => text.push_str(&format!(
                "NOT repaired ({} on {}): {e}\n",
                r.finding.tenant.as_deref().unwrap_or("-"),
                r.finding.stamp
            )),
            (None, None) => {}
        }
    }
    text
}
