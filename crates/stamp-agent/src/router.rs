//! The Stamp API's one router: every route, who may call it (the middleware and each
//! handler's caller extractor, `callers.rs`), and `{code, message}` for every error.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use stamp_protocol::{paths, MAX_REQUEST_BYTES};

use crate::agent::Agent;
use crate::error::Failure;
use crate::{callers, fleet_keys, import, kv, moves, operators, tenants, traffic, upgrade};

pub fn router(agent: Arc<Agent>) -> Router {
    Router::new()
        .route(paths::HEALTH, get(tenants::health))
        .route(paths::TENANTS, get(tenants::list_tenants))
        .route(paths::OPERATORS, get(operators::list_operators))
        .route(
            paths::UPGRADE,
            get(upgrade::upgrade_status).post(upgrade::start_upgrade),
        )
        .route(paths::FLEET_KEYS, get(fleet_keys::list_keys))
        .route(
            "/v1/fleet-keys/{kid}",
            put(fleet_keys::put_key).delete(fleet_keys::delete_key),
        )
        .route(
            "/v1/operators/{name}",
            put(operators::enroll).delete(operators::revoke),
        )
        .route(
            "/v1/tenants/{id}",
            put(tenants::provision).delete(tenants::deprovision),
        )
        .route(
            "/v1/tenants/{id}/kv/{key}",
            get(kv::kv_get).put(kv::kv_put).delete(kv::kv_delete),
        )
        .route("/v1/tenants/{id}/transfer", get(moves::transfer))
        .route("/v1/tenants/{id}/export", get(moves::export))
        .route("/v1/tenants/{id}/changes", get(moves::changes))
        .route("/v1/tenants/{id}/checksum", get(moves::checksum))
        .route("/v1/tenants/{id}/import/sync", post(import::sync))
        .route("/v1/tenants/{id}/fence", post(moves::fence))
        .route("/v1/tenants/{id}/{step}", post(moves::state_step))
        .route_layer(axum::middleware::from_fn_with_state(
            agent.clone(),
            traffic::count,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            agent.clone(),
            callers::authenticate,
        ))
        .route(paths::OPENAPI, get(tenants::openapi))
        .fallback(|| async { Failure::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::map_response(json_errors))
        .with_state(agent)
}

/// Every error answer is `{code, message}`, also the ones axum writes itself (bad
/// path encoding, body too large, method not allowed).
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "internal",
        _ => "invalid",
    };
    let message = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        message
    };
    Failure::new(status, code, message).into_response()
}
