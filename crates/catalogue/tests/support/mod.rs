//! The catalogue suites run on both backends: a file in a temp dir, and a fresh database
//! on a real PostgreSQL server the tests start themselves (crate test-postgres).
#![allow(dead_code)]

use catalogue::{Backend, Catalogue};

/// A catalogue open on one backend, and where it is.
pub struct Opened {
    pub backend: Backend,
    pub catalogue: Catalogue,
    /// The file's `sqlite://` URL or the database's `postgres://` URL.
    pub url: String,
    /// What `Catalogue::open_location` takes: the file's path or the database's URL.
    pub location: String,
    _dir: tempfile::TempDir,
}

/// A new, empty catalogue on `backend`.
pub async fn open_new(backend: Backend) -> Opened {
    let dir = tempfile::tempdir().unwrap();
    let (catalogue, url) = match backend {
        Backend::Sqlite => {
            let path = dir.path().join("c.sqlite");
            let c = Catalogue::open(&path).await.unwrap();
            (c, format!("sqlite://{}", path.display()))
        }
        Backend::Postgres => {
            let url = test_postgres::shared().new_database().unwrap();
            (Catalogue::open_server(&url).await.unwrap(), url)
        }
    };
    let location = match backend {
        Backend::Sqlite => dir.path().join("c.sqlite").display().to_string(),
        Backend::Postgres => url.clone(),
    };
    Opened {
        backend,
        catalogue,
        url,
        location,
        _dir: dir,
    }
}

/// A new catalogue on each backend, SQLite first.
pub async fn on_each_backend() -> Vec<Opened> {
    vec![
        open_new(Backend::Sqlite).await,
        open_new(Backend::Postgres).await,
    ]
}

/// A new catalogue on each backend holding `doc`.
pub async fn each_with(doc: &fleet_core::CatalogueDocument) -> Vec<Opened> {
    let all = on_each_backend().await;
    for o in &all {
        o.catalogue.replace_all(doc, "test").await.unwrap();
    }
    all
}

/// A plain connection pool on the catalogue's database, for tests that change rows
/// behind the catalogue's back.
pub async fn raw_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}
