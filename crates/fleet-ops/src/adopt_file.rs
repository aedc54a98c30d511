//! Adopting many stamps from a file: `id,region,template,version,endpoint,token_file`
//! per line. Every row is checked first (a bad one is named by line and field and
//! nothing is adopted); then the stamps are adopted several at once, each one reported
//! as it ends.

use std::path::Path;

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use crate::adopt::{AdoptReport, AdoptStamp};
use crate::{Fleet, OpsError, OpsResult};

const COLUMNS: [&str; 6] = [
    "id",
    "region",
    "template",
    "version",
    "endpoint",
    "token_file",
];

/// How one stamp of a bulk adoption ended.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AdoptOutcome {
    pub stamp: String,
    /// Stamps finished so far, this one included, of `total`.
    pub done: u32,
    pub total: u32,
    pub report: Option<AdoptReport>,
    /// Why it was not adopted.
    pub error: Option<String>,
}

/// The rows of an adoption file `name` (its text `text`); token files are read relative
/// to `base` (the file's directory).
pub fn read_adopt_file(name: &str, text: &str, base: &Path) -> OpsResult<Vec<AdoptStamp>> {
    read_rows(name, text, Some(base))
}

/// The rows of an adoption file the window was given: the same columns with the token
/// itself in place of `token_file` (`id,region,template,version,endpoint,token`). The
/// window never has the backend read a file a row names: web content would choose it.
pub fn read_adopt_text(name: &str, text: &str) -> OpsResult<Vec<AdoptStamp>> {
    read_rows(name, text, None)
}

fn read_rows(name: &str, text: &str, base: Option<&Path>) -> OpsResult<Vec<AdoptStamp>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let header: Vec<&str> = match lines.next() {
        Some((_, h)) => h.split(',').map(str::trim).collect(),
        None => {
            return Err(OpsError::invalid(format!(
                "{name}: empty; expected the header {}",
                COLUMNS.join(",")
            )))
        }
    };
    let mut expected = COLUMNS.to_vec();
    if base.is_none() {
        expected[5] = "token";
    }
    if header != expected {
        return Err(OpsError::invalid(format!(
            "{name}:1: the header is {:?}; expected {}",
            header.join(","),
            expected.join(",")
        )));
    }
    let mut rows = Vec::new();
    for (index, line) in lines {
        let at = index + 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != COLUMNS.len() {
            return Err(OpsError::invalid(format!(
                "{name}:{at}: {} fields; expected {} ({})",
                cells.len(),
                expected.len(),
                expected.join(",")
            )));
        }
        let field = |i: usize, e: &dyn std::fmt::Display| {
            OpsError::invalid(format!("{name}:{at}: field {}: {e}", expected[i]))
        };
        let token = match base {
            Some(base) => {
                let token_path = base.join(cells[5]);
                std::fs::read_to_string(&token_path)
                    .map_err(|e| field(5, &format!("{}: {e}", token_path.display())))?
            }
            None if cells[5].is_empty() => return Err(field(5, &"empty")),
            None => cells[5].to_owned(),
        };
        rows.push(AdoptStamp {
            id: cells[0].parse().map_err(|e| field(0, &e))?,
            region: cells[1].parse().map_err(|e| field(1, &e))?,
            template: cells[2].parse().map_err(|e| field(2, &e))?,
            template_version: fleet_core::TemplateVersion::new(cells[3].to_owned())
                .map_err(|e| field(3, &e))?,
            endpoint: cells[4].to_owned(),
            token: token.lines().next().unwrap_or_default().trim().to_owned(),
        });
    }
    let mut ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(twice) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(OpsError::invalid(format!(
            "{name}: stamp {} is listed twice",
            twice[0]
        )));
    }
    Ok(rows)
}

impl Fleet {
    /// The window's bulk adoption: a file's text with the tokens inline
    /// ([`read_adopt_text`]), every row checked first, then 16 stamps at once.
    pub async fn adopt_stamps_text(
        &self,
        name: &str,
        text: &str,
        progress: &(dyn Fn(AdoptOutcome) + Send + Sync),
    ) -> OpsResult<Vec<AdoptOutcome>> {
        let rows = read_adopt_text(name, text)?;
        let total = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
        let mut runs = tokio::task::JoinSet::new();
        for row in rows {
            let (fleet, limit) = (self.clone(), limit.clone());
            runs.spawn(async move {
                let _turn = limit.acquire_owned().await;
                let result = fleet.adopt_stamp(&row).await;
                (row.id.to_string(), result)
            });
        }
        let mut outcomes = Vec::new();
        while let Some(joined) = runs.join_next().await {
            let (stamp, result) =
                joined.map_err(|e| OpsError::internal(format!("an adoption stopped: {e}")))?;
            let (report, error) = match result {
                Ok(report) => (Some(report), None),
                Err(e) => (None, Some(e.message)),
            };
            let outcome = AdoptOutcome {
                stamp,
                done: u32::try_from(outcomes.len() + 1).unwrap_or(u32::MAX),
                total,
                report,
                error,
            };
            progress(outcome.clone());
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// Adopts `stamps`, `concurrency` at a time, reporting each one as it ends; returns
    /// every outcome in the order they ended.
    pub async fn adopt_stamps(
        &self,
        stamps: &[AdoptStamp],
        concurrency: usize,
        progress: &(dyn Fn(&AdoptOutcome) + Send + Sync),
    ) -> Vec<AdoptOutcome> {
        let total = u32::try_from(stamps.len()).unwrap_or(u32::MAX);
        let mut done = 0;
        let mut outcomes = Vec::with_capacity(stamps.len());
        let mut runs = stream::iter(stamps)
            .map(|request| async move { (request, self.adopt_stamp(request).await) })
            .buffer_unordered(concurrency.max(1));
        while let Some((request, result)) = runs.next().await {
            done += 1;
            let (report, error) = match result {
                Ok(report) => (Some(report), None),
                Err(e) => (None, Some(e.message)),
            };
            let outcome = AdoptOutcome {
                stamp: request.id.to_string(),
                done,
                total,
                report,
                error,
            };
            progress(&outcome);
            outcomes.push(outcome);
        }
        outcomes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_form_takes_tokens_inline_and_never_a_file() {
        let ok = "id,region,template,version,endpoint,token\next-01,aws-eu-central-1,standard,1.4.0,http://127.0.0.1:1,abcdefghijklmnopq\n";
        let rows = read_adopt_text("stamps.csv", ok).unwrap();
        assert_eq!(rows[0].token, "abcdefghijklmnopq");
        // The CLI's form (token files) is refused: the window never has a file read.
        let files = "id,region,template,version,endpoint,token_file\next-01,aws-eu-central-1,standard,1.4.0,http://127.0.0.1:1,/etc/passwd\n";
        let e = read_adopt_text("stamps.csv", files).unwrap_err();
        assert!(
            e.message.contains("stamps.csv:1: the header"),
            "{}",
            e.message
        );
        let empty = "id,region,template,version,endpoint,token\next-01,aws-eu-central-1,standard,1.4.0,http://127.0.0.1:1,\n";
        let e = read_adopt_text("stamps.csv", empty).unwrap_err();
        assert!(
            e.message.contains("stamps.csv:2: field token: empty"),
            "{}",
            e.message
        );
    }
}
