//! A catalogue has one identity: stamp tokens are named by its UUID, so the file opened
//! by any spelling of its path, renamed or moved finds every token. A catalogue made by
//! the version before schema 9 has its tokens, named after a hash of the path as typed,
//! renamed on first open. The fixtures are that version's own output: its `stampctl
//! --catalogue legacy.sqlite demo` (agents then stopped), the catalogue file
//! (`tests/fixtures/catalogue-schema8-demo.sqlite`) and the token files it wrote
//! (`tests/fixtures/catalogue-schema8-secrets/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use fleet_core::StampId;
use fleet_ops::secrets::{FileStore, SecretStore};
use fleet_ops::Fleet;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/catalogue-schema8-demo.sqlite"
);
const FIXTURE_SECRETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/catalogue-schema8-secrets"
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
    assert_eq!(
        fleet.info().await.unwrap().schema_version,
        u32::try_from(fleet_ops::catalogue::known_schema_version()).unwrap(),
        "migrated to the newest schema"
    );
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
async fn the_previous_versions_own_token_files_are_found_by_another_path() {
    file_secrets();
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    // Its token files, named after "legacy.sqlite" as typed in another directory:
    // that spelling cannot be guessed from here, but the file store beside the
    // catalogue holds exactly one old-style file per stamp.
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    for entry in std::fs::read_dir(FIXTURE_SECRETS).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), secrets.join(entry.file_name())).unwrap();
    }
    let found = tokens_found(&path).await;
    for (stamp, token) in &found {
        let old = Path::new(FIXTURE_SECRETS).join(format!("c4c57c4ba03450ac-{stamp}.admin"));
        let kept = std::fs::read_to_string(old).unwrap();
        assert_eq!(token.as_deref(), Some(kept.as_str()), "{stamp}");
    }
    let left: Vec<_> = std::fs::read_dir(&secrets)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("c4c57c4ba03450ac-"))
        .collect();
    assert!(left.is_empty(), "old names left: {left:?}");
}

#[tokio::test]
async fn a_stamp_without_a_token_says_so_and_names_the_fix() {
    file_secrets();
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let fleet = Fleet::open(&path).await.unwrap();
    let id = StampId::new("weu-01").unwrap();
    // No token file came with the copy: the stamp says so and offers to enter one.
    let health = fleet.check_health(&id).await.unwrap();
    assert_eq!(health.problem, Some(fleet_ops::HealthProblem::NoToken));
    assert_eq!(health.fix, Some(fleet_ops::HealthFix::EnterToken));
    assert!(
        health.detail.contains(&fleet.token_name(&id)),
        "{}",
        health.detail
    );
    let described = health.describe();
    assert!(
        described.contains("stampctl stamp token weu-01"),
        "{described}"
    );
    // Nothing listens at the recorded endpoint any more: the token cannot be checked,
    // so it is not kept.
    let err = fleet.set_stamp_token(&id, "abc").await.unwrap_err();
    assert!(
        err.message.contains("nothing was stored"),
        "{}",
        err.message
    );
    assert_eq!(store(dir.path()).get(&fleet.token_name(&id)).unwrap(), None);
}

#[tokio::test]
async fn an_active_stamp_with_no_endpoint_offers_start_local_stamps() {
    file_secrets();
    let dir = tempfile::tempdir().unwrap();
    let fleet = testkit::demo::offline_demo(dir.path()).await;
    let health = fleet
        .check_health(&StampId::new("weu-01").unwrap())
        .await
        .unwrap();
    assert_eq!(health.problem, Some(fleet_ops::HealthProblem::NoEndpoint));
    assert_eq!(health.fix, Some(fleet_ops::HealthFix::StartLocalStamps));
    let described = health.describe();
    assert!(described.contains("stampctl start-agents"), "{described}");
}
