//! The catalogue on real SQLite files: settings, audit rows, atomic writes, and refusal
//! of files it must not touch (not SQLite, damaged, foreign, newer schema).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use catalogue::{Catalogue, CatalogueError};
use fleet_core::{builtin_regions, demo::demo_fleet, CatalogueDocument, StampId};
use sqlx::Connection;

fn demo() -> CatalogueDocument {
    demo_fleet(&builtin_regions().unwrap()).unwrap()
}

async fn demo_catalogue(path: &Path) -> Catalogue {
    let c = Catalogue::open(path).await.unwrap();
    c.replace_all(&demo(), "test").await.unwrap();
    c
}

#[tokio::test]
async fn fresh_file_is_migrated_with_wal_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/catalogue.sqlite");
    let c = Catalogue::open(&path).await.unwrap();
    assert_eq!(c.pragmas().await.unwrap(), ("wal".to_owned(), 2, 1));
    let counts = c.counts().await.unwrap();
    assert_eq!(
        (
            counts.regions,
            counts.stamps,
            counts.tenants,
            counts.audit_rows
        ),
        (85, 0, 0, 0)
    );
    assert_eq!(catalogue::known_schema_version(), 21);
}

#[tokio::test]
async fn every_change_writes_an_audit_row_with_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(&dir.path().join("c.sqlite")).await;
    let doc = demo();
    // What the write created is one row (read back with its counts; it names every
    // created entity by id, which a question about one entity finds: audit_log.rs).
    assert_eq!(c.counts().await.unwrap().audit_rows, 1);
    let created = c.audit(1).await.unwrap().remove(0);
    let counts: serde_json::Value =
        serde_json::from_str(created.after.as_deref().unwrap()).unwrap();
    assert_eq!(counts["stamp"], doc.stamps.len());
    assert_eq!(counts["tenant"], doc.tenants.len());

    let mut changed = doc.clone();
    changed.tenants[0].size_units += 5;
    let gone = changed.tenants.remove(1).id;
    changed.bindings.retain(|b| b.tenant != gone);
    let mut new_tenant = doc.tenants[2].clone();
    new_tenant.id = "t-added".parse().unwrap();
    changed.tenants.push(new_tenant);
    changed.canonicalize();
    assert_eq!(c.replace_all(&changed, "alice").await.unwrap(), 4);

    let rows = c.audit(4).await.unwrap();
    let creations = rows.iter().find(|r| r.action == "create").unwrap();
    assert_eq!(
        (creations.entity.as_str(), creations.after.as_deref()),
        ("catalogue", Some(r#"{"tenant":1}"#))
    );
    let update = rows.iter().find(|r| r.action == "update").unwrap();
    assert_eq!(
        (update.entity.as_str(), update.via.as_str()),
        ("tenant", "alice")
    );
    assert!(update
        .before
        .as_deref()
        .unwrap()
        .contains(&format!("\"sizeUnits\":{}", doc.tenants[0].size_units)));
    assert!(update
        .after
        .as_deref()
        .unwrap()
        .contains(&format!("\"sizeUnits\":{}", doc.tenants[0].size_units + 5)));
    let deletes: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "delete")
        .map(|r| (r.entity.as_str(), r.entity_id.as_str()))
        .collect();
    assert_eq!(
        deletes,
        [("tenant", gone.as_str()), ("binding", gone.as_str())]
    );
    assert!(rows.iter().all(|r| r.at.ends_with('Z')));
    assert_eq!(c.document().await.unwrap(), changed);
}

#[tokio::test]
async fn a_failed_write_leaves_data_and_audit_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let c = demo_catalogue(&dir.path().join("c.sqlite")).await;
    let before = c.document().await.unwrap();
    let audit_before = c.counts().await.unwrap().audit_rows;

    // Unvalidated on purpose: the last binding points at a stamp that does not exist,
    // so the database's foreign key refuses the transaction after many rows went in.
    let mut bad = demo();
    bad.tenants[0].display_name = "Renamed".into();
    bad.bindings.last_mut().unwrap().stamp = StampId::new("nowhere-01").unwrap();
    let err = c.replace_all(&bad, "test").await.unwrap_err();
    assert!(matches!(err, CatalogueError::Database(_)), "{err}");

    assert_eq!(c.document().await.unwrap(), before);
    assert_eq!(c.counts().await.unwrap().audit_rows, audit_before);
}

#[tokio::test]
async fn reopening_keeps_everything_and_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    demo_catalogue(&path).await.close().await;
    let bytes = std::fs::read(&path).unwrap();
    let c = Catalogue::open(&path).await.unwrap();
    assert_eq!(c.document().await.unwrap(), demo());
    assert_eq!(c.counts().await.unwrap().regions, 85);
    c.close().await;
    assert!(
        std::fs::read(&path).unwrap() == bytes,
        "opening an up-to-date catalogue wrote to it"
    );
}

async fn assert_refused_untouched(path: &Path, expect: fn(&CatalogueError) -> bool) -> String {
    let bytes = std::fs::read(path).unwrap();
    let err = match Catalogue::open(path).await {
        Ok(_) => panic!("{} was opened", path.display()),
        Err(e) => e,
    };
    assert!(expect(&err), "unexpected error: {err}");
    assert!(
        std::fs::read(path).unwrap() == bytes,
        "{} was modified",
        path.display()
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "message does not name the file: {msg}"
    );
    msg
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_reported_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(100)).unwrap();
    let msg =
        assert_refused_untouched(&path, |e| matches!(e, CatalogueError::NotACatalogue { .. }))
            .await;
    assert!(msg.contains("not an SQLite database"), "{msg}");
}

#[tokio::test]
async fn a_damaged_catalogue_is_reported_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    demo_catalogue(&path).await.close().await;
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 16_384, "demo catalogue spans several pages");
    for b in &mut bytes[8192..16_384] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let msg =
        assert_refused_untouched(&path, |e| matches!(e, CatalogueError::Corrupt { .. })).await;
    assert!(msg.contains("damaged"), "{msg}");
}

#[tokio::test]
async fn another_programs_database_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let msg =
        assert_refused_untouched(&path, |e| matches!(e, CatalogueError::NotACatalogue { .. }))
            .await;
    assert!(msg.contains("other tables"), "{msg}");
}

#[tokio::test]
async fn a_catalogue_from_a_newer_schema_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    demo_catalogue(&path).await.close().await;
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let msg = assert_refused_untouched(&path, |e| {
        matches!(
            e,
            CatalogueError::NewerSchema {
                found: 99,
                known,
                ..
            } if *known == catalogue::known_schema_version()
        )
    })
    .await;
    assert!(msg.contains("newer Stampfleet"), "{msg}");
}

#[tokio::test]
async fn template_tiers_are_stored_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let mut doc = demo();
    doc.templates[0].tiers = vec![fleet_core::Tier::Premium, fleet_core::Tier::Enterprise];
    let c = Catalogue::open(&path).await.unwrap();
    c.replace_all(&doc, "test").await.unwrap();
    c.close().await;
    let c = Catalogue::open(&path).await.unwrap();
    let back = c.document().await.unwrap();
    assert_eq!(back.templates, doc.templates);
    assert!(back.templates.iter().any(|t| t.tiers.len() == 2));
}

#[tokio::test]
async fn a_catalogue_keeps_one_identity_by_any_path_renamed_or_moved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let c = Catalogue::open(&path).await.unwrap();
    let id = c.id().to_owned();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(&id[14..15], "4", "a version 4 UUID: {id}");
    assert!(
        c.token_names_migrated().await.unwrap(),
        "a new catalogue has nothing to rename"
    );
    c.close().await;

    // The same file by another spelling of its path.
    let dotted = dir.path().join(".").join("c.sqlite");
    let c = Catalogue::open(&dotted).await.unwrap();
    assert_eq!(c.id(), id);
    c.close().await;

    // Renamed, then moved to another directory.
    let renamed = dir.path().join("fleet.sqlite");
    std::fs::rename(&path, &renamed).unwrap();
    let moved_dir = dir.path().join("elsewhere");
    std::fs::create_dir(&moved_dir).unwrap();
    let moved = moved_dir.join("fleet.sqlite");
    std::fs::rename(&renamed, &moved).unwrap();
    let c = Catalogue::open(&moved).await.unwrap();
    assert_eq!(c.id(), id);
    c.close().await;

    // Another catalogue has another identity.
    let other = Catalogue::open(&dir.path().join("other.sqlite"))
        .await
        .unwrap();
    assert_ne!(other.id(), id);
}

/// The journal's kinds and states are types: a stored value that is none of them (a
/// damaged or hand-edited file) is an error naming the column, never read as running.
#[tokio::test]
async fn a_corrupt_operation_state_is_an_error_not_a_guess() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let c = demo_catalogue(&path).await;
    let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    // The schema's CHECK refuses it; a file edited by hand need not have one.
    sqlx::query("PRAGMA ignore_check_constraints = ON")
        .execute(&mut raw)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO operations (kind, subject, state, step, detail, params, started_at, updated_at) \
         VALUES ('move-tenant', 'contoso-prod', 'runnin', 'importing', '', '{}', '', '')",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    raw.close().await.unwrap();
    let e = c.operations(10).await.unwrap_err().to_string();
    assert!(e.contains("state"), "{e}");
    assert!(e.contains("runnin"), "{e}");
}

/// The triggers and indexes of tenants and bindings, as the schema holds them.
async fn schema_of_tenants_and_bindings(path: &Path) -> Vec<(String, String, Option<String>)> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let objects = sqlx::query_as(
        "SELECT type, name, sql FROM sqlite_master \
         WHERE tbl_name IN ('tenants', 'bindings') ORDER BY type, name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    objects
}

#[tokio::test]
async fn a_whole_catalogue_write_leaves_the_triggers_and_indexes_as_they_were_and_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let c = Catalogue::open(&path).await.unwrap();
    let schema = schema_of_tenants_and_bindings(&path).await;
    assert!(
        schema.iter().filter(|(kind, ..)| kind == "trigger").count() >= 7
            && schema
                .iter()
                .any(|(_, name, _)| name == "bindings_by_stamp"),
        "{schema:#?}"
    );
    // The write sets them aside while it writes; they are back, the same, after it.
    c.replace_all(&demo(), "import").await.unwrap();
    assert_eq!(schema_of_tenants_and_bindings(&path).await, schema);

    // And they work: a tenant moved after the write moves its stamp's load, and a
    // renamed one is found under its new name (each by its trigger).
    let doc = demo();
    let tenant = &doc.tenants[0];
    let from = doc.bindings.iter().find(|b| b.tenant == tenant.id).unwrap();
    let to = doc.stamps.iter().find(|s| s.id != from.stamp).unwrap();
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let load = |stamp: &StampId| {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT tenants, used_units FROM stamp_loads WHERE stamp = ?",
        )
        .bind(stamp.to_string())
    };
    let before = load(&to.id).fetch_one(&mut conn).await.unwrap();
    sqlx::query("UPDATE bindings SET stamp = ? WHERE tenant = ?")
        .bind(to.id.as_str())
        .bind(tenant.id.as_str())
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE tenants SET display_name = 'Quokka Logistics' WHERE id = ?")
        .bind(tenant.id.as_str())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let after = load(&to.id)
        .fetch_one(&mut sqlx::SqliteConnection::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        after,
        (before.0 + 1, before.1 + i64::from(tenant.size_units))
    );
    let found = c
        .tenants(&fleet_core::TenantQuery {
            text: Some("quokka".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.total, 1);
}
