//! Every failure answers `{code, message}` with the matching HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use stamp_protocol::ApiError;

#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// For a redirect (307): where to go instead.
    pub location: Option<String>,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            location: None,
        }
    }

    /// Writes are paused for a move's cut-over: retry shortly.
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
    }

    /// The tenant lives elsewhere now: the same request, there.
    pub fn moved(location: String, message: impl Into<String>) -> Self {
        Self {
            location: Some(location),
            ..Self::new(StatusCode::TEMPORARY_REDIRECT, "moved", message)
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// A fault on the stamp's side (500); the message says what.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", message)
    }

    /// A request value that breaks a rule of the API document (`stamp_protocol::rules`).
    pub fn rule(e: stamp_protocol::rules::RuleError) -> Self {
        Self::invalid(e.to_string())
    }

    pub fn body(&self) -> ApiError {
        ApiError {
            code: self.code.to_owned(),
            message: self.message.clone(),
        }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "store fault");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the stamp's store failed; see its log",
        )
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(location) = self.location.and_then(|l| l.parse().ok()) {
            response.headers_mut().insert("location", location);
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}
