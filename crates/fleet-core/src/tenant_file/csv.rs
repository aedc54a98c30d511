//! The CSV side of tenant files: a header row naming the columns, then one tenant per
//! line; fields may be quoted (RFC 4180), lists are separated by `;`.

use std::collections::{HashMap, HashSet};

use super::{check_row, stop_reading, RawRow, RowError, TenantFileRow};
use crate::ids::RegionId;
use crate::region::CountryCode;
use crate::tenant::Residency;

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

pub(super) fn parse_csv(
    text: &str,
    known: &HashSet<&str>,
    errors: &mut Vec<RowError>,
) -> Vec<TenantFileRow> {
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
        if stop_reading(errors, line_no) {
            break;
        }
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
