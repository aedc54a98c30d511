//! The CSV side of tenant files: a header row naming the columns, then one tenant per
//! line; fields may be quoted (RFC 4180), lists are separated by `;`.

use std::collections::{HashMap, HashSet};

use super::{check_row, stop_reading, ProblemKind, RawRow, RowError, TenantFileRow};
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

/// The records of `text` with the line each starts on (1-based), blank lines left
/// out. Fields may be quoted (RFC 4180), with commas, quotes and newlines inside.
fn records(text: &str) -> impl Iterator<Item = (u32, Result<Vec<String>, String>)> + '_ {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = ::csv::StringRecord::new();
    // Lines are counted from the record's byte offset (the reader's own line count
    // includes the blank lines it skipped), incrementally: (offset, line at offset).
    let bytes = text.as_bytes();
    let mut counted = (0usize, 1u32);
    let mut line_at = move |offset: usize| {
        let mut start = offset.min(bytes.len());
        while start < bytes.len() && (bytes[start] == b'\n' || bytes[start] == b'\r') {
            start += 1;
        }
        let (from, line) = counted;
        let newlines = bytes[from.min(start)..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted = (
            start,
            line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX)),
        );
        counted.1
    };
    std::iter::from_fn(move || loop {
        let offset = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        match reader.read_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {
                let start = record
                    .position()
                    .map_or(offset, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
                let line = line_at(start);
                if record.len() == 1 && record[0].trim().is_empty() {
                    continue;
                }
                return Some((line, Ok(record.iter().map(str::to_owned).collect())));
            }
            Err(e) => return Some((line_at(offset), Err(e.to_string()))),
        }
    })
}

pub(super) fn parse_csv(
    text: &str,
    known: &HashSet<&str>,
    errors: &mut Vec<RowError>,
) -> Vec<TenantFileRow> {
    let mut lines = records(text);
    let Some((header_line, header)) = lines.next() else {
        errors.push(RowError {
            kind: ProblemKind::Format,
            line: 1,
            field: "header".to_owned(),
            message: "the file is empty".to_owned(),
        });
        return Vec::new();
    };
    let names: Vec<String> = match header {
        Ok(f) => f
            .into_iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        Err(e) => {
            errors.push(RowError {
                kind: ProblemKind::Format,
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
                kind: ProblemKind::Format,
                line: header_line,
                field: n.clone(),
                message: format!("unknown column (expected {})", COLUMNS.join(",")),
            });
        }
    }
    for required in ["id", "name", "size"] {
        if !names.iter().any(|n| n == required) {
            errors.push(RowError {
                kind: ProblemKind::Format,
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
    for (line_no, fields) in lines {
        if stop_reading(errors, line_no) {
            break;
        }
        let fields = match fields {
            Ok(f) if f.len() == names.len() => f,
            Ok(f) => {
                errors.push(RowError {
                    kind: ProblemKind::Format,
                    line: line_no,
                    field: "row".to_owned(),
                    message: format!("{} fields, the header has {}", f.len(), names.len()),
                });
                continue;
            }
            Err(e) => {
                errors.push(RowError {
                    kind: ProblemKind::Format,
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
