//! The audit log from a terminal: who changed what, filtered, since a time, as CSV,
//! and operator names that cannot be one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{demo_catalogue, failed, ok, stampctl, stampctl_as};

#[test]
fn the_audit_log_names_who_changed_what_and_filters_by_operator_and_entity() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c.sqlite");
    ok(stampctl_as("alice", &c, &["demo", "--no-agents"]));
    ok(stampctl_as(
        "alice",
        &c,
        &["--operator", "bob", "plan", "new", "q1"],
    ));

    let rows: Value = serde_json::from_str(&ok(stampctl(
        &c,
        &["-o", "json", "audit", "--actor", "bob"],
    )))
    .unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(
        (
            &rows[0]["via"],
            &rows[0]["action"],
            &rows[0]["entity"],
            &rows[0]["entityId"]
        ),
        (
            &"plan".into(),
            &"create".into(),
            &"plan".into(),
            &"q1".into()
        )
    );

    let table = ok(stampctl(
        &c,
        &["audit", "--entity", "stamp", "--id", "weu-01"],
    ));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(
        lines[0].starts_with("ROW") && lines[0].contains("ACTOR") && lines[0].contains("CHANGE")
    );
    assert!(
        lines[1].contains(" alice ")
            && lines[1].contains(" demo ")
            && lines[1].ends_with("created"),
        "{table}"
    );

    let info = ok(stampctl_as("carol", &c, &["info"]));
    assert!(info.contains("operator   carol\n"), "{info}");
}

#[test]
fn an_operator_name_that_cannot_be_one_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(dir.path());
    let before = std::fs::read(&c).unwrap();
    let err = failed(stampctl_as("  ", &c, &["plan", "new", "q1"]));
    assert!(
        err.contains("STAMPFLEET_OPERATOR") && err.contains("empty"),
        "{err}"
    );
    let err = failed(stampctl(
        &c,
        &["--operator", "eve\u{1b}[31m", "plan", "new", "q1"],
    ));
    assert!(err.contains("control character"), "{err}");
    assert_eq!(
        std::fs::read(&c).unwrap(),
        before,
        "the catalogue is unchanged"
    );
    assert!(ok(stampctl(&c, &["plan", "list"])).lines().count() <= 1);
}

#[test]
fn the_audit_log_is_read_since_a_time_and_exported_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c.sqlite");
    ok(stampctl_as("alice, ops", &c, &["demo", "--no-agents"]));

    let csv = ok(stampctl(
        &c,
        &["audit", "--since", "1h", "--csv", "--limit", "3"],
    ));
    // The demo's creations are one row, with its counts.
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert_eq!(
        lines[0],
        "row,at,actor,via,action,entity,entity_id,change,before,after"
    );
    assert!(
        lines[1].contains(
            ",\"alice, ops\",demo,create,catalogue,catalogue,\"created 60 bindings, 8 stamps,"
        ),
        "{csv}"
    );

    let future = ok(stampctl(&c, &["audit", "--since", "2999-01-01"]));
    assert_eq!(future, "no audit rows match\n");
    let err = failed(stampctl(&c, &["audit", "--since", "yesterday"]));
    assert!(err.contains("since \"yesterday\": not a time"), "{err}");
}
