//! Tenant files for bulk onboarding: CSV (a header row, then one tenant per line) or
//! JSON (an array of tenant objects). Every row is checked before anything is used, and
//! every problem is reported with its line and field.
//!
//! CSV columns: `id,name,tier,size,countries,geographies,regions,isolation,preferred`
//! and optionally `group` (lists separated by `;`; all but id, name and size may be empty
//! or left out; quotes as RFC 4180).

mod csv;
mod json;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::ids::{RegionId, TenantId};
use crate::region::Region;
use crate::template::Isolation;
use crate::tenant::{Residency, Tenant, Tier};

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// At most this many tenants per file.
pub const MAX_ROWS: usize = 200_000;
/// Reading stops after this many problems (a file of nothing but bad lines would
/// otherwise collect one per line, millions of them).
pub const MAX_ERRORS: usize = 1_000;

/// Whether reading should stop here; if so, the last error says where it stopped.
fn stop_reading(errors: &mut Vec<RowError>, line: u32) -> bool {
    if errors.len() < MAX_ERRORS {
        return false;
    }
    errors.push(RowError {
        kind: ProblemKind::Format,
        line,
        field: "file".to_owned(),
        message: format!(
            "stopped reading at line {line} after {MAX_ERRORS} problems; fix these and check the file again"
        ),
    });
    true
}
/// One tenant from a file, with the line it came from.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantFileRow {
    pub line: u32,
    pub tenant: Tenant,
    pub preferred_regions: Vec<RegionId>,
}

/// A problem with one field of one row.
/// What kind of problem a row has; a check reports every kind at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ProblemKind {
    /// The file or a field is malformed (syntax, a missing column, a bad value).
    Format,
    /// A field names something the catalogue does not have (a region).
    Reference,
    /// The tenant already exists with other data.
    Conflict,
    /// Placement cannot put the tenant on any stamp today (the message says the next step).
    Placement,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub kind: ProblemKind,
    pub line: u32,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}
/// Raw values of one row, before checking.
struct RawRow<'a> {
    line: u32,
    id: &'a str,
    name: &'a str,
    tier: &'a str,
    size: Result<u64, String>,
    /// The residency as far as it parses, and the problems of its fields.
    residency: (Residency, Vec<(String, String)>),
    isolation: &'a str,
    preferred: Vec<&'a str>,
    group: &'a str,
}

/// Checks one row; `seen` maps each id met so far to its first line.
fn check_row(
    raw: RawRow<'_>,
    known: &HashSet<&str>,
    seen: &mut HashMap<String, u32>,
    errors: &mut Vec<RowError>,
) -> Option<TenantFileRow> {
    let before = errors.len();
    let mut err = |field: &str, message: String| {
        errors.push(RowError {
            kind: ProblemKind::Format,
            line: raw.line,
            field: field.to_owned(),
            message,
        })
    };
    if let Some(first) = seen.get(raw.id) {
        err(
            "id",
            format!("{} appears again (first on line {first})", raw.id),
        );
    } else {
        seen.insert(raw.id.to_owned(), raw.line);
    }
    let id = TenantId::new(raw.id)
        .map_err(|e| err("id", e.to_string()))
        .ok();
    if raw.name.trim().is_empty() {
        err("name", "must not be empty".to_owned());
    }
    let tier = Tier::parse(raw.tier.trim());
    if tier.is_none() {
        err(
            "tier",
            format!(
                "unknown tier {:?} (free, standard, premium, enterprise)",
                raw.tier
            ),
        );
    }
    let size = match raw.size {
        Ok(0) => {
            err("size", "must be greater than 0".to_owned());
            None
        }
        Ok(n) => u32::try_from(n)
            .map_err(|_| err("size", format!("{n} is too large")))
            .ok(),
        Err(e) => {
            err("size", e);
            None
        }
    };
    let (residency, problems) = raw.residency;
    for (field, message) in problems {
        err(&field, message);
    }
    // Names of regions the catalogue does not have: reference problems, not format.
    let mut unknown: Vec<(&str, String)> = Vec::new();
    for region in &residency.regions {
        if !known.contains(region.as_str()) {
            unknown.push(("regions", format!("unknown region {region}")));
        }
    }
    if raw.group.trim().len() > 100 {
        err("group", "must be at most 100 characters".to_owned());
    }
    let isolation = Isolation::parse(raw.isolation.trim());
    if isolation.is_none() {
        err(
            "isolation",
            format!("unknown isolation {:?} (shared, dedicated)", raw.isolation),
        );
    }
    let mut preferred = Vec::new();
    for p in raw.preferred {
        match RegionId::new(p) {
            Ok(r) if known.contains(r.as_str()) => preferred.push(r),
            Ok(_) => unknown.push(("preferred", format!("unknown region {p}"))),
            Err(_) => err("preferred", format!("unknown region {p}")),
        }
    }
    for (field, message) in unknown {
        errors.push(RowError {
            kind: ProblemKind::Reference,
            line: raw.line,
            field: field.to_owned(),
            message,
        });
    }
    if errors.len() > before {
        return None;
    }
    Some(TenantFileRow {
        line: raw.line,
        tenant: Tenant {
            id: id?,
            display_name: raw.name.trim().to_owned(),
            tier: tier?,
            size_units: size?,
            residency,
            isolation: isolation?,
            pinned: false,
            group: Some(raw.group.trim())
                .filter(|g| !g.is_empty())
                .map(str::to_owned),
        },
        preferred_regions: preferred,
    })
}

/// Reads and checks a tenant file named `name` (its extension picks CSV or JSON).
/// Returns every row, or every problem found (nothing is half-read).
pub fn parse_tenant_file(
    name: &str,
    text: &str,
    regions: &[Region],
) -> Result<Vec<TenantFileRow>, Vec<RowError>> {
    let read = read_tenant_file(name, text, regions);
    if read.problems.is_empty() {
        Ok(read.rows)
    } else {
        Err(read.problems)
    }
}

/// A tenant file read as far as it goes: the rows without problems, and every
/// problem of the others, by line (so a check can plan the good rows and report
/// all problems at once).
#[derive(Debug, Clone, Default)]
pub struct TenantFileRead {
    pub rows: Vec<TenantFileRow>,
    pub problems: Vec<RowError>,
}

/// Reads a tenant file named `name` (its extension picks CSV or JSON) row by row.
pub fn read_tenant_file(name: &str, text: &str, regions: &[Region]) -> TenantFileRead {
    let fail = |field: &str, message: String| TenantFileRead {
        rows: Vec::new(),
        problems: vec![RowError {
            kind: ProblemKind::Format,
            line: 0,
            field: field.to_owned(),
            message,
        }],
    };
    if text.len() > MAX_FILE_BYTES {
        return fail(
            "file",
            format!("{} bytes is over the limit of {MAX_FILE_BYTES}", text.len()),
        );
    }
    let known: HashSet<&str> = regions.iter().map(|r| r.id.as_str()).collect();
    let mut errors = Vec::new();
    let lower = name.to_ascii_lowercase();
    let rows = if lower.ends_with(".json") {
        json::parse_json(text, &known, &mut errors)
    } else if lower.ends_with(".csv") {
        csv::parse_csv(text, &known, &mut errors)
    } else {
        return fail("file", format!("{name}: use a .csv or .json file"));
    };
    if rows.len() > MAX_ROWS {
        return fail(
            "file",
            format!(
                "{} tenants is over the limit of {MAX_ROWS} per file",
                rows.len()
            ),
        );
    }
    errors.sort_by_key(|e| e.line);
    TenantFileRead {
        rows,
        problems: errors,
    }
}
