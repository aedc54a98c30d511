//! The operations suites on a team catalogue: with `STAMPFLEET_TEST_CATALOGUE=postgres`
//! the demo fleets the suites start from live in a new database on a real PostgreSQL
//! server (started once per test binary by crate test-postgres) instead of a file.

use std::path::{Path, PathBuf};

/// The variable that runs the suites on PostgreSQL.
pub const BACKEND_VARIABLE: &str = "STAMPFLEET_TEST_CATALOGUE";

/// Whether this run puts the suites' catalogues on PostgreSQL.
pub fn postgres_mode() -> bool {
    match std::env::var(BACKEND_VARIABLE).as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Ok("") | Err(_) => false,
        Ok(other) => panic!("{BACKEND_VARIABLE}={other:?}: give sqlite or postgres"),
    }
}

/// Where a test's catalogue is: `dir/c.sqlite`, or a new database's URL.
pub fn catalogue_location(dir: &Path) -> PathBuf {
    if postgres_mode() {
        PathBuf::from(test_postgres::shared().new_database().unwrap())
    } else {
        dir.join("c.sqlite")
    }
}

/// Whether the catalogue at `location` holds `secret` anywhere: the file's bytes (and
/// its WAL), or every row of every table of the database, as text.
pub fn catalogue_holds(location: &Path, secret: &str) -> bool {
    let text = location.to_string_lossy();
    if !text.starts_with("postgres://") {
        let mut wal = location.as_os_str().to_owned();
        wal.push("-wal");
        return [location.to_owned(), PathBuf::from(wal)]
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .any(|bytes| crate::holds(&bytes, secret));
    }
    let server = test_postgres::shared();
    let db = text.rsplit('/').next().unwrap();
    let tables = server
        .psql(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        .unwrap();
    tables.lines().any(|table| {
        let rows = server
            .psql(db, &format!("SELECT t::text FROM \"{table}\" t"))
            .unwrap();
        rows.contains(secret)
    })
}
