//! Tenant files for bulk onboarding: good CSV and JSON, and every kind of bad row
//! reported with its line and field, all at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::tenant_file::{parse_tenant_file, RowError, MAX_ERRORS, MAX_FILE_BYTES};
use fleet_core::{builtin_regions, Isolation, Tier};

const HEADER: &str = "id,name,tier,size,countries,geographies,regions,isolation,preferred";

fn errors(name: &str, text: &str) -> Vec<RowError> {
    parse_tenant_file(name, text, &builtin_regions().unwrap()).unwrap_err()
}

fn has(errors: &[RowError], line: u32, field: &str, words: &str) -> bool {
    errors
        .iter()
        .any(|e| e.line == line && e.field == field && e.message.contains(words))
}

#[test]
fn a_good_csv_reads_every_row_with_its_line() {
    let text = format!(
        "{HEADER}\nacme-eu,\"Acme, Europe\",enterprise,40,DE;NL,,,shared,azure-westeurope\n\nbank,Bank,premium,300,,,aws-eu-central-1,dedicated,\n"
    );
    let rows = parse_tenant_file("t.csv", &text, &builtin_regions().unwrap()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].line, rows[0].tenant.display_name.as_str()),
        (2, "Acme, Europe")
    );
    assert_eq!(rows[0].tenant.tier, Tier::Enterprise);
    assert_eq!(rows[0].tenant.residency.countries.len(), 2);
    assert_eq!(rows[0].preferred_regions[0].as_str(), "azure-westeurope");
    assert_eq!(rows[1].line, 4);
    assert_eq!(rows[1].tenant.isolation, Isolation::Dedicated);
}

#[test]
fn every_bad_row_is_reported_by_line_and_field() {
    let text = format!(
        "{HEADER}\nBad Id,x,standard,1,,,,shared,\nok-1,,gold,0,XX1,,azure-nowhere,sharded,aws-nowhere\nok-2,Two,standard,ten,,,,shared,\nok-3,Three,standard,5,,,,shared\nok-2,Again,standard,5,,,,shared,\n"
    );
    let e = errors("t.csv", &text);
    assert!(has(&e, 2, "id", ""), "{e:?}");
    assert!(has(&e, 3, "name", "must not be empty"), "{e:?}");
    assert!(has(&e, 3, "tier", "gold"), "{e:?}");
    assert!(has(&e, 3, "size", "greater than 0"), "{e:?}");
    assert!(has(&e, 3, "countries", ""), "{e:?}");
    assert!(
        has(&e, 3, "regions", "unknown region azure-nowhere"),
        "{e:?}"
    );
    assert!(has(&e, 3, "isolation", "sharded"), "{e:?}");
    assert!(has(&e, 3, "preferred", "aws-nowhere"), "{e:?}");
    assert!(has(&e, 4, "size", "not a whole number"), "{e:?}");
    assert!(has(&e, 5, "row", "8 fields, the header has 9"), "{e:?}");
    assert!(
        has(&e, 6, "id", "ok-2 appears again (first on line 4)"),
        "{e:?}"
    );
}

#[test]
fn an_optional_group_column_sets_the_anti_affinity_group() {
    let text =
        format!("{HEADER},group\na,A,standard,1,,,,shared,,acme\nb,B,standard,1,,,,shared,,\n");
    let rows = parse_tenant_file("t.csv", &text, &builtin_regions().unwrap()).unwrap();
    assert_eq!(rows[0].tenant.group.as_deref(), Some("acme"));
    assert_eq!(rows[1].tenant.group, None);
    let long = format!(
        "{HEADER},group\na,A,standard,1,,,,shared,,{}\n",
        "g".repeat(101)
    );
    assert!(has(&errors("t.csv", &long), 2, "group", "at most 100"));
}

#[test]
fn wrong_columns_are_refused_before_any_row() {
    let e = errors("t.csv", "id,name,colour\na,A,red\n");
    assert!(has(&e, 1, "colour", "unknown column"), "{e:?}");
    assert!(has(&e, 1, "size", "required column is missing"), "{e:?}");
    assert!(!e.iter().any(|x| x.line == 2));
    assert!(has(&errors("t.csv", "\n\n"), 1, "header", "empty"));
}

#[test]
fn json_rows_report_the_line_of_their_object() {
    let text = r#"[
  {"id": "acme", "displayName": "Acme", "sizeUnits": 10},
  {"id": "acme", "displayName": "Acme again", "sizeUnits": 10,
   "residency": {"regions": ["gcp-nowhere"]}}
]"#;
    let e = errors("t.json", text);
    assert!(has(&e, 3, "regions", "gcp-nowhere"), "{e:?}");
    let e = errors(
        "t.json",
        r#"[{"id": "a", "displayName": "A", "sizeUnits": 1, "colour": "red"}]"#,
    );
    assert!(e[0].message.contains("unknown field `colour`"), "{e:?}");
    let e = errors("t.json", "[{\"id\": \"x\", \"displayName\": \"X\", \"sizeUnits\": 1},\n {\"id\": \"x\", \"displayName\": \"Y\", \"sizeUnits\": 2}]");
    assert!(has(&e, 2, "id", "appears again (first on line 1)"), "{e:?}");
}

#[test]
fn huge_files_and_unknown_formats_are_refused_whole() {
    let huge = "x".repeat(MAX_FILE_BYTES + 1);
    assert!(errors("t.csv", &huge)[0].message.contains("over the limit"));
    assert!(errors("t.xlsx", "a")[0]
        .message
        .contains("use a .csv or .json file"));
}

#[test]
fn ten_thousand_rows_read_in_one_go() {
    let mut text = String::from(HEADER);
    for i in 0..10_000 {
        text.push_str(&format!(
            "\nt{i:05},Tenant {i},standard,{},DE,,,shared,",
            1 + i % 50
        ));
    }
    let rows = parse_tenant_file("t.csv", &text, &builtin_regions().unwrap()).unwrap();
    assert_eq!(rows.len(), 10_000);
    assert_eq!(rows[9_999].line, 10_001);
}

/// A file of nothing but bad lines (here 32 MiB of one-character lines, ~16 M of them)
/// is reported up to a bound, with where reading stopped, not one error per line.
#[test]
fn problems_are_collected_up_to_a_bound() {
    let mut csv = String::from(HEADER);
    csv.push_str(&"\nx".repeat(16 * 1024 * 1024));
    let found = errors("t.csv", &csv);
    assert_eq!(found.len(), MAX_ERRORS + 1);
    let last = found.last().unwrap();
    assert_eq!(last.field, "file");
    assert!(last.message.contains("after 1000 problems"), "{last}");
    assert_eq!(last.line, MAX_ERRORS as u32 + 2, "{last}");

    let json = format!(
        "[{}]",
        vec![r#"{"id":"Bad Id","displayName":"x","sizeUnits":1}"#; 5_000].join(",\n")
    );
    let found = errors("t.json", &json);
    // A row's own problems are all kept: the bound is reached within one more row.
    assert!(
        (MAX_ERRORS + 1..MAX_ERRORS + 10).contains(&found.len()),
        "{}",
        found.len()
    );
    assert!(found.last().unwrap().message.contains("stopped reading"));
}

/// Quoted fields may hold newlines (RFC 4180); later rows keep their own line numbers.
#[test]
fn quoted_newlines_are_read_and_lines_stay_true() {
    let text = format!(
        "{HEADER}\nacme,\"Acme\nEurope, \"\"EU\"\"\",standard,4,,,,shared,\n\nbeta,Beta,standard,5,,,,shared,\nBad Id,x,standard,1,,,,shared,\n"
    );
    let e = errors("t.csv", &text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(has(&e, 6, "id", ""), "{e:?}");
    let good = text.replace("Bad Id", "gamma");
    let rows = parse_tenant_file("t.csv", &good, &builtin_regions().unwrap()).unwrap();
    assert_eq!(rows[0].tenant.display_name, "Acme\nEurope, \"EU\"");
    assert_eq!((rows[0].line, rows[1].line, rows[2].line), (2, 5, 6));
}
