//! The UI outside the window: a loopback HTTP server that serves the built UI and runs
//! the app's commands on the real fleet-ops (`stampctl serve-ui`). The browser tests
//! run the UI against it, on a temporary catalogue with real local stamp agents; it is
//! also how to work on the UI in a plain browser.
//!
//! `POST /api/<command>` takes the command's arguments as a JSON object (as the window
//! sends them) and answers a stream of JSON lines: `{"event": ...}` for each progress
//! event, then `{"ok": result}` or `{"error": {code, message}}`. A command that keeps
//! reporting (health) goes on sending events after its answer, until the page goes.
//! Every call needs the server's token (`Authorization: Bearer`, printed at start in
//! the page's address as `#token=`), and every request must name a loopback host.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use tokio::sync::mpsc;

use crate::commands::{dispatch, sink};
use crate::{FleetSlot, OpsError, OpsResult};

/// The window's content security policy, with the page's own origin for its calls.
pub const UI_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                          img-src 'self' data:; connect-src 'self'";

#[derive(Clone)]
struct Served {
    slot: FleetSlot,
    ui_dir: PathBuf,
    token: String,
}

/// Serves `ui_dir` and the commands on `listener` until the process ends. The app's
/// start-up recovery (interrupted operations, local agents, moves) runs first, to the
/// end: the window runs it in the background, here a test starts from what it left.
pub async fn serve_ui(
    slot: FleetSlot,
    ui_dir: PathBuf,
    listener: tokio::net::TcpListener,
    token: String,
) -> OpsResult<()> {
    let app = Router::new()
        .route("/api/{command}", post(call))
        .fallback(static_file)
        .layer(axum::middleware::from_fn(loopback_only))
        .with_state(Served {
            slot,
            ui_dir,
            token,
        });
    axum::serve(listener, app)
        .await
        .map_err(|e| OpsError::internal(format!("the UI server stopped: {e}")))
}

/// Binds `addr` (loopback only) and answers the address it got.
pub async fn bind_ui(addr: SocketAddr) -> OpsResult<(tokio::net::TcpListener, SocketAddr)> {
    if !addr.ip().is_loopback() {
        return Err(OpsError::invalid(format!(
            "{addr} is not a loopback address: the UI server only listens on this machine"
        )));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| OpsError::invalid(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| OpsError::internal(e.to_string()))?;
    Ok((listener, bound))
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !crate::routes_server::loopback_host(host) {
        return (StatusCode::FORBIDDEN, "only loopback hosts are answered\n").into_response();
    }
    next.run(request).await
}

fn line(value: &serde_json::Value) -> Bytes {
    let mut text = value.to_string();
    text.push('\n');
    Bytes::from(text)
}

async fn call(
    State(served): State<Served>,
    UrlPath(command): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if presented != Some(served.token.as_str()) {
        let refusal = OpsError::invalid("the UI server's token is missing or wrong");
        return (StatusCode::UNAUTHORIZED, axum::Json(refusal)).into_response();
    }
    let args: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                let refusal = OpsError::invalid(format!("{command}: the body is not JSON: {e}"));
                return (StatusCode::BAD_REQUEST, axum::Json(refusal)).into_response();
            }
        }
    };
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    let events_tx = tx.clone();
    let events = sink(move |event: serde_json::Value| {
        events_tx
            .send(line(&serde_json::json!({ "event": event })))
            .is_ok()
    });
    tokio::spawn(async move {
        let answer = match served.slot.get().await {
            Ok(fleet) => dispatch(&fleet, &command, args, events).await,
            Err(e) => Err(e),
        };
        let last = match answer {
            Ok(v) => serde_json::json!({ "ok": v }),
            Err(e) => serde_json::json!({ "error": e }),
        };
        drop(tx.send(line(&last)));
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), rx))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/x-ndjson")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

async fn static_file(State(served): State<Served>, request: Request) -> Response {
    let relative = request.uri().path().trim_start_matches('/');
    let relative = if relative.is_empty() {
        "index.html"
    } else {
        relative
    };
    let path = Path::new(relative);
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let file = served.ui_dir.join(path);
    match tokio::fs::read(&file).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type(&file)),
                (header::CONTENT_SECURITY_POLICY, UI_CSP),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}
