//! Tenant files for bulk onboarding: CSV (a header row, then one tenant per line) or
//! JSON (an array of tenant objects). Every row is checked before anything is used, and
//! every problem is reported with its line and field.
//!
//! CSV columns: `id,name,tier,size,countries,geographies,regions,isolation,preferred`
//! and optionally `group` (lists separated by `;`; all but id, name and size may be empty
//! or left out; quotes as RFC 4180).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ids::{RegionId, TenantId};
use crate::region::{CountryCode, Region};
use crate::template::Isolation;
use crate::tenant::{Residency, Tenant, Tier};

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// At most this many tenants per file.
pub const MAX_ROWS: usize = 200_000;
const COLUMNS: [&str; 10] = [
    "id",
    "name",
    "tier",
    "size",
    "countries",
    "geographies",
    "regions",
    "isolation",
    "preferred",
    "group",
];

/// One tenant from a file, with the line it came from.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantFileRow {
    pub line: u32,
    pub tenant: Tenant,
    pub preferred_regions: Vec<RegionId>,
}

/// A problem with one field of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub line: u32,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsonTenant {
    id: String,
    display_name: String,
    #[serde(default = "standard")]
    tier: String,
    size_units: u64,
    #[serde(default)]
    residency: Residency,
    #[serde(default = "shared")]
    isolation: String,
    #[serde(default)]
    preferred_regions: Vec<String>,
    #[serde(default)]
    group: Option<String>,
}

fn standard() -> String {
    "standard".to_owned()
}
fn shared() -> String {
    "shared".to_owned()
}

/// Splits one CSV record into fields (quotes with doubled quotes inside).
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".to_owned());
    }
    fields.push(field);
    Ok(fields)
}

fn list(value: &str) -> Vec<&str> {
    value
        .split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
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
    for region in &residency.regions {
        if !known.contains(region.as_str()) {
            err("regions", format!("unknown region {region}"));
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
            _ => err("preferred", format!("unknown region {p}")),
        }
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

fn csv_residency(
    countries: &str,
    geographies: &str,
    regions: &str,
) -> (Residency, Vec<(String, String)>) {
    let mut problems = Vec::new();
    let countries = list(countries)
        .into_iter()
        .filter_map(|c| {
            CountryCode::new(c)
                .map_err(|e| problems.push(("countries".to_owned(), e)))
                .ok()
        })
        .collect();
    let regions = list(regions)
        .into_iter()
        .filter_map(|r| {
            RegionId::new(r)
                .map_err(|e| problems.push(("regions".to_owned(), e.to_string())))
                .ok()
        })
        .collect();
    let residency = Residency {
        countries,
        geographies: list(geographies).into_iter().map(str::to_owned).collect(),
        regions,
    };
    (residency, problems)
}

fn parse_csv(text: &str, known: &HashSet<&str>, errors: &mut Vec<RowError>) -> Vec<TenantFileRow> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((header_at, header)) = lines.next() else {
        errors.push(RowError {
            line: 1,
            field: "header".to_owned(),
            message: "the file is empty".to_owned(),
        });
        return Vec::new();
    };
    let header_line = header_at as u32 + 1;
    let names: Vec<String> = match csv_fields(header) {
        Ok(f) => f
            .into_iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        Err(e) => {
            errors.push(RowError {
                line: header_line,
                field: "header".to_owned(),
                message: e,
            });
            return Vec::new();
        }
    };
    for n in &names {
        if !COLUMNS.contains(&n.as_str()) {
            errors.push(RowError {
                line: header_line,
                field: n.clone(),
                message: format!("unknown column (expected {})", COLUMNS.join(",")),
            });
        }
    }
    for required in ["id", "name", "size"] {
        if !names.iter().any(|n| n == required) {
            errors.push(RowError {
                line: header_line,
                field: required.to_owned(),
                message: "required column is missing".to_owned(),
            });
        }
    }
    if !errors.is_empty() {
        return Vec::new();
    }
    let col: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut rows = Vec::new();
    let mut seen = HashMap::new();
    for (at, line) in lines {
        let line_no = at as u32 + 1;
        let fields = match csv_fields(line) {
            Ok(f) if f.len() == names.len() => f,
            Ok(f) => {
                errors.push(RowError {
                    line: line_no,
                    field: "row".to_owned(),
                    message: format!("{} fields, the header has {}", f.len(), names.len()),
                });
                continue;
            }
            Err(e) => {
                errors.push(RowError {
                    line: line_no,
                    field: "row".to_owned(),
                    message: e,
                });
                continue;
            }
        };
        let get = |name: &str| col.get(name).map_or("", |&i| fields[i].as_str());
        let raw = RawRow {
            line: line_no,
            id: get("id").trim(),
            name: get("name"),
            tier: if get("tier").trim().is_empty() {
                "standard"
            } else {
                get("tier")
            },
            size: get("size")
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("{:?} is not a whole number", get("size"))),
            residency: csv_residency(get("countries"), get("geographies"), get("regions")),
            isolation: if get("isolation").trim().is_empty() {
                "shared"
            } else {
                get("isolation")
            },
            preferred: list(get("preferred")),
            group: get("group"),
        };
        if let Some(row) = check_row(raw, known, &mut seen, errors) {
            rows.push(row);
        }
    }
    rows
}

fn parse_json(text: &str, known: &HashSet<&str>, errors: &mut Vec<RowError>) -> Vec<TenantFileRow> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let items: Vec<JsonTenant> = match serde_path_to_error::deserialize(de) {
        Ok(items) => items,
        Err(e) => {
            let path = e.path().to_string();
            errors.push(RowError {
                line: e.inner().line() as u32,
                field: path,
                message: e.inner().to_string(),
            });
            return Vec::new();
        }
    };
    // Lines of each object's start, for messages: the n-th '{' at nesting depth 1.
    let mut starts = Vec::new();
    let mut depth = 0i32;
    let mut line = 1u32;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            '\n' => line += 1,
            '"' if !escaped => in_string = !in_string,
            '[' | '{' if !in_string => {
                depth += 1;
                if c == '{' && depth == 2 {
                    starts.push(line);
                }
            }
            ']' | '}' if !in_string => depth -= 1,
            _ => {}
        }
        escaped = c == '\\' && !escaped;
    }
    let mut rows = Vec::new();
    let mut seen = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let raw = RawRow {
            line: starts.get(i).copied().unwrap_or(1),
            id: &item.id,
            name: &item.display_name,
            tier: &item.tier,
            size: Ok(item.size_units),
            residency: (item.residency.clone(), Vec::new()),
            isolation: &item.isolation,
            preferred: item.preferred_regions.iter().map(String::as_str).collect(),
            group: item.group.as_deref().unwrap_or(""),
        };
        if let Some(row) = check_row(raw, known, &mut seen, errors) {
            rows.push(row);
        }
    }
    rows
}

/// Reads and checks a tenant file named `name` (its extension picks CSV or JSON).
/// Returns every row, or every problem found (nothing is half-read).
pub fn parse_tenant_file(
    name: &str,
    text: &str,
    regions: &[Region],
) -> Result<Vec<TenantFileRow>, Vec<RowError>> {
    let fail = |field: &str, message: String| {
        Err(vec![RowError {
            line: 0,
            field: field.to_owned(),
            message,
        }])
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
        parse_json(text, &known, &mut errors)
    } else if lower.ends_with(".csv") {
        parse_csv(text, &known, &mut errors)
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
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}
