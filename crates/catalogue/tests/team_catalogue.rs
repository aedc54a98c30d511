//! A team catalogue on a real PostgreSQL server (started by the tests): the same fleet
//! reads back the same from either backend, a database that is not a catalogue is
//! refused untouched, two operators racing for one tenant get one winner and a clear
//! refusal, and a run's lease is held by one process at a time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use catalogue::{Backend, Catalogue, CatalogueError, OperationKind};
use fleet_core::{builtin_regions, demo::demo_fleet, synthetic::synthetic_fleet, TenantQuery};

#[tokio::test]
async fn the_same_fleet_reads_back_the_same_from_either_backend() {
    let regions = builtin_regions().unwrap();
    let doc = synthetic_fleet(&regions, 40, 900, 11).unwrap();
    let [file, server]: [support::Opened; 2] =
        support::each_with(&doc).await.try_into().ok().unwrap();
    let (a, b) = (&file.catalogue, &server.catalogue);
    assert_eq!(b.backend(), Backend::Postgres);

    let exported = a.document().await.unwrap();
    assert_eq!(exported, doc, "the file gives back what was imported");
    assert_eq!(
        b.document().await.unwrap(),
        exported,
        "the server gives back the same"
    );
    assert_eq!(
        serde_json::to_string(&b.document().await.unwrap()).unwrap(),
        serde_json::to_string(&exported).unwrap(),
        "the exported documents are identical, byte for byte"
    );
    assert_eq!(a.counts().await.unwrap(), b.counts().await.unwrap());
    assert_eq!(a.regions().await.unwrap(), b.regions().await.unwrap());
    let everything = TenantQuery {
        text: Some("E".into()),
        limit: 1000,
        ..TenantQuery::default()
    };
    let (pa, pb) = (
        a.tenants(&everything).await.unwrap(),
        b.tenants(&everything).await.unwrap(),
    );
    assert!(pa.total > 0);
    assert_eq!(pa, pb, "search finds the same tenants in the same order");

    // The audit trail of the import: the same rows in the same order.
    let trail = |rows: Vec<catalogue::AuditEntry>| -> Vec<_> {
        rows.into_iter()
            .map(|r| (r.action, r.entity, r.entity_id, r.before, r.after))
            .collect()
    };
    assert_eq!(
        trail(a.audit(10_000).await.unwrap()),
        trail(b.audit(10_000).await.unwrap())
    );
    // Replacing it with another fleet writes the same changes on both.
    let other = demo_fleet(&regions).unwrap();
    let (na, nb) = (
        a.replace_all(&other, "import").await.unwrap(),
        b.replace_all(&other, "import").await.unwrap(),
    );
    assert_eq!(na, nb);
    assert_eq!(a.document().await.unwrap(), b.document().await.unwrap());
    // The routing table counts every binding change alike (per row on SQLite, per
    // statement over its rows on PostgreSQL): the same version, the same routes.
    let (ra, rb) = (a.routes().await.unwrap(), b.routes().await.unwrap());
    assert_eq!(ra.version, rb.version);
    assert_eq!(ra.routes, rb.routes);
    let overview = |c: &Catalogue| {
        let c = c.clone();
        async move { c.overview(&c.regions().await.unwrap()).await.unwrap() }
    };
    assert_eq!(
        overview(a).await,
        overview(b).await,
        "the same loads per stamp"
    );
}

#[tokio::test]
async fn a_database_that_is_not_a_catalogue_is_refused_untouched() {
    let server = test_postgres::shared();
    let url = server.new_database().unwrap();
    let db = url.rsplit('/').next().unwrap();
    server
        .psql(
            db,
            "CREATE TABLE invoices (id BIGINT PRIMARY KEY); INSERT INTO invoices VALUES (7);",
        )
        .unwrap();
    let err = Catalogue::open_server(&url).await.err().expect("refused");
    assert!(matches!(err, CatalogueError::NotACatalogue { .. }), "{err}");
    assert!(err.to_string().contains("other tables (1)"), "{err}");
    assert_eq!(
        server
            .psql(db, "SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'public'")
            .unwrap()
            .trim(),
        "invoices",
        "no table was added"
    );

    // A catalogue written by a newer Stampfleet is refused too, and left as it is.
    let url = server.new_database().unwrap();
    let db = url.rsplit('/').next().unwrap().to_owned();
    Catalogue::open_server(&url).await.unwrap().close().await;
    server
        .psql(&db, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99, 'future', true, '\\x00', 0)")
        .unwrap();
    let err = Catalogue::open_server(&url).await.err().expect("refused");
    assert!(
        matches!(err, CatalogueError::NewerSchema { found: 99, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_named_without_its_password() {
    let err = Catalogue::open_server("postgres://ops:s3cret@127.0.0.1:1/fleet")
        .await
        .err()
        .expect("nothing listens on port 1");
    let text = err.to_string();
    assert!(text.contains("postgres://ops@127.0.0.1:1/fleet"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

#[tokio::test]
async fn two_operators_racing_for_one_tenant_get_one_winner_and_a_clear_refusal() {
    let regions = builtin_regions().unwrap();
    let doc = demo_fleet(&regions).unwrap();
    let server = support::open_new(Backend::Postgres).await;
    server.catalogue.replace_all(&doc, "import").await.unwrap();
    let binding = doc.bindings[0].clone();
    let target = doc
        .stamps
        .iter()
        .find(|s| s.id != binding.stamp)
        .unwrap()
        .id
        .clone();
    for round in 0..5 {
        // Two operators, each with their own connections, start the same move at once.
        let alice = Catalogue::open_location(&server.location).await.unwrap();
        let bob = Catalogue::open_location(&server.location).await.unwrap();
        let version = i64::from(binding.version);
        let (a, b) = tokio::join!(
            alice.begin_move(&binding.tenant, &binding.stamp, &target, version, "{}"),
            bob.begin_move(&binding.tenant, &binding.stamp, &target, version, "{}"),
        );
        let (won, lost) = match (a, b) {
            (Ok(id), Err(e)) | (Err(e), Ok(id)) => (id, e),
            other => panic!("round {round}: exactly one must win: {other:?}"),
        };
        assert!(
            lost.to_string().contains("is already moving"),
            "round {round}: {lost}"
        );
        alice
            .journal(
                won,
                catalogue::OperationState::Failed,
                "rolled-back",
                "test",
            )
            .await
            .unwrap();
    }
    let moves = server
        .catalogue
        .operations_of_kind(OperationKind::MoveTenant, 100)
        .await
        .unwrap();
    assert_eq!(
        moves.len(),
        5,
        "one operation per round, none lost, none doubled"
    );
}

#[tokio::test]
async fn a_run_lease_is_held_by_one_process_at_a_time_and_freed_when_it_ends() {
    let server = support::open_new(Backend::Postgres).await;
    let other = Catalogue::open_location(&server.location).await.unwrap();
    let held = server
        .catalogue
        .try_run_lease("move-7")
        .await
        .unwrap()
        .expect("free");
    assert!(
        other.try_run_lease("move-7").await.unwrap().is_none(),
        "held elsewhere"
    );
    let unrelated = other.try_run_lease("move-8").await.unwrap();
    assert!(unrelated.is_some(), "another run's lease is its own");
    held.release().await;
    assert!(
        other.try_run_lease("move-7").await.unwrap().is_some(),
        "free again"
    );

    // A catalogue file has no leases: its runs use lock files.
    let file = support::open_new(Backend::Sqlite).await;
    assert!(file.catalogue.try_run_lease("move-7").await.is_err());
}

#[tokio::test]
async fn a_change_made_elsewhere_is_noticed_on_either_backend() {
    let doc = demo_fleet(&builtin_regions().unwrap()).unwrap();
    for opened in support::each_with(&doc).await {
        let on = opened.backend.name();
        let mut watch = opened.catalogue.watch_changes().await.unwrap();
        // Another operator, through a catalogue handle (connections) of its own.
        let other = Catalogue::open_location(&opened.location).await.unwrap();
        let stamp = doc.stamps[0].id.clone();
        other
            .set_stamp_status(
                &stamp,
                fleet_core::StampStatus::Draining,
                None,
                None,
                "test",
            )
            .await
            .unwrap();
        // Bounded only so a broken watch fails instead of hanging the suite.
        tokio::time::timeout(std::time::Duration::from_secs(60), watch.next())
            .await
            .unwrap_or_else(|_| panic!("{on}: the change was never noticed"))
            .unwrap();
    }
}
