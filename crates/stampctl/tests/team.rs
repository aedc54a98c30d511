//! A team catalogue on a real PostgreSQL server (started by the tests) through the real
//! stampctl: roles are the server's grants, so a reader's login reads and cannot write,
//! an operator's writes under its own name, and only an admin grants roles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

/// stampctl on the team catalogue at `url`, its local files under `data`.
fn stampctl(url: &str, data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stampctl"))
        .args(["--catalogue", url])
        .args(args)
        .env_remove("STAMPFLEET_CATALOGUE")
        .env_remove("STAMPFLEET_OPERATOR")
        .env("STAMPFLEET_DATA_DIR", data)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "stampctl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refused(out: Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn a_reader_reads_an_operator_writes_under_its_login_and_only_an_admin_grants() {
    let server = test_postgres::shared();
    let owner_url = server.new_database().unwrap();
    let db = owner_url.rsplit('/').next().unwrap().to_owned();
    let data = tempfile::tempdir().unwrap();
    let run = |url: &str, args: &[&str]| stampctl(url, data.path(), args);
    ok(run(&owner_url, &["demo", "--no-agents"]));

    // Logins are the server's (roles are cluster-wide: named after this test's database).
    let (riley, olive) = (format!("riley_{db}"), format!("olive_{db}"));
    server
        .psql(
            "postgres",
            &format!("CREATE ROLE {riley} LOGIN; CREATE ROLE {olive} LOGIN"),
        )
        .unwrap();
    let as_login = |login: &str| owner_url.replacen("stampfleet@", &format!("{login}@"), 1);
    let (riley_url, olive_url) = (as_login(&riley), as_login(&olive));

    // Before any grant, a login cannot even read the catalogue.
    let err = refused(run(&riley_url, &["stamp", "list"]));
    assert!(err.contains("does not allow"), "{err}");

    ok(run(
        &owner_url,
        &["team", "grant", &riley, "--role", "reader"],
    ));
    let members: serde_json::Value =
        serde_json::from_str(&ok(run(&owner_url, &["-o", "json", "team", "list"]))).unwrap();
    let roles: Vec<(String, String)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["login"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        roles.contains(&(riley.clone(), "reader".to_owned())),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("stampfleet".to_owned(), "admin".to_owned())),
        "{roles:?}"
    );

    // A reader reads everything ...
    let stamps: serde_json::Value =
        serde_json::from_str(&ok(run(&riley_url, &["-o", "json", "stamp", "list"]))).unwrap();
    assert_eq!(stamps.as_array().unwrap().len(), 8);
    let info = ok(run(&riley_url, &["info"]));
    assert!(
        info.contains("team catalogue, you are reader") && info.contains(&riley),
        "{info}"
    );
    // ... and changes nothing, whatever it asks.
    let before = ok(run(&owner_url, &["export"]));
    let err = refused(run(&riley_url, &["plan", "new", "q3"]));
    assert!(
        err.contains("the team catalogue refused this") && err.contains("stampctl team grant"),
        "{err}"
    );
    let err = refused(run(&riley_url, &["stamp", "drain", "weu-02"]));
    assert!(err.contains("does not allow"), "{err}");
    assert_eq!(ok(run(&owner_url, &["export"])), before, "nothing changed");
    assert!(!ok(run(&owner_url, &["plan", "list"])).contains("q3"));

    // An operator writes, and the audit log names its login; it cannot grant roles.
    ok(run(
        &owner_url,
        &["team", "grant", &riley, "--role", "operator"],
    ));
    ok(run(&riley_url, &["plan", "new", "q3"]));
    let audit: serde_json::Value = serde_json::from_str(&ok(run(
        &owner_url,
        &["-o", "json", "audit", "--entity", "plan", "--id", "q3"],
    )))
    .unwrap();
    assert_eq!(audit[0]["actor"], riley.as_str(), "{audit}");
    let err = refused(run(
        &riley_url,
        &["team", "grant", &olive, "--role", "admin"],
    ));
    assert!(err.contains("does not allow"), "{err}");
    // An --operator other than the login is refused: the server says who you are.
    let err = refused(run(
        &riley_url,
        &["--operator", "someone-else", "plan", "new", "q4"],
    ));
    assert!(
        err.contains(&format!("names your server login ({riley})")),
        "{err}"
    );

    // An admin grants; the grants are in the audit log under the admin's login.
    ok(run(
        &owner_url,
        &["team", "grant", &olive, "--role", "admin"],
    ));
    ok(run(
        &olive_url,
        &["team", "grant", &riley, "--role", "reader"],
    ));
    let err = refused(run(&riley_url, &["plan", "new", "q5"]));
    assert!(err.contains("does not allow"), "{err}");
    let grants: serde_json::Value = serde_json::from_str(&ok(run(
        &owner_url,
        &["-o", "json", "audit", "--entity", "team-member"],
    )))
    .unwrap();
    let actors: Vec<&str> = grants
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["actor"].as_str().unwrap())
        .collect();
    assert_eq!(
        actors,
        [olive.as_str(), "stampfleet", "stampfleet", "stampfleet"]
    );

    // On a catalogue file there are no roles to grant.
    let file = data.path().join("c.sqlite");
    let err = refused(run(&file.display().to_string(), &["team", "list"]));
    assert!(err.contains("roles belong to a team catalogue"), "{err}");
}
