/// What can go wrong talking to a stamp. Never a panic: a malformed or oversized answer
/// is a `Protocol` error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("{stamp}: unauthorized: {message}")]
    Unauthorized { stamp: String, message: String },
    #[error("{stamp}: forbidden: {message}")]
    Forbidden { stamp: String, message: String },
    #[error("{stamp}: not found: {message}")]
    NotFound { stamp: String, message: String },
    #[error("{stamp}: conflict: {message}")]
    Conflict { stamp: String, message: String },
    #[error("{stamp}: rejected ({status}): {message}")]
    Rejected {
        stamp: String,
        status: u16,
        message: String,
    },
    #[error("{stamp}: unavailable after {attempts} attempt(s): {message}")]
    Unavailable {
        stamp: String,
        attempts: u32,
        message: String,
    },
    #[error("{stamp}: protocol error: {message}")]
    Protocol { stamp: String, message: String },
}

/// What an `Unavailable` error's last attempt saw when no answer came at all.
pub(crate) const TIMED_OUT: &str = "timed out";
pub(crate) const REFUSED: &str = "connection refused or unreachable";

impl ClientError {
    /// Whether trying the same (idempotent) call again may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, ClientError::Unavailable { .. })
    }

    /// No answer in time (connect or request timeout).
    pub fn is_timeout(&self) -> bool {
        matches!(self, ClientError::Unavailable { message, .. } if message == TIMED_OUT)
    }

    /// Nothing listens at the endpoint, or it cannot be reached at all.
    pub fn is_refused(&self) -> bool {
        matches!(self, ClientError::Unavailable { message, .. } if message == REFUSED)
    }
}
