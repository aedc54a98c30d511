//! The app's local routes endpoint: `GET /v1/routes` answers the routing table (tenant
//! -> stamp endpoint, with its version) for routers on this machine to poll. It listens
//! on loopback only, answers nothing else, and supports `If-None-Match` on the version
//! (304 when nothing moved), so polling every second costs nearly nothing.

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::{OpsError, OpsResult};
use crate::slot::FleetSlot;

/// Where routers poll by default; `STAMPFLEET_ROUTES_ADDR` changes it (port 0 picks one).
pub const DEFAULT_ROUTES_ADDR: &str = "127.0.0.1:7878";

/// Binds the endpoint (loopback addresses only) and serves it in the background;
/// returns the bound address.
pub async fn serve_routes(slot: FleetSlot, addr: SocketAddr) -> OpsResult<SocketAddr> {
    if !addr.ip().is_loopback() {
        return Err(OpsError::invalid(format!(
            "the routes endpoint listens on loopback only, not {addr}"
        )));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| OpsError::conflict(format!("routes endpoint {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| OpsError::internal(e.to_string()))?;
    let app = Router::new()
        .route("/v1/routes", get(routes))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "only GET /v1/routes is served here\n",
            )
        })
        .with_state(slot);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "routes endpoint stopped");
        }
    });
    tracing::info!(%bound, "routes endpoint listening");
    Ok(bound)
}

async fn routes(State(slot): State<FleetSlot>, headers: HeaderMap) -> Response {
    let table = match slot.get().await {
        Ok(fleet) => fleet.routes().await,
        Err(e) => Err(e),
    };
    let table = match table {
        Ok(t) => t,
        Err(e) => {
            let body = serde_json::json!({ "code": e.code, "message": e.message }).to_string();
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
        }
    };
    let etag = format!("\"{}\"", table.version);
    let etag_value = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\""));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    let body = serde_json::to_string(&table).unwrap_or_else(|_| "{}".to_owned());
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag_value),
        ],
        body,
    )
        .into_response()
}
