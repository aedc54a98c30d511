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

#[test]
fn a_snapshot_plans_offline_and_its_plan_applies_to_the_team_catalogue_with_the_drift_counted() {
    let server = test_postgres::shared();
    let team = server.new_database().unwrap();
    let data = tempfile::tempdir().unwrap();
    let run = |catalogue: &str, args: &[&str]| stampctl(catalogue, data.path(), args);
    ok(run(&team, &["demo", "--no-agents"]));
    ok(run(&team, &["plan", "new", "q2"]));

    let file = data.path().join("laptop.sqlite");
    let snap = file.display().to_string();
    let said = ok(run(&team, &["snapshot", &snap]));
    assert!(said.contains("8 stamps, 60 tenants, 1 plans"), "{said}");
    let again = refused(run(&team, &["snapshot", &snap]));
    assert!(again.contains("a file is there already"), "{again}");

    // The snapshot is the team's fleet and plans, and says what it is.
    assert_eq!(ok(run(&snap, &["export"])), ok(run(&team, &["export"])));
    assert!(ok(run(&snap, &["plan", "list"])).contains("q2"));
    let info = ok(run(&snap, &["info"]));
    assert!(
        info.contains("a snapshot of postgres://stampfleet@127.0.0.1"),
        "{info}"
    );

    // Planning offline: a plan made there; applying it there is refused.
    ok(run(&snap, &["plan", "new", "q3"]));
    ok(run(
        &snap,
        &["plan", "add", "q3", "capacity", "weu-01", "1200"],
    ));
    let err = refused(run(&snap, &["plan", "apply", "q3"]));
    assert!(
        err.contains("this catalogue is a snapshot of") && err.contains("plan export"),
        "{err}"
    );
    let plan_file = data.path().join("q3.json");
    ok(run(
        &snap,
        &[
            "plan",
            "export",
            "q3",
            "--file",
            &plan_file.display().to_string(),
        ],
    ));

    // Meanwhile the team changed; the plan goes back and its check counts the change.
    ok(run(&team, &["stamp", "drain", "syd-01", "--no-moves"]));
    ok(run(
        &team,
        &["plan", "import", &plan_file.display().to_string()],
    ));
    let check: serde_json::Value =
        serde_json::from_str(&ok(run(&team, &["-o", "json", "plan", "check", "q3"]))).unwrap();
    assert_eq!(check["changesSinceBase"], 1, "{check}");
    // (No agent runs here: the only conflicts are the stamps' health, none from the copy.)
    let conflicts = check["conflicts"].as_array().unwrap();
    assert!(
        conflicts.iter().all(|c| c["message"]
            .as_str()
            .unwrap()
            .contains("is not healthy now")),
        "{check}"
    );
}
