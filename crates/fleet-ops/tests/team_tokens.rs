//! Stamp tokens on a team catalogue, with real agents and a real PostgreSQL server: the
//! operator who made the demo fleet holds the stamps' admin tokens; a second operator
//! (another login, another machine's secret store) has none, registers its own token's
//! hash, is enrolled by the first on every stamp and then works them, until revoked.
//! No token is ever in the shared database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::StampId;
use fleet_ops::{Fleet, HealthProblem, HealthState};

#[tokio::test]
async fn a_second_operator_is_enrolled_by_hash_works_the_stamps_and_is_revoked() {
    testkit::use_built_agent();
    let server = test_postgres::shared();
    let url = server.new_database().unwrap();
    let db = url.rsplit('/').next().unwrap().to_owned();
    let (alice_dir, bob_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let alice = Fleet::open_with_data_dir(std::path::Path::new(&url), Some(alice_dir.path()))
        .await
        .unwrap();
    let _stop = testkit::StopAgents(format!("--data-dir {}", alice.home().display()));
    alice.create_demo(true).await.unwrap();

    let bob_login = format!("bob_{db}");
    server
        .psql("postgres", &format!("CREATE ROLE {bob_login} LOGIN"))
        .unwrap();
    alice.grant_team_role(&bob_login, "operator").await.unwrap();
    let bob_url = url.replacen("stampfleet@", &format!("{bob_login}@"), 1);
    // Bob's machine: its own data directory, so its own secret store.
    let bob = Fleet::open_with_data_dir(std::path::Path::new(&bob_url), Some(bob_dir.path()))
        .await
        .unwrap();
    let weu = StampId::new("weu-01").unwrap();

    // Bob registered his token's hash on opening; no stamp knows it yet.
    let registered = bob.operator_tokens().await.unwrap();
    assert!(
        registered.iter().any(|t| t.login == bob_login),
        "{registered:?}"
    );
    let before = bob.check_health(&weu).await.unwrap();
    assert_eq!(
        before.problem,
        Some(HealthProblem::TokenRefused),
        "{}",
        before.detail
    );

    // Alice enrolls everyone registered on every stamp she holds the admin token of.
    let outcomes = alice.enroll_operators().await.unwrap();
    assert_eq!(outcomes.len(), 8, "{outcomes:?}");
    for o in &outcomes {
        assert_eq!(o.error, None, "{o:?}");
        assert!(o.operators.contains(&bob_login), "{o:?}");
    }
    let health = bob.check_health(&weu).await.unwrap();
    assert_eq!(health.state, HealthState::Healthy, "{}", health.detail);
    // Bob works the stamp: its tenants, as the stamp answers them.
    let tenants = bob
        .stamp_client(&weu)
        .await
        .unwrap()
        .tenants()
        .await
        .unwrap();
    assert!(!tenants.is_empty());

    // The shared database holds hashes, never a token.
    let bob_token = std::fs::read_dir(bob.home().join("secrets"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|t| t.starts_with("o."))
        .expect("bob's own token in his secret store");
    let location = std::path::PathBuf::from(&url);
    assert!(!testkit::team::catalogue_holds(&location, bob_token.trim()));

    // Revoked: refused by every stamp, and forgotten by the catalogue.
    let outcomes = alice.revoke_operator(&bob_login).await.unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| o.error.is_none() && !o.operators.contains(&bob_login)),
        "{outcomes:?}"
    );
    let after = bob.check_health(&weu).await.unwrap();
    assert_eq!(
        after.problem,
        Some(HealthProblem::TokenRefused),
        "{}",
        after.detail
    );
    assert!(!alice
        .operator_tokens()
        .await
        .unwrap()
        .iter()
        .any(|t| t.login == bob_login));
}
