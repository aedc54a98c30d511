//! Regions: where stamps run. Built-in ones come from the cloud-regions facts shipped
//! inside the binary; custom ones (on-prem, sovereign clouds) are added by operators.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{ProviderId, RegionId};

/// An ISO 3166-1 alpha-2 country code such as `DE`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
#[ts(type = "string")]
pub struct CountryCode(String);

impl CountryCode {
    pub fn new(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(value))
        } else {
            Err(format!(
                "country {value:?} is invalid: must be an ISO 3166-1 alpha-2 code of two uppercase letters, e.g. DE"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::string_serde!(CountryCode);

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A place stamps can run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Region {
    pub id: RegionId,
    pub provider: ProviderId,
    /// The provider's own code, e.g. `westeurope` or `eu-west-1`.
    pub code: String,
    pub display_name: String,
    pub city: String,
    pub country: CountryCode,
    /// The provider's geography grouping, e.g. `Europe`.
    pub geography: String,
    pub latitude: f64,
    pub longitude: f64,
    /// True for regions shipped with Stampfleet; false for operator-defined ones.
    #[serde(default)]
    pub builtin: bool,
}

impl Region {
    /// Checks the fields an id cannot check; returns (field, reason) on the first failure.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        for (field, value) in [
            ("code", &self.code),
            ("displayName", &self.display_name),
            ("city", &self.city),
            ("geography", &self.geography),
        ] {
            if value.trim().is_empty() {
                return Err((field, "must not be empty".to_owned()));
            }
        }
        if !(-90.0..=90.0).contains(&self.latitude) {
            return Err(("latitude", format!("{} is outside -90..=90", self.latitude)));
        }
        if !(-180.0..=180.0).contains(&self.longitude) {
            return Err((
                "longitude",
                format!("{} is outside -180..=180", self.longitude),
            ));
        }
        Ok(())
    }
}

/// A regions CSV that could not be read: the line (1-based) and field say where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{source_name}:{line}: {field}: {reason}")]
pub struct RegionCsvError {
    pub source_name: String,
    pub line: usize,
    pub field: String,
    pub reason: String,
}

const CSV_HEADER: [&str; 9] = [
    "provider",
    "code",
    "display_name",
    "city",
    "country",
    "geography",
    "latitude",
    "longitude",
    "coordinate_source",
];

/// Parses regions in the cloud-regions CSV format (no quoted fields).
pub fn parse_regions_csv(
    source_name: &str,
    text: &str,
    builtin: bool,
) -> Result<Vec<Region>, RegionCsvError> {
    let err = |line: usize, field: &str, reason: String| RegionCsvError {
        source_name: source_name.to_owned(),
        line,
        field: field.to_owned(),
        reason,
    };
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = match lines.next() {
        Some((_, h)) => h.trim_end_matches('\r').split(',').collect(),
        None => return Err(err(1, "header", "file is empty".to_owned())),
    };
    if header != CSV_HEADER {
        return Err(err(
            1,
            "header",
            format!("expected {}", CSV_HEADER.join(",")),
        ));
    }
    let mut regions = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, raw) in lines {
        let line = index + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = raw.split(',').collect();
        if cols.len() != CSV_HEADER.len() {
            return Err(err(
                line,
                "row",
                format!("expected {} fields, found {}", CSV_HEADER.len(), cols.len()),
            ));
        }
        let number = |i: usize| {
            cols[i].trim().parse::<f64>().map_err(|_| {
                err(
                    line,
                    CSV_HEADER[i],
                    format!("{:?} is not a number", cols[i]),
                )
            })
        };
        let provider =
            ProviderId::new(cols[0].trim()).map_err(|e| err(line, "provider", e.to_string()))?;
        let code = cols[1].trim().to_owned();
        let id = RegionId::new(format!("{provider}-{code}"))
            .map_err(|e| err(line, "code", e.to_string()))?;
        let region = Region {
            id,
            provider,
            code,
            display_name: cols[2].trim().to_owned(),
            city: cols[3].trim().to_owned(),
            country: CountryCode::new(cols[4].trim()).map_err(|e| err(line, "country", e))?,
            geography: cols[5].trim().to_owned(),
            latitude: number(6)?,
            longitude: number(7)?,
            builtin,
        };
        region
            .check()
            .map_err(|(field, reason)| err(line, field, reason))?;
        if !seen.insert(region.id.clone()) {
            return Err(err(
                line,
                "code",
                format!("region {} appears twice", region.id),
            ));
        }
        regions.push(region);
    }
    Ok(regions)
}

/// The facts shipped inside the binary.
pub const BUILTIN_REGIONS_CSV: &str = include_str!("../data/cloud-regions.csv");

/// The built-in regions (Azure, AWS, GCP), parsed from the shipped facts.
pub fn builtin_regions() -> Result<Vec<Region>, RegionCsvError> {
    parse_regions_csv("cloud-regions.csv", BUILTIN_REGIONS_CSV, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_regions_cover_three_providers() {
        let regions = builtin_regions().unwrap();
        assert_eq!(regions.len(), 85);
        for provider in ["azure", "aws", "gcp"] {
            assert!(
                regions.iter().any(|r| r.provider.as_str() == provider),
                "{provider}"
            );
        }
        let weu = regions
            .iter()
            .find(|r| r.id.as_str() == "azure-westeurope")
            .unwrap();
        assert_eq!(weu.country.as_str(), "NL");
        assert!((weu.latitude - 52.3667).abs() < 1e-9);
        assert!(weu.builtin);
    }

    /// The shipped facts are self-contained: every provider's regions, each with a
    /// country code and coordinates on the globe (the file is the only source; tests
    /// read nothing outside the repository).
    #[test]
    fn shipped_facts_are_complete() {
        let regions = builtin_regions().unwrap();
        for (provider, count) in [("azure", 39), ("aws", 27), ("gcp", 19)] {
            let n = regions
                .iter()
                .filter(|r| r.provider.as_str() == provider)
                .count();
            assert_eq!(n, count, "{provider} regions in data/cloud-regions.csv");
        }
        for r in &regions {
            assert_eq!(r.country.as_str().len(), 2, "{}: country", r.id);
            assert!((-90.0..=90.0).contains(&r.latitude), "{}: latitude", r.id);
            assert!(
                (-180.0..=180.0).contains(&r.longitude),
                "{}: longitude",
                r.id
            );
        }
    }

    #[test]
    fn csv_errors_name_line_and_field() {
        let header = CSV_HEADER.join(",");
        let cases = [
            ("", 1, "header"),
            ("a,b\n", 1, "header"),
            (&*format!("{header}\nazure,x,X,C,NL,Europe,1,2\n"), 2, "row"),
            (
                &*format!("{header}\nazure,x,X,C,nl,Europe,1,2,s\n"),
                2,
                "country",
            ),
            (
                &*format!("{header}\nazure,x,X,C,NL,Europe,north,2,s\n"),
                2,
                "latitude",
            ),
            (
                &*format!("{header}\nazure,x,X,C,NL,Europe,1,200,s\n"),
                2,
                "longitude",
            ),
            (
                &*format!("{header}\nAzure,x,X,C,NL,Europe,1,2,s\n"),
                2,
                "provider",
            ),
            (
                &*format!("{header}\nazure,x,X,C,NL,Europe,1,2,s\n\nazure,x,X,C,NL,Europe,1,2,s\n"),
                4,
                "code",
            ),
            (
                &*format!("{header}\nazure,x,,C,NL,Europe,1,2,s\n"),
                2,
                "displayName",
            ),
        ];
        for (text, line, field) in cases {
            let e = parse_regions_csv("r.csv", text, false).unwrap_err();
            assert_eq!((e.line, e.field.as_str()), (line, field), "{e}");
            assert!(
                e.to_string()
                    .starts_with(&format!("r.csv:{line}: {field}: ")),
                "{e}"
            );
        }
    }
}
