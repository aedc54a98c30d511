//! Reading a request's parts by the API's rules: ids, keys, JSON bodies; and writing
//! JSON answers.

use axum::http::StatusCode;
use fleet_core::TenantId;
use serde::de::DeserializeOwned;
use stamp_protocol::rules;

use crate::error::Failure;

pub(crate) fn tenant_id(raw: &str) -> Result<String, Failure> {
    TenantId::new(raw)
        .map(|id| id.to_string())
        .map_err(|e| Failure::invalid(e.to_string()))
}

pub(crate) fn kv_key(raw: &str) -> Result<&str, Failure> {
    rules::check_kv_key(raw).map_err(Failure::rule)?;
    Ok(raw)
}

pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::invalid(format!("request body: {e}")))
}

/// An optional body: none, or JSON `null`, is `None`.
pub(crate) fn parse_optional<T: DeserializeOwned>(body: &[u8]) -> Result<Option<T>, Failure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    parse(body)
}

pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("cannot encode the answer: {e}"),
        )
    })
}
