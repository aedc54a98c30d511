//! The audit log as a file: CSV (for a spreadsheet) or JSON, with the rows a query
//! selects, newest first.

use catalogue::{AuditEntry, AuditQuery};
use serde::{Deserialize, Serialize};

use crate::{Fleet, OpsError, OpsResult};

/// How the audit log is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum AuditFormat {
    Csv,
    Json,
}

const CSV_HEADER: &str = "row,at,actor,via,action,entity,entity_id,change,before,after\n";

impl Fleet {
    /// The rows `query` selects (up to `AuditQuery::MAX_LIMIT`), as a CSV or JSON file's text.
    pub async fn export_audit(&self, query: &AuditQuery, format: AuditFormat) -> OpsResult<String> {
        let rows = self.audit_page(query).await?;
        match format {
            AuditFormat::Csv => Ok(audit_csv(&rows)),
            AuditFormat::Json => serde_json::to_string_pretty(&rows)
                .map(|s| s + "\n")
                .map_err(|e| {
                    OpsError::internal(format!("cannot write the audit log as JSON: {e}"))
                }),
        }
    }
}

/// `rows` as CSV (RFC 4180), one line per row after a header.
pub fn audit_csv(rows: &[AuditEntry]) -> String {
    let mut out = String::from(CSV_HEADER);
    for r in rows {
        let cells = [
            r.id.to_string(),
            r.at.clone(),
            r.actor.clone(),
            r.via.clone(),
            r.action.clone(),
            r.entity.clone(),
            r.entity_id.clone(),
            r.summary.clone(),
            r.before.clone().unwrap_or_default(),
            r.after.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// One CSV cell: quoted when it holds a comma, quote or line break; a cell a
/// spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote mark.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_when_needed_and_never_run_as_formulas() {
        assert_eq!(csv_cell("weu-01"), "weu-01");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell(r#"{"id":"x"}"#), r#""{""id"":""x""}""#);
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
    }
}
