//! Generated files committed to the UI must match what the Rust code generates now.
//! Regenerate with `STAMPFLEET_WRITE_GENERATED=1 cargo test -p fleet-ops --test generated`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

fn ui_generated(name: &str) -> String {
    format!("ui/src/generated/{name}")
}

/// `name` is relative to the repository's root.
fn check(name: &str, fresh: String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    if std::env::var_os("STAMPFLEET_WRITE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: regenerate with STAMPFLEET_WRITE_GENERATED=1 cargo test -p fleet-ops --test generated",
        path.display()
    );
}

#[test]
fn typescript_bindings_are_fresh() {
    check(
        &ui_generated("bindings.ts"),
        fleet_ops::typescript_bindings(),
    );
}

/// The command list generates the UI's typed client, the window's capability file
/// and the names its build script registers.
#[test]
fn command_surface_files_are_fresh() {
    use fleet_ops::commands::typescript;
    check(
        &ui_generated("commands.ts"),
        typescript::typescript_client(),
    );
    check(
        "src-tauri/capabilities/default.json",
        typescript::capability_file(),
    );
    check("src-tauri/commands.txt", typescript::command_names_file());
}

#[tokio::test]
async fn mock_backend_demo_fleet_is_fresh() {
    // The browser mock shows exactly the overview the real backend builds for the demo.
    let dir = tempfile::tempdir().unwrap();
    let fleet = fleet_ops::Fleet::open(&dir.path().join("c.sqlite"))
        .await
        .unwrap();
    let overview = fleet.create_demo(false).await.unwrap();
    check(
        &ui_generated("demo-overview.json"),
        serde_json::to_string_pretty(&overview).unwrap() + "\n",
    );
    // Every demo tenant with its stamp: the mock answers tenant queries from these.
    let tenants = fleet_core::tenant_views(&fleet.demo_document().unwrap());
    check(
        &ui_generated("demo-tenants.json"),
        serde_json::to_string_pretty(&tenants).unwrap() + "\n",
    );
}

/// The id rule as Rust applies it, on ids of every kind: the UI's inline check (which
/// answers as you type, without a round trip) is tested against these verdicts, so a
/// change to the rule in Rust fails the UI's tests until the UI follows.
#[test]
fn id_rule_verdicts_are_fresh() {
    let samples = [
        "",
        "a",
        "weu-01",
        "wes-77",
        "Wes-03",
        "3wes",
        "wes--03",
        "wes-",
        "wes_03",
        "-a",
        "a-b-c",
        "ab9",
        "a.b",
        "é",
        "a b",
        "x0-",
        &"a".repeat(63),
        &"a".repeat(64),
        "contoso-prod",
        "fra-ded-01",
        "UPPER",
        "a--",
        "z9z9",
    ];
    let verdicts: Vec<serde_json::Value> = samples
        .iter()
        .map(|id| {
            serde_json::json!({
                "id": id,
                "valid": fleet_core::ids::check_slug("stamp", id).is_ok(),
            })
        })
        .collect();
    check(
        &ui_generated("id-rule-verdicts.json"),
        serde_json::to_string_pretty(&verdicts).unwrap() + "\n",
    );
}
