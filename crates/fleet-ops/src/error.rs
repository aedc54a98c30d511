//! The one error type at every boundary (IPC, CLI): a code the UI branches on and a
//! message a person can act on. Serialized as `{code, message}`.

use catalogue::CatalogueError;
use fleet_core::DocumentError;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The catalogue file cannot be used (not SQLite, damaged, newer schema, unreadable).
    CatalogueUnavailable,
    /// The request or a file it names is malformed; the message says where.
    InvalidInput,
    /// The request clashes with what the catalogue holds now.
    Conflict,
    /// A fault on our side; the message and the log say more.
    Internal,
    /// The team catalogue's server refused: the login's role does not allow it.
    NotAllowed,
}

impl ErrorCode {
    /// Every code, for the UI's generated list.
    pub const ALL: [ErrorCode; 5] = [
        Self::CatalogueUnavailable,
        Self::InvalidInput,
        Self::Conflict,
        Self::Internal,
        Self::NotAllowed,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, thiserror::Error)]
#[error("{message}")]
pub struct OpsError {
    pub code: ErrorCode,
    pub message: String,
}

impl OpsError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

impl From<CatalogueError> for OpsError {
    fn from(e: CatalogueError) -> Self {
        let code = match &e {
            CatalogueError::NotACatalogue { .. }
            | CatalogueError::NewerSchema { .. }
            | CatalogueError::Corrupt { .. }
            | CatalogueError::Io { .. }
            | CatalogueError::Server { .. }
            | CatalogueError::Migrate(_) => ErrorCode::CatalogueUnavailable,
            CatalogueError::Refused(_) => ErrorCode::InvalidInput,
            CatalogueError::NotAllowed(_) => ErrorCode::NotAllowed,
            CatalogueError::BadRow { .. } | CatalogueError::Database(_) => ErrorCode::Internal,
        };
        if code == ErrorCode::Internal {
            tracing::error!(error = %e, "catalogue fault");
        }
        OpsError::new(code, e.to_string())
    }
}

impl OpsError {
    /// A document error, prefixed with the file it came from.
    pub fn document(source_name: &str, e: DocumentError) -> Self {
        OpsError::invalid(format!("{source_name}: {e}"))
    }
}

pub type OpsResult<T> = Result<T, OpsError>;
