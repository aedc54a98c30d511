//! stampctl as a user runs it: the real binary on real catalogue files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use serde_json::Value;
use support::{demo_catalogue, failed, ok, stampctl};

#[test]
fn stamp_list_as_json_is_valid_json() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let stamps: Value =
        serde_json::from_str(&ok(stampctl(&c, &["-o", "json", "stamp", "list"]))).unwrap();
    let stamps = stamps.as_array().unwrap();
    assert_eq!(stamps.len(), 8);
    let syd = stamps
        .iter()
        .find(|s| s["stamp"]["id"] == "syd-01")
        .unwrap();
    assert_eq!(syd["stamp"]["region"], "azure-australiaeast");
    assert_eq!(syd["capacity"]["totalUnits"], 400);
}

#[test]
fn tables_have_a_header_and_a_row_per_item() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let stamps = ok(stampctl(&c, &["stamp", "list"]));
    let lines: Vec<&str> = stamps.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("UTIL"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 9);
    assert!(
        stamps.contains("syd-01") && stamps.contains("88%"),
        "{stamps}"
    );
    assert!(stamps.contains("standard@1.3.0 (outdated)"), "{stamps}");
    assert_eq!(ok(stampctl(&c, &["tenant", "list"])).lines().count(), 61);
    let regions = ok(stampctl(&c, &["region", "list"]));
    assert_eq!(regions.lines().count(), 86);
    assert!(
        regions.contains("azure-westeurope") && regions.contains("Netherlands"),
        "{regions}"
    );
}

#[test]
fn tenant_list_filters_by_stamp_region_and_text_and_overview_matches() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let json = |args: &[&str]| -> Value {
        let mut all = vec!["-o", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&ok(stampctl(&c, &all))).unwrap()
    };
    let on_syd = json(&["tenant", "list", "--stamp", "syd-01"]);
    let on_syd = on_syd.as_array().unwrap();
    assert!(!on_syd.is_empty());
    assert!(on_syd.iter().all(|t| t["stamp"] == "syd-01"));

    let overview = json(&["overview"]);
    let syd = overview["stamps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stamp"]["id"] == "syd-01")
        .unwrap();
    assert_eq!(syd["tenantCount"].as_u64(), Some(on_syd.len() as u64));
    assert_eq!(overview["tenantCount"], 60);

    let in_region = json(&["tenant", "list", "--region", "azure-australiaeast"]);
    assert!(in_region.as_array().unwrap().len() >= on_syd.len());
    let found = json(&["tenant", "list", "--search", "CONTOSO", "--limit", "1"]);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0]["tenant"]["displayName"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("contoso"));
    let none = json(&["tenant", "list", "--search", "no tenant is called this"]);
    assert_eq!(none.as_array().unwrap().len(), 0);
}

#[test]
fn export_and_import_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let file = dir.path().join("fleet.json");
    ok(stampctl(&c, &["export", "--file", file.to_str().unwrap()]));
    let exported = std::fs::read_to_string(&file).unwrap();

    let copy = dir.path().join("copy.sqlite");
    let summary: Value = serde_json::from_str(&ok(stampctl(
        &copy,
        &["-o", "json", "import", file.to_str().unwrap()],
    )))
    .unwrap();
    assert_eq!(
        (summary["stamps"].as_u64(), summary["tenants"].as_u64()),
        (Some(8), Some(60))
    );
    assert_eq!(ok(stampctl(&copy, &["export"])), exported);
}

#[test]
fn a_malformed_import_names_the_field_and_leaves_the_catalogue_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let mut doc: Value = serde_json::from_str(&ok(stampctl(&c, &["export"]))).unwrap();
    doc["tenants"][4]["tier"] = Value::from("platinum");
    let file = dir.path().join("bad.json");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();

    let before = std::fs::read(&c).unwrap();
    let err = failed(stampctl(
        &c,
        &["import", "--replace", file.to_str().unwrap()],
    ));
    assert!(err.contains("bad.json: line "), "{err}");
    assert!(
        err.contains("tenants[4].tier: unknown variant `platinum`"),
        "{err}"
    );
    assert!(
        std::fs::read(&c).unwrap() == before,
        "the catalogue file changed"
    );

    let json_err: Value = serde_json::from_str(&failed(stampctl(
        &c,
        &["-o", "json", "import", "--replace", file.to_str().unwrap()],
    )))
    .unwrap();
    assert_eq!(json_err["code"], "invalid_input");
}

#[test]
fn import_into_a_non_empty_catalogue_needs_replace() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let file = dir.path().join("fleet.json");
    std::fs::write(&file, ok(stampctl(&c, &["export"]))).unwrap();
    let err = failed(stampctl(&c, &["import", file.to_str().unwrap()]));
    assert!(err.contains("not empty (8 stamps, 60 tenants)"), "{err}");
    let err = failed(stampctl(&c, &["demo", "--no-agents"]));
    assert!(err.contains("cannot create the demo fleet"), "{err}");
    ok(stampctl(
        &c,
        &["import", "--replace", file.to_str().unwrap()],
    ));
}

#[test]
fn a_file_that_is_not_a_catalogue_is_reported_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.jpg");
    std::fs::write(&path, [0xFFu8, 0xD8, 0xFF, 0xE0].repeat(500)).unwrap();
    let err = failed(stampctl(&path, &["stamp", "list"]));
    assert!(
        err.contains("photo.jpg: not a Stampfleet catalogue"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        [0xFFu8, 0xD8, 0xFF, 0xE0].repeat(500)
    );
}

#[test]
fn the_catalogue_env_var_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_stampctl"))
        .args(["-o", "json", "info"])
        .env("STAMPFLEET_CATALOGUE", &c)
        .output()
        .unwrap();
    let info: Value = serde_json::from_str(&ok(out)).unwrap();
    assert_eq!(info["path"], c.display().to_string());
    assert_eq!(info["counts"]["tenants"], 60);
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_stampctl"))
        .args(["stamp", "frobnicate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
}

#[test]
fn a_home_that_is_not_a_place_on_earth_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    for (home, says) in [
        ("52.37", "LATITUDE,LONGITUDE"),
        ("north,4.9", "LATITUDE,LONGITUDE"),
        ("95,4.9", "latitude must be within -90..90"),
    ] {
        let out = stampctl(
            &c,
            &[
                "tenant", "place", "acme", "--name", "Acme", "--size", "5", "--home", home,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "--home {home}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--home") && err.contains(says), "{err}");
    }
    // A valid home (negative coordinates included) is taken.
    let out = stampctl(
        &c,
        &[
            "tenant",
            "place",
            "acme",
            "--name",
            "Acme",
            "--size",
            "5",
            "--home",
            "-33.87,151.21",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn plan_rebalance_proposes_moves_offline_and_names_what_it_cannot_fix() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    // No agent runs: planning is offline.
    let plan: Value = serde_json::from_str(&ok(stampctl(
        &c,
        &["-o", "json", "plan", "rebalance", "--limit", "60"],
    )))
    .unwrap();
    assert_eq!(plan["stampsOverBefore"], 3);
    let unresolved = plan["unresolved"].as_array().unwrap();
    assert!(unresolved
        .iter()
        .any(|u| u["stamp"] == "syd-01" && u["reason"].as_str().unwrap().contains("residency")));
    let text = ok(stampctl(&c, &["plan", "rebalance", "--limit", "60"]));
    assert!(text.starts_with("3 stamp(s) over 60%"), "{text}");
    let err =
        String::from_utf8(stampctl(&c, &["plan", "rebalance", "--limit", "0"]).stderr).unwrap();
    assert!(err.contains("between 1 and 100"), "{err}");
}

#[test]
fn a_plan_is_made_offline_shared_as_a_file_and_an_edited_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    ok(stampctl(&c, &["plan", "new", "q3"]));
    ok(stampctl(
        &c,
        &[
            "plan",
            "add",
            "q3",
            "move",
            "contoso-prod",
            "--to",
            "weu-02",
        ],
    ));
    ok(stampctl(&c, &["plan", "add", "q3", "drain", "use-02"]));
    ok(stampctl(
        &c,
        &["plan", "add", "q3", "capacity", "syd-01", "600"],
    ));
    let shown = ok(stampctl(&c, &["plan", "show", "q3"]));
    assert!(
        shown.contains("3 action(s)") && shown.contains("  1. move contoso-prod to weu-02"),
        "{shown}"
    );
    assert!(failed(stampctl(&c, &["plan", "new", "q3"])).contains("exists already"));
    // Projected offline: what changes, and why an action cannot go through.
    ok(stampctl(&c, &["plan", "add", "q3", "retire", "weu-01"]));
    let shown = ok(stampctl(&c, &["plan", "show", "q3"]));
    assert!(shown.contains("after the plan:"), "{shown}");
    assert!(
        shown.contains("warning (action 4): weu-01 still holds"),
        "{shown}"
    );
    ok(stampctl(&c, &["plan", "new", "balance"]));
    let into = ok(stampctl(
        &c,
        &["plan", "rebalance", "--limit", "60", "--into", "balance"],
    ));
    assert!(into.contains("appended to plan \"balance\""), "{into}");

    // To a file, and into a colleague's catalogue.
    let file = dir.path().join("q3.plan.json");
    ok(stampctl(
        &c,
        &["plan", "export", "q3", "--file", file.to_str().unwrap()],
    ));
    let other_dir = tempfile::tempdir().unwrap();
    let other = demo_catalogue(other_dir.path());
    ok(stampctl(
        &other,
        &["plan", "import", file.to_str().unwrap()],
    ));
    let theirs: Value =
        serde_json::from_str(&ok(stampctl(&other, &["-o", "json", "plan", "show", "q3"]))).unwrap();
    let mine: Value =
        serde_json::from_str(&ok(stampctl(&c, &["-o", "json", "plan", "show", "q3"]))).unwrap();
    assert_eq!(theirs, mine);

    // Edited after export: refused with the field, and nothing is written.
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"weu-02\"", "\"weu-01\"");
    let bad = dir.path().join("edited.plan.json");
    std::fs::write(&bad, edited.replace("\"name\": \"q3\"", "\"name\": \"q4\"")).unwrap();
    let err = failed(stampctl(&other, &["plan", "import", bad.to_str().unwrap()]));
    assert!(
        err.contains("edited.plan.json") && err.contains("digest"),
        "{err}"
    );
    let listed = ok(stampctl(&other, &["plan", "list"]));
    assert!(!listed.contains("q4"), "{listed}");

    // Edited in place: a step removed by its number, then the plan deleted.
    let left = ok(stampctl(&c, &["plan", "remove", "q3", "4"]));
    assert!(
        left.contains("3 action(s)") && !left.contains("retire weu-01"),
        "{left}"
    );
    let err = failed(stampctl(&c, &["plan", "remove", "q3", "0"]));
    assert!(err.contains("numbered from 1"), "{err}");
    ok(stampctl(&c, &["plan", "delete", "q3"]));
    let listed = ok(stampctl(&c, &["plan", "list"]));
    assert!(
        !listed.contains("q3") && listed.contains("balance"),
        "{listed}"
    );
}

#[test]
fn a_move_out_of_the_tenants_region_waits_for_a_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let before = std::fs::read(&c).unwrap();
    // contoso-prod lives on weu-01 (West Europe); fra-01 is in Frankfurt.
    let err = failed(stampctl(
        &c,
        &["tenant", "move", "contoso-prod", "--to", "fra-01"],
    ));
    assert!(
        err.contains("contoso-prod would leave West Europe (azure-westeurope) for Europe (Frankfurt) (aws-eu-central-1), about")
            && err.contains("pass --across-regions to confirm"),
        "{err}"
    );
    assert_eq!(std::fs::read(&c).unwrap(), before, "nothing was written");
}

#[test]
fn a_database_url_is_never_taken_for_a_file_path() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: the server is tried, and its refusal is the error.
    for url in [
        "postgres://ops:hunter2@127.0.0.1:1/fleet",
        "sqlite:///tmp/x.sqlite",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_stampctl"))
            .current_dir(dir.path())
            .args(["--catalogue", url, "stamp", "list"])
            .env_remove("STAMPFLEET_CATALOGUE")
            .output()
            .unwrap();
        let err = failed(out);
        if url.starts_with("postgres") {
            assert!(
                err.contains("catalogue server postgres://ops@127.0.0.1:1/fleet")
                    && !err.contains("hunter2"),
                "the server named, its password not: {err}"
            );
            continue;
        }
        assert!(err.contains(url) && err.contains("--catalogue"), "{err}");
        let out = Command::new(env!("CARGO_BIN_EXE_stampctl"))
            .current_dir(dir.path())
            .args(["stamp", "list"])
            .env("STAMPFLEET_CATALOGUE", url)
            .output()
            .unwrap();
        assert!(failed(out).contains("STAMPFLEET_CATALOGUE"));
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing was created"
    );
}
