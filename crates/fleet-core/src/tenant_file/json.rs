//! The JSON side of tenant files: an array of tenant objects.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::{check_row, stop_reading, ProblemKind, RawRow, RowError, TenantFileRow};
use crate::tenant::Residency;

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

pub(super) fn parse_json(
    text: &str,
    known: &HashSet<&str>,
    errors: &mut Vec<RowError>,
) -> Vec<TenantFileRow> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let items: Vec<JsonTenant> = match serde_path_to_error::deserialize(de) {
        Ok(items) => items,
        Err(e) => {
            let path = e.path().to_string();
            errors.push(RowError {
                kind: ProblemKind::Format,
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
        let line = starts.get(i).copied().unwrap_or(1);
        if stop_reading(errors, line) {
            break;
        }
        let raw = RawRow {
            line,
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
