//! A real server: started, used, dropped (port closed, dir gone). (The watchdog that
//! stops a server its test process never dropped is not tested here: proving it would
//! mean waiting on another process's timing.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpStream;
use std::time::Instant;

use test_postgres::{shared, PgServer};

#[test]
fn starts_serves_and_drops() -> Result<(), String> {
    let started = Instant::now();
    let server = PgServer::start()?;
    eprintln!("PgServer::start() took {:?}", started.elapsed());
    let port = server.port();
    let dir = server.dir().to_path_buf();
    assert!(dir.join("data").join("PG_VERSION").is_file());

    let first = server.new_database()?;
    let second = server.new_database()?;
    assert_ne!(first, second);
    let prefix = format!("postgres://stampfleet@127.0.0.1:{port}/");
    for url in [&first, &second] {
        assert!(url.starts_with(&prefix), "{url}");
        let db = &url[prefix.len()..];
        assert_eq!(server.psql(db, "SELECT current_database()")?, db);
        assert_eq!(
            server.psql(
                db,
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )?,
            "0",
            "a new database is empty"
        );
    }
    assert_eq!(server.psql("postgres", "SELECT 1")?, "1");
    assert_eq!(
        server.psql("postgres", "SELECT 1, 'a'; SELECT 2, 'b'")?,
        "1|a\n2|b"
    );
    // Statements run one by one (CREATE DATABASE cannot run in a transaction block).
    server.psql(
        "postgres",
        "CREATE ROLE reader LOGIN; CREATE DATABASE other OWNER reader",
    )?;
    assert_eq!(server.psql("other", "SELECT current_user")?, "stampfleet");
    assert_eq!(server.psql("postgres", "SHOW server_encoding")?, "UTF8");
    let error = server
        .psql("postgres", "SELECT 1; SELECT nope; SELECT 3")
        .expect_err("a bad statement fails");
    assert!(error.contains("nope"), "{error}");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());

    drop(server);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still accepts connections"
    );
    assert!(!dir.exists(), "{} is still there", dir.display());
    Ok(())
}

#[test]
fn shared_is_one_server() -> Result<(), String> {
    let a = shared();
    let b = shared();
    assert!(std::ptr::eq(a, b));
    let url = a.new_database()?;
    assert!(url.starts_with(&format!("postgres://stampfleet@127.0.0.1:{}/", a.port())));
    assert_eq!(a.psql("postgres", "SELECT 1")?, "1");
    Ok(())
}
