use std::path::PathBuf;

/// Why the catalogue could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("{path}: not a Stampfleet catalogue ({reason}); the file was left untouched")]
    NotACatalogue { path: PathBuf, reason: String },
    #[error(
        "{path}: written by a newer Stampfleet (catalogue schema {found}, this build knows up to {known}); \
         upgrade Stampfleet to open it. The file was left untouched"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path}: the catalogue is damaged ({detail}); the file was left untouched. Restore it from a backup or an export")]
    Corrupt { path: PathBuf, detail: String },
    #[error("catalogue server {url}: {detail}")]
    Server { url: String, detail: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("catalogue row {table} {key:?} is invalid: {reason}")]
    BadRow {
        table: &'static str,
        key: String,
        reason: String,
    },
    #[error("{0}")]
    Refused(String),
    /// The team catalogue's server refused: this login's role does not allow it.
    #[error("{0}")]
    NotAllowed(String),
    #[error("catalogue database error: {0}")]
    Database(sqlx::Error),
    #[error("catalogue migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = CatalogueError> = std::result::Result<T, E>;

impl From<sqlx::Error> for CatalogueError {
    fn from(e: sqlx::Error) -> Self {
        // SQLSTATE 42501: insufficient_privilege, the server's word on a role.
        if let sqlx::Error::Database(db) = &e {
            if db.code().as_deref() == Some("42501") {
                return CatalogueError::NotAllowed(format!(
                    "the team catalogue refused this: {}. Your login's role does not allow it; \
                     an admin can grant another (stampctl team grant LOGIN --role operator)",
                    db.message()
                ));
            }
        }
        CatalogueError::Database(e)
    }
}
