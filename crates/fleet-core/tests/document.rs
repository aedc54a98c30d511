//! The catalogue document: round trip, and errors that name the bad field by path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::{
    builtin_regions, demo::demo_fleet, parse_document, CatalogueDocument, FleetOverview, Isolation,
    Region,
};
use serde_json::{json, Value};

fn regions() -> Vec<Region> {
    builtin_regions().unwrap()
}

fn demo_json() -> Value {
    serde_json::to_value(demo_fleet(&regions()).unwrap()).unwrap()
}

/// Applies `edit` to the demo document and returns the parse error.
fn error_after(edit: impl FnOnce(&mut Value)) -> (String, String) {
    let mut v = demo_json();
    edit(&mut v);
    let e = parse_document(&serde_json::to_string_pretty(&v).unwrap(), &regions()).unwrap_err();
    (e.path.clone(), e.to_string())
}

#[test]
fn demo_round_trips_through_json() {
    let doc = demo_fleet(&regions()).unwrap();
    let text = serde_json::to_string(&doc).unwrap();
    assert_eq!(parse_document(&text, &regions()).unwrap(), doc);
}

#[test]
fn demo_is_deterministic_and_shaped_as_promised() {
    let doc = demo_fleet(&regions()).unwrap();
    assert_eq!(doc, demo_fleet(&regions()).unwrap());
    let overview = FleetOverview::build(&doc, &regions());
    assert_eq!(overview.stamps.len(), 8);
    assert_eq!(overview.regions.len(), 5);
    let providers: std::collections::BTreeSet<_> = overview
        .regions
        .iter()
        .map(|r| r.region.provider.as_str())
        .collect();
    assert_eq!(
        providers.into_iter().collect::<Vec<_>>(),
        ["aws", "azure", "gcp"]
    );
    assert_eq!(doc.tenants.len(), 60);
    assert_eq!(doc.bindings.len(), 60, "every demo tenant has a home");
    let tiers: std::collections::BTreeSet<_> = doc.tenants.iter().map(|t| t.tier).collect();
    assert_eq!(tiers.len(), 4);
    assert!(doc
        .tenants
        .iter()
        .any(|t| t.isolation == Isolation::Dedicated));
    assert!(doc.tenants.iter().any(|t| t.residency.is_unconstrained()));
    assert!(doc
        .tenants
        .iter()
        .any(|t| !t.residency.countries.is_empty()));
    // Every binding honours residency and capacity.
    for b in &doc.bindings {
        let t = doc.tenants.iter().find(|t| t.id == b.tenant).unwrap();
        let s = doc.stamps.iter().find(|s| s.id == b.stamp).unwrap();
        let r = regions().into_iter().find(|r| r.id == s.region).unwrap();
        assert!(t.residency.allows(&r), "{} on {}", t.id, s.id);
    }
    assert!(overview
        .stamps
        .iter()
        .all(|s| s.capacity.used_units <= s.capacity.total_units));
}

#[test]
fn wrong_type_names_the_path_and_line() {
    let (path, msg) = error_after(|v| v["tenants"][3]["sizeUnits"] = json!("big"));
    assert_eq!(path, "tenants[3].sizeUnits");
    assert!(msg.starts_with("line "), "{msg}");
    assert!(msg.contains("tenants[3].sizeUnits: invalid type"), "{msg}");
}

#[test]
fn bad_ids_name_the_rule() {
    let (path, msg) = error_after(|v| v["stamps"][0]["id"] = json!("WEU_01"));
    assert_eq!(path, "stamps[0].id");
    assert!(msg.contains("may contain only lowercase letters"), "{msg}");
}

#[test]
fn unknown_fields_are_refused() {
    let (path, msg) = error_after(|v| v["tenants"][0]["colour"] = json!("blue"));
    assert_eq!(path, "tenants[0].colour");
    assert!(msg.contains("unknown field `colour`"), "{msg}");
}

type Edit = Box<dyn FnOnce(&mut Value)>;

#[test]
fn references_and_duplicates_are_checked() {
    let cases: Vec<(Edit, &str, &str)> = vec![
        (
            Box::new(|v| v["stamps"][2]["region"] = json!("mars-north-1")),
            "stamps[2].region",
            "unknown region mars-north-1",
        ),
        (
            Box::new(|v| v["stamps"][1]["templateVersion"] = json!("9.9.9")),
            "stamps[1].templateVersion",
            "no template",
        ),
        (
            Box::new(|v| v["tenants"][5]["id"] = v["tenants"][4]["id"].clone()),
            "tenants[5].id",
            "appears twice",
        ),
        (
            Box::new(|v| v["tenants"][2]["sizeUnits"] = json!(0)),
            "tenants[2].sizeUnits",
            "greater than 0",
        ),
        (
            Box::new(|v| v["tenants"][2]["residency"]["regions"] = json!(["atlantis-1"])),
            "tenants[2].residency.regions[0]",
            "unknown region",
        ),
        (
            Box::new(|v| v["tenants"][2]["residency"]["countries"] = json!(["Germany"])),
            "tenants[2].residency.countries[0]",
            "ISO 3166-1",
        ),
        (
            Box::new(|v| v["bindings"][7]["stamp"] = json!("ghost-01")),
            "bindings[7].stamp",
            "unknown stamp ghost-01",
        ),
        (
            Box::new(|v| v["bindings"][3]["tenant"] = json!("ghost-tenant")),
            "bindings[3].tenant",
            "unknown tenant ghost-tenant",
        ),
        (
            Box::new(|v| v["bindings"][8]["tenant"] = v["bindings"][9]["tenant"].clone()),
            "bindings[9].tenant",
            "bound twice",
        ),
        (
            Box::new(|v| v["stamps"][0]["endpoint"] = json!("ftp://x")),
            "stamps[0].endpoint",
            "http",
        ),
        (
            Box::new(|v| v["templates"][0]["capacityUnits"] = json!(-1)),
            "templates[0].capacityUnits",
            "invalid value",
        ),
    ];
    for (edit, want_path, want_msg) in cases {
        let (path, msg) = error_after(edit);
        assert_eq!(path, want_path, "{msg}");
        assert!(msg.contains(want_msg), "{want_path}: {msg}");
    }
}

#[test]
fn schema_version_is_checked_first() {
    let (path, msg) = error_after(|v| v["schemaVersion"] = json!(2));
    assert_eq!(path, "schemaVersion");
    assert!(msg.contains("2 is not supported"), "{msg}");
    let (path, _) = error_after(|v| {
        v.as_object_mut().unwrap().remove("schemaVersion");
    });
    assert_eq!(path, "schemaVersion");
}

#[test]
fn not_json_at_all_is_reported_with_a_position() {
    let e = parse_document("{\"schemaVersion\": 1, \"stamps\": [", &regions()).unwrap_err();
    assert!(e.location.is_some(), "{e}");
    let e = parse_document("", &regions()).unwrap_err();
    assert!(e.to_string().contains("EOF"), "{e}");
}

#[test]
fn an_empty_document_is_an_empty_catalogue() {
    let doc = parse_document("{\"schemaVersion\": 1}", &regions()).unwrap();
    assert_eq!(
        doc,
        CatalogueDocument {
            schema_version: 1,
            ..Default::default()
        }
    );
}
