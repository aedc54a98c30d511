//! `stampctl tenant ...`: list tenants by stamp, region or text; place (a dry run with
//! the explanation) and onboard one tenant.

use clap::Subcommand;
use fleet_core::placement::{Decision, Outcome};
use fleet_core::{RegionId, StampId, TenantId, TenantQuery, TenantView};
use fleet_ops::{Fleet, OnboardTenant, OpsError, OpsResult};

use crate::table::Table;
pub use crate::tenant_args::NewTenantArgs;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum TenantAction {
    /// List tenants and the stamp each lives on, by id.
    List {
        /// Only the tenants on this stamp.
        #[arg(long)]
        stamp: Option<StampId>,
        /// Only the tenants on stamps in this region.
        #[arg(long)]
        region: Option<RegionId>,
        /// Only tenants whose id or name contains this text (ASCII case ignored).
        #[arg(long)]
        search: Option<String>,
        /// At most this many (default: all).
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Where a new tenant would go, and why (writes nothing).
    Place(NewTenantArgs),
    /// Onboard a tenant: provision it on a stamp through the Stamp API and bind it.
    Onboard {
        #[command(flatten)]
        tenant: NewTenantArgs,
        /// Use this stamp (it must pass placement) instead of the proposal.
        #[arg(long, conflicts_with = "new_stamp")]
        stamp: Option<StampId>,
        /// When no stamp fits and placement proposes a new one: provision it as a local
        /// stamp named ID, then onboard the tenant onto it (one journaled operation;
        /// killed midway, `stampctl resume` finishes it).
        #[arg(long, value_name = "ID")]
        new_stamp: Option<StampId>,
    },
    /// Suspend a tenant: its stamp refuses its own requests (403) until it is resumed.
    Suspend {
        id: TenantId,
        /// Why (kept in the catalogue and the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Resume a suspended tenant.
    Resume { id: TenantId },
    /// A token for the tenant's own requests, signed by the fleet's key: valid on
    /// whichever stamp holds the tenant, so it survives moves. Shown once.
    Token {
        id: TenantId,
        /// How long it is valid.
        #[arg(long, default_value_t = 24)]
        ttl_hours: u64,
    },
    /// Offboard a tenant: suspend it, export its data to a file, delete it on its stamp,
    /// remove it from the catalogue (the audit keeps it). Run again to finish a killed one.
    Offboard {
        id: TenantId,
        /// The export file (default: offboarded/ID.json beside the catalogue).
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
    /// Move a tenant to another stamp with no acknowledged write lost (the target must
    /// pass placement); killed midway, `stampctl resume` finishes or rolls it back.
    Move {
        tenant: TenantId,
        #[arg(long)]
        to: StampId,
        /// Confirm a move out of the tenant's region (refused without it).
        #[arg(long)]
        across_regions: bool,
    },
    /// Onboard every tenant of a CSV or JSON file (checked whole first).
    Import {
        file: std::path::PathBuf,
        /// Only check the file and show where each tenant would go.
        #[arg(long)]
        dry_run: bool,
    },
}

fn import_summary(r: &fleet_ops::TenantImportReport, dry_run: bool) -> String {
    let mut out = format!(
        "{} tenant(s): {} to place, {} already onboarded, {} need a new stamp, {} refused\n",
        r.rows, r.to_place, r.already_onboarded, r.need_new_stamp, r.refused
    );
    if !dry_run {
        out.push_str(&format!("onboarded {}\n", r.onboarded));
    }
    for n in &r.new_stamps {
        out.push_str(&format!(
            "new stamps needed: {} x {}@{} in {} for {} tenant(s), {} units\n",
            n.stamps, n.template, n.version, n.region, n.tenants, n.units
        ));
    }
    if !r.problems.is_empty() {
        out.push_str(&format!(
            "{} problem(s), {} blocking the import:\n",
            r.problems.len(),
            r.blocking
        ));
        for p in &r.problems {
            out.push_str(&format!("  {p} ({})\n", problem_kind(p.kind)));
        }
    }
    if dry_run {
        let mut t = Table::new(vec!["LINE", "TENANT", "SIZE", "OUTCOME"]);
        for row in &r.plan {
            let what = match &row.outcome {
                Outcome::Place { stamp, .. } => format!("place on {stamp}"),
                Outcome::Stay { stamp, .. } => format!("already on {stamp}"),
                Outcome::NewStamp { reason, .. } | Outcome::Refuse { reason } => reason.clone(),
            };
            t.row(vec![
                row.line.to_string(),
                row.tenant.to_string(),
                row.size_units.to_string(),
                what,
            ]);
        }
        out.push_str(&t.render());
    }
    out
}

/// A move out of the tenant's region needs `--across-regions`: the refusal names both
/// regions and the distance.
async fn refuse_unconfirmed_crossing(
    fleet: &Fleet,
    tenant: &TenantId,
    to: &StampId,
) -> OpsResult<()> {
    let Some(from) = fleet.tenant(tenant).await?.and_then(|v| v.stamp) else {
        return Ok(()); // Not placed: the move itself says so.
    };
    let overview = fleet.overview().await?;
    let region_of = |stamp: &StampId| {
        let id = &overview
            .stamps
            .iter()
            .find(|s| &s.stamp.id == stamp)?
            .stamp
            .region;
        overview
            .regions
            .iter()
            .find(|r| &r.region.id == id)
            .map(|r| &r.region)
    };
    let (Some(a), Some(b)) = (region_of(&from), region_of(to)) else {
        return Ok(()); // An unknown stamp: the move itself says so.
    };
    if a.id == b.id {
        return Ok(());
    }
    let point = |r: &fleet_core::Region| fleet_core::placement::GeoPoint {
        latitude: r.latitude,
        longitude: r.longitude,
    };
    let km = point(a).distance_km(point(b)).round();
    Err(OpsError::conflict(format!(
        "{tenant} would leave {} ({}) for {} ({}), about {km} km away: pass --across-regions to confirm",
        a.display_name, a.id, b.display_name, b.id
    )))
}

fn problem_kind(kind: fleet_core::tenant_file::ProblemKind) -> &'static str {
    use fleet_core::tenant_file::ProblemKind;
    match kind {
        ProblemKind::Format => "format",
        ProblemKind::Reference => "reference",
        ProblemKind::Conflict => "conflict",
        ProblemKind::Placement => "placement",
    }
}

fn explain(d: &Decision) -> String {
    let mut out = match &d.outcome {
        Outcome::Place { stamp, reason } => format!("place on {stamp}: {reason}\n"),
        Outcome::Stay { stamp, reason } => format!("stays on {stamp}: {reason}\n"),
        Outcome::NewStamp { reason, .. } => format!("new stamp needed: {reason}\n"),
        Outcome::Refuse { reason } => format!("refused: {reason}\n"),
    };
    if !d.ranked.is_empty() {
        let mut t = Table::new(vec![
            "RANK",
            "STAMP",
            "REGION",
            "FROM HOME",
            "FREE AFTER (RESERVE)",
            "UTIL AFTER",
        ]);
        for (i, s) in d.ranked.iter().enumerate() {
            t.row(vec![
                (i + 1).to_string(),
                s.stamp.to_string(),
                s.region.to_string(),
                s.distance_km
                    .map_or("-".to_owned(), |km| format!("{km} km")),
                format!("{} ({})", s.free_after + s.reserve_units, s.reserve_units),
                format!("{}%", s.utilization_after),
            ]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    if !d.rejected.is_empty() {
        out.push_str("\nrejected:\n");
        for r in &d.rejected {
            out.push_str(&format!("  {}: {}\n", r.stamp, r.reason));
        }
    }
    out
}

pub async fn run(fleet: &Fleet, out: Output, action: TenantAction) -> OpsResult<String> {
    match action {
        TenantAction::Suspend { id, reason } => {
            fleet.suspend_tenant(&id, &reason).await?;
            let v = serde_json::json!({ "tenant": id, "suspended": true, "reason": reason });
            render(out, &v, || {
                format!(
                    "tenant {id} suspended: its stamp refuses its requests until it is resumed\n"
                )
            })
        }
        TenantAction::Token { id, ttl_hours } => {
            let issued = fleet
                .issue_tenant_token(&id, ttl_hours.saturating_mul(3600))
                .await?;
            render(out, &issued, || format!("{}\n", issued.token))
        }
        TenantAction::Resume { id } => {
            fleet.resume_tenant(&id).await?;
            let v = serde_json::json!({ "tenant": id, "suspended": false });
            render(out, &v, || format!("tenant {id} resumed\n"))
        }
        TenantAction::Offboard { id, file } => {
            let done = fleet.offboard_tenant(&id, file.as_deref()).await?;
            render(out, &done, || {
                format!(
                    "tenant {id} offboarded: {} key(s) exported to {}\n",
                    done.keys, done.export_file
                )
            })
        }
        TenantAction::List {
            stamp,
            region,
            search,
            limit,
        } => {
            let mut query = TenantQuery {
                stamp,
                region,
                text: search,
                offset: 0,
                limit: TenantQuery::MAX_LIMIT,
            };
            let wanted = limit.unwrap_or(u32::MAX);
            let mut tenants: Vec<TenantView> = Vec::new();
            while (tenants.len() as u32) < wanted {
                query.limit = TenantQuery::MAX_LIMIT.min(wanted - tenants.len() as u32);
                let page = fleet.tenants(&query).await?;
                let got = page.tenants.len() as u32;
                tenants.extend(page.tenants);
                if got < query.limit {
                    break;
                }
                query.offset += got;
            }
            render(out, &tenants, || table(&tenants))
        }
        TenantAction::Import { file, dry_run } => {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file)
                .map_err(|e| OpsError::invalid(format!("{name}: {e}")))?;
            let report = if dry_run {
                fleet.check_tenant_import(&name, &text).await?
            } else {
                fleet
                    .apply_tenant_import(&name, &text, &|p| {
                        eprintln!("{}/{} {}", p.done, p.total, p.message)
                    })
                    .await?
            };
            let text = render(out, &report, || import_summary(&report, dry_run))?;
            match report.stopped {
                Some(reason) if out == Output::Table => {
                    Err(OpsError::conflict(format!("{text}stopped at {reason}")))
                }
                // A check that found problems the apply would refuse: not a success.
                _ if report.blocking > 0 && out == Output::Table => Err(OpsError::invalid(text)),
                _ => Ok(text),
            }
        }
        TenantAction::Move {
            tenant,
            to,
            across_regions,
        } => {
            if !across_regions {
                refuse_unconfirmed_crossing(fleet, &tenant, &to).await?;
            }
            let request = fleet_ops::MoveTenant { tenant, to };
            let done = fleet
                .move_tenant(&request, &|p| {
                    eprintln!(
                        "{:>3}% {} ({} keys, {} bytes copied, lag {})",
                        p.percent, p.phase, p.copied_keys, p.copied_bytes, p.lag
                    )
                })
                .await?;
            render(out, &done, || {
                format!(
                    "{} moved from {} to {} (writes paused {} ms)\n",
                    done.tenant,
                    done.from,
                    done.to,
                    done.freeze_ms.map_or("-".to_owned(), |ms| ms.to_string())
                )
            })
        }
        TenantAction::Place(args) => {
            let decision = fleet.place_tenant(&args.request()?).await?;
            render(out, &decision, || explain(&decision))
        }
        TenantAction::Onboard {
            tenant,
            stamp,
            new_stamp,
        } => {
            let report =
                |p: fleet_ops::OnboardProgress| eprintln!("{:>3}% {}", p.percent, p.message);
            let view = match new_stamp {
                Some(id) => {
                    let request = fleet_ops::ProvisionAndOnboard {
                        place: tenant.request()?,
                        stamp: id,
                    };
                    fleet.provision_and_onboard(&request, &report).await?
                }
                None => {
                    let request = OnboardTenant {
                        place: tenant.request()?,
                        stamp,
                    };
                    fleet.onboard_tenant(&request, &report).await?
                }
            };
            render(out, &view, || {
                format!(
                    "{} lives on {}\n",
                    view.tenant.id,
                    view.stamp
                        .as_ref()
                        .map_or("-".to_owned(), ToString::to_string)
                )
            })
        }
    }
}

fn table(tenants: &[TenantView]) -> String {
    let mut t = Table::new(vec![
        "ID",
        "NAME",
        "TIER",
        "SIZE",
        "ISOLATION",
        "RESIDENCY",
        "STAMP",
    ]);
    for v in tenants {
        t.row(vec![
            v.tenant.id.to_string(),
            v.tenant.display_name.clone(),
            v.tenant.tier.as_str().to_owned(),
            v.tenant.size_units.to_string(),
            v.tenant.isolation.as_str().to_owned() + if v.tenant.pinned { ", pinned" } else { "" },
            v.tenant.residency.describe(),
            v.stamp
                .as_ref()
                .map_or_else(|| "-".to_owned(), ToString::to_string),
        ]);
    }
    t.render()
}
