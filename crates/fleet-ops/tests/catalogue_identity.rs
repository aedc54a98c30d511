//! A catalogue has one identity: stamp tokens are named by its UUID, so the file opened
//! by any spelling of its path, renamed or moved finds every token. A catalogue made by
//! the version before schema 9 (`tests/fixtures/catalogue-schema8-demo.sqlite`, written
//! by that version's `stampctl demo --no-agents`) has its tokens, named after a hash of
//! the path as typed, renamed on first open.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use fleet_core::StampId;
use fleet_ops::secrets::{FileStore, SecretStore};
use fleet_ops::Fleet;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/catalogue-schema8-demo.sqlite"
);
const DEMO_STAMPS: [&str; 8] = [
    "fra-01",
    "fra-ded-01",
    "syd-01",
    "tyo-01",
    "use-01",
    "use-02",
    "weu-01",
    "weu-02",
];

fn file_secrets() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::env::set_var("STAMPFLEET_SECRETS", "file"));
}

/// How the version before schema 9 named a stamp's token: FNV-1a of the path as typed.
fn legacy_name(path_as_typed: &str, stamp: &str) -> String {
    let hash = path_as_typed
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    format!("{hash:016x}-{stamp}.admin")
}

fn store(dir: &Path) -> FileStore {
    FileStore {
        dir: dir.join("secrets"),
        why: None,
    }
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("c.sqlite");
    std::fs::copy(FIXTURE, &path).unwrap();
    path
}

async fn tokens_found(path: &Path) -> Vec<(String, Option<String>)> {
    let fleet = Fleet::open(path).await.unwrap();
    let secrets = store(path.parent().unwrap());
    let found = DEMO_STAMPS
        .iter()
        .map(|s| {
            let name = fleet.token_name(&StampId::new(*s).unwrap());
            (s.to_string(), secrets.get(&name).unwrap())
        })
        .collect();
    fleet.close().await;
    found
}

#[tokio::test]
async fn tokens_of_a_schema8_catalogue_are_renamed_on_first_open() {
    file_secrets();
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let secrets = store(dir.path());
    // The old version, opened as ".../c.sqlite", kept each token under that spelling.
    let typed = path.display().to_string();
    for stamp in DEMO_STAMPS {
        secrets
            .put(&legacy_name(&typed, stamp), &format!("token-of-{stamp}"))
            .unwrap();
    }

    let found = tokens_found(&path).await;
    for (stamp, token) in &found {
        assert_eq!(
            token.as_deref(),
            Some(&*format!("token-of-{stamp}")),
            "{stamp}"
        );
        assert_eq!(
            secrets.get(&legacy_name(&typed, stamp)).unwrap(),
            None,
            "old name kept"
        );
    }
    let fleet = Fleet::open(&path).await.unwrap();
    assert_eq!(fleet.info().await.unwrap().schema_version, 9);
    assert_eq!(fleet.info().await.unwrap().counts.stamps, 8);
    fleet.close().await;

    // Another spelling of the same file, then renamed: every token is still found.
    let dotted = dir.path().join(".").join("sub").join("..").join("c.sqlite");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    assert_eq!(tokens_found(&dotted).await, found);
    let renamed = dir.path().join("fleet.sqlite");
    std::fs::rename(&path, &renamed).unwrap();
    assert_eq!(tokens_found(&renamed).await, found);
}

#[tokio::test]
async fn a_token_kept_under_a_spelling_not_tried_is_found_in_the_file_store() {
    file_secrets();
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let secrets = store(dir.path());
    // Opened once from somewhere else, as "../elsewhere/c.sqlite": that spelling
    // cannot be guessed, but the file store beside the catalogue held only this one.
    secrets
        .put(
            &legacy_name("../elsewhere/c.sqlite", "weu-01"),
            "lone-token",
        )
        .unwrap();
    let found = tokens_found(&path).await;
    let weu = found.iter().find(|(s, _)| s == "weu-01").unwrap();
    assert_eq!(weu.1.as_deref(), Some("lone-token"));
    // The others had no token anywhere: nothing is invented for them.
    assert!(found
        .iter()
        .filter(|(s, _)| s != "weu-01")
        .all(|(_, t)| t.is_none()));
}

#[tokio::test]
async fn a_stamp_without_a_token_says_so_and_names_the_fix() {
    file_secrets();
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let fleet = Fleet::open(&path).await.unwrap();
    let id = StampId::new("weu-01").unwrap();
    // The demo was made without agents: no endpoint, so Start local stamps is the fix.
    let health = fleet.check_health(&id).await.unwrap();
    assert_eq!(health.problem, Some(fleet_ops::HealthProblem::NoEndpoint));
    assert_eq!(health.fix, Some(fleet_ops::HealthFix::StartLocalStamps));
    assert!(
        health.describe().contains("stampctl start-agents"),
        "{}",
        health.describe()
    );
    fleet
        .set_stamp_endpoint(&id, "http://127.0.0.1:9")
        .await
        .unwrap();
    let health = fleet.check_health(&id).await.unwrap();
    assert_eq!(health.problem, Some(fleet_ops::HealthProblem::NoToken));
    assert_eq!(health.fix, Some(fleet_ops::HealthFix::EnterToken));
    assert!(
        health.detail.contains(&fleet.token_name(&id)),
        "{}",
        health.detail
    );
    let err = fleet.set_stamp_token(&id, "abc").await.unwrap_err();
    assert!(
        err.message.contains("nothing was stored"),
        "{}",
        err.message
    );
    assert_eq!(store(dir.path()).get(&fleet.token_name(&id)).unwrap(), None);
}
