//! The app's local routes endpoint: `GET /v1/routes` answers the routing table (tenant
//! -> stamp endpoint, with its version) for routers on this machine to poll. It listens
//! on loopback only, answers nothing else, and supports `If-None-Match` on the version
//! (304 when nothing moved), so polling every second costs nearly nothing.
//!
//! A web page in a browser on this machine can reach loopback too, and by DNS rebinding
//! make a request whose `Host` names its own site: every request must name a loopback
//! host (`127.0.0.1`, `localhost`, `[::1]`, any port), or it is refused. With
//! `STAMPFLEET_ROUTES_TOKEN` set, routers must also send `Authorization: Bearer TOKEN`.
//! Answers never carry file paths.

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

/// The bearer token routers must send, when the operator set one.
pub const ROUTES_TOKEN_ENV: &str = "STAMPFLEET_ROUTES_TOKEN";

#[derive(Clone)]
struct Served {
    slot: FleetSlot,
    token: Option<String>,
}

/// Binds the endpoint (loopback addresses only) and serves it in the background;
/// returns the bound address. The router token comes from `STAMPFLEET_ROUTES_TOKEN`.
pub async fn serve_routes(slot: FleetSlot, addr: SocketAddr) -> OpsResult<SocketAddr> {
    let token = std::env::var(ROUTES_TOKEN_ENV)
        .ok()
        .filter(|t| !t.is_empty());
    serve_routes_with_token(slot, addr, token).await
}

/// `serve_routes` with the router token given (`None`: no token asked).
pub async fn serve_routes_with_token(
    slot: FleetSlot,
    addr: SocketAddr,
    token: Option<String>,
) -> OpsResult<SocketAddr> {
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
        .with_state(Served { slot, token });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "routes endpoint stopped");
        }
    });
    tracing::info!(%bound, "routes endpoint listening");
    Ok(bound)
}

/// Whether `Host` names this machine's loopback (any port): `127.0.0.1`, `localhost`,
/// `[::1]`.
pub(crate) fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split_once(']').map(|(ip, _)| ip)
    } else {
        Some(host.rsplit_once(':').map_or(host, |(name, _)| name))
    };
    name.is_some_and(|n| {
        n.eq_ignore_ascii_case("localhost")
            || n.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": message }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn routes(State(served): State<Served>, headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !loopback_host(host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "forbidden_host",
            "only requests to a loopback host (127.0.0.1, localhost, [::1]) are answered",
        );
    }
    if let Some(token) = &served.token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "));
        if sent != Some(token.as_str()) {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this routes endpoint asks for Authorization: Bearer <router token>",
            );
        }
    }
    let table = match served.slot.get().await {
        Ok(fleet) => fleet.routes().await,
        Err(e) => Err(e),
    };
    let table = match table {
        Ok(t) => t,
        Err(e) => {
            // The reason names the catalogue's path: it goes to the log, not to routers.
            tracing::warn!(error = %e.message, "routes endpoint: no table to answer with");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "catalogue_unavailable",
                "the routing table is not available now; the app's log says why",
            );
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
