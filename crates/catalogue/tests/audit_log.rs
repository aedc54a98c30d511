//! The audit log names who made each change (the operator) and through what part of
//! Stampfleet, reads back filtered and paged, and keeps what older catalogues recorded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use catalogue::{AuditQuery, Backend, Catalogue};
use fleet_core::{builtin_regions, demo::demo_fleet, StampStatus};

/// A demo catalogue made by the version before schema 9 (schema 8): its audit rows
/// recorded only the part of Stampfleet that wrote them ("demo").
const SCHEMA8: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fleet-ops/tests/fixtures/catalogue-schema8-demo.sqlite"
);

fn query(f: impl FnOnce(&mut AuditQuery)) -> AuditQuery {
    let mut q = AuditQuery {
        limit: 1000,
        ..AuditQuery::default()
    };
    f(&mut q);
    q
}

#[tokio::test]
async fn each_row_names_its_operator_and_reads_back_by_operator_entity_and_page() {
    // On a file, the operator is whom the handle is told (STAMPFLEET_OPERATOR, --operator).
    let file = support::open_new(Backend::Sqlite).await;
    let alice = Catalogue::open_location(&file.location)
        .await
        .unwrap()
        .with_operator("alice@laptop")
        .unwrap();
    let bob = Catalogue::open_location(&file.location)
        .await
        .unwrap()
        .with_operator(" bob ")
        .unwrap();
    assert_eq!(bob.operator(), "bob");
    each_row_names_its_operator(alice, bob).await;

    // On a team catalogue, it is the server's login: two logins granted the operator role.
    let team = support::open_new(Backend::Postgres).await;
    let db = team.location.rsplit('/').next().unwrap().to_owned();
    let mut handles = Vec::new();
    for name in ["alice", "bob"] {
        let login = format!("{name}_{db}");
        test_postgres::shared()
            .psql("postgres", &format!("CREATE ROLE {login} LOGIN"))
            .unwrap();
        team.catalogue
            .grant_role(&login, catalogue::TeamRole::Operator, "test")
            .await
            .unwrap();
        let url = team
            .location
            .replacen("stampfleet@", &format!("{login}@"), 1);
        let handle = Catalogue::open_location(&url).await.unwrap();
        assert_eq!(handle.operator(), login);
        assert!(
            handle.clone().with_operator("mallory").is_err(),
            "no other name"
        );
        handles.push(handle);
    }
    let bob = handles.pop().unwrap();
    each_row_names_its_operator(handles.pop().unwrap(), bob).await;
}

/// Two operators on one catalogue (a file, or a team's database), with no rows yet.
async fn each_row_names_its_operator(alice: Catalogue, bob: Catalogue) {
    let (alice_name, bob_name) = (alice.operator().to_owned(), bob.operator().to_owned());
    let doc = demo_fleet(&builtin_regions().unwrap()).unwrap();
    let created = alice.replace_all(&doc, "import").await.unwrap();

    let stamp = doc.stamps[0].id.clone();
    bob.set_stamp_status(&stamp, StampStatus::Draining, None, None, "stampctl")
        .await
        .unwrap();

    let by_bob = bob
        .audit_page(&query(|q| q.actor = Some(bob_name.clone())))
        .await
        .unwrap();
    assert_eq!(by_bob.len(), 1, "{by_bob:#?}");
    let row = &by_bob[0];
    assert_eq!(
        (
            row.via.as_str(),
            row.action.as_str(),
            row.entity.as_str(),
            row.entity_id.as_str()
        ),
        ("stampctl", "update", "stamp", stamp.as_str())
    );
    assert_eq!(row.summary, r#"status: "active" -> "draining""#);

    let by_alice = bob
        .audit_page(&query(|q| q.actor = Some(alice_name.clone())))
        .await
        .unwrap();
    // The import's creations are one row, naming each created entity by id (the demo
    // has no region of its own: a kind with none is not named).
    assert_eq!((by_alice.len(), created), (1, 1), "{by_alice:#?}");
    assert_eq!(
        (
            by_alice[0].via.as_str(),
            by_alice[0].action.as_str(),
            by_alice[0].summary.as_str()
        ),
        (
            "import",
            "create",
            format!(
                "created {} bindings, {} stamps, {} templates, {} tenants",
                doc.bindings.len(),
                doc.stamps.len(),
                doc.templates.len(),
                doc.tenants.len()
            )
            .as_str()
        )
    );

    // Asked about one tenant, the log answers with that row, as the tenant's creation.
    let tenant = doc.tenants[3].id.to_string();
    let this_tenant = bob
        .audit_page(&query(|q| q.entity_id = Some(tenant.clone())))
        .await
        .unwrap();
    let seen: Vec<_> = this_tenant
        .iter()
        .map(|r| {
            (
                r.entity.as_str(),
                r.entity_id.as_str(),
                r.summary.as_str(),
                r.actor.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [("tenant", tenant.as_str(), "created", alice_name.as_str())],
        "the first kind in the document's order holding the id (a binding is named by its tenant too)"
    );
    let as_tenant = bob
        .audit_page(&query(|q| {
            q.entity = Some("tenant".into());
            q.entity_id = Some(tenant.clone());
        }))
        .await
        .unwrap();
    assert_eq!(as_tenant.len(), 1, "{as_tenant:#?}");
    assert_eq!(
        (as_tenant[0].entity.as_str(), as_tenant[0].summary.as_str()),
        ("tenant", "created")
    );
    let nobody = bob
        .audit_page(&query(|q| {
            q.entity = Some("stamp".into());
            q.entity_id = Some(tenant.clone());
        }))
        .await
        .unwrap();
    assert!(nobody.is_empty(), "no stamp of that id: {nobody:#?}");

    let this_stamp = bob
        .audit_page(&query(|q| {
            q.entity = Some("stamp".into());
            q.entity_id = Some(stamp.to_string());
        }))
        .await
        .unwrap();
    let who: Vec<&str> = this_stamp.iter().map(|r| r.actor.as_str()).collect();
    assert_eq!(
        who,
        [bob_name.as_str(), alice_name.as_str()],
        "newest first"
    );

    // Pages of 10 walk the whole log once, newest first, with no row twice.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = bob
            .audit_page(&query(|q| {
                q.limit = 10;
                q.before_id = before;
            }))
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        seen.extend(page.iter().map(|r| r.id));
    }
    let granted = bob
        .audit_page(&query(|q| q.entity = Some("team-member".into())))
        .await
        .unwrap()
        .len() as u32;
    assert_eq!(seen.len() as u32, granted + created + 1);
    assert!(seen.windows(2).all(|w| w[0] > w[1]));
}

#[tokio::test]
async fn a_name_that_cannot_be_an_operator_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let c = Catalogue::open(&dir.path().join("c.sqlite")).await.unwrap();
    let e = c.clone().with_operator("  ").err().unwrap().to_string();
    assert!(e.contains("empty"), "{e}");
    let e = c.with_operator("eve\u{7}").err().unwrap().to_string();
    assert!(e.contains("control character"), "{e}");
}

#[tokio::test]
async fn rows_from_before_schema_10_keep_what_wrote_them_and_say_who_is_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    std::fs::copy(SCHEMA8, &path).unwrap();
    let c = Catalogue::open(&path).await.unwrap();
    let rows = c.audit(10_000).await.unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.via == "demo" && r.actor == "(not recorded before schema 10)"),
        "{:#?}",
        &rows[..2]
    );
}
