//! Who calls, checked before anything else: the middleware refuses a request without a
//! token this stamp knows (401) before its path, query or body is read, and each
//! handler names the caller it serves with an extractor: [`AdminCaller`] (the control
//! plane), [`TenantCaller`] (the tenant of the path's `{id}`, with its own token),
//! [`ReaderCaller`] (the admin, or a transfer grant for the path's tenant). A known
//! token of the wrong kind is 403.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::agent::Agent;
use crate::auth::Caller;
use crate::error::Failure;

/// The caller a request's bearer token names.
pub(crate) fn identify(agent: &Agent, headers: &HeaderMap) -> Caller {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    match agent.tokens.identify(authorization) {
        Caller::Unknown => {
            let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else {
                return Caller::Unknown;
            };
            if token.starts_with("f.") {
                return crate::fleet_keys::identify(&agent.fleet_keys(), token)
                    .map_or(Caller::Unknown, Caller::Tenant);
            }
            crate::operators::identify(&agent.operators(), token)
                .map_or(Caller::Unknown, Caller::Operator)
        }
        known => known,
    }
}

/// Who asks comes first: a request without a token this stamp knows is 401 before its
/// path, query or body is read, so an unauthenticated caller learns nothing from the
/// validation. Each handler then checks the caller's role.
pub(crate) async fn authenticate(
    State(agent): State<Arc<Agent>>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(identify(&agent, request.headers()), Caller::Unknown) {
        return Failure::unauthorized().into_response();
    }
    next.run(request).await
}

/// The `{id}` of the request's path, as sent (checked as an id by the handler).
async fn path_tenant(parts: &mut Parts, agent: &Arc<Agent>) -> Result<String, Failure> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, agent)
        .await
        .map_err(|e| Failure::invalid(e.body_text()))?;
    params
        .get("id")
        .cloned()
        .ok_or_else(|| Failure::invalid("this path names no tenant"))
}

/// The stamp's admin: the control plane.
pub(crate) struct AdminCaller;

impl FromRequestParts<Arc<Agent>> for AdminCaller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, agent: &Arc<Agent>) -> Result<Self, Failure> {
        match identify(agent, &parts.headers) {
            Caller::Admin | Caller::Operator(_) => Ok(Self),
            Caller::Tenant(_) | Caller::Transfer(_) => Err(Failure::forbidden(
                "this call needs the stamp's admin token",
            )),
            Caller::Unknown => Err(Failure::unauthorized()),
        }
    }
}

/// The stamp's owner: its own admin token, not an enrolled operator's.
pub(crate) struct OwnerCaller;

impl FromRequestParts<Arc<Agent>> for OwnerCaller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, agent: &Arc<Agent>) -> Result<Self, Failure> {
        match identify(agent, &parts.headers) {
            Caller::Admin => Ok(Self),
            Caller::Operator(_) | Caller::Tenant(_) | Caller::Transfer(_) => Err(
                Failure::forbidden("only the stamp's own admin token enrolls or revokes operators"),
            ),
            Caller::Unknown => Err(Failure::unauthorized()),
        }
    }
}

/// The tenant the path names, calling with its own token.
pub(crate) struct TenantCaller;

impl FromRequestParts<Arc<Agent>> for TenantCaller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, agent: &Arc<Agent>) -> Result<Self, Failure> {
        let tenant = path_tenant(parts, agent).await?;
        match identify(agent, &parts.headers) {
            Caller::Tenant(t) if t == tenant => Ok(Self),
            Caller::Tenant(_) => Err(Failure::forbidden(format!(
                "this token belongs to another tenant, not {tenant}"
            ))),
            Caller::Admin | Caller::Operator(_) | Caller::Transfer(_) => Err(Failure::forbidden(
                "tenant traffic needs the tenant's own token",
            )),
            Caller::Unknown => Err(Failure::unauthorized()),
        }
    }
}

/// The admin, or a stamp holding a transfer grant for the path's tenant.
pub(crate) struct ReaderCaller;

impl FromRequestParts<Arc<Agent>> for ReaderCaller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, agent: &Arc<Agent>) -> Result<Self, Failure> {
        let tenant = path_tenant(parts, agent).await?;
        match identify(agent, &parts.headers) {
            Caller::Admin | Caller::Operator(_) => Ok(Self),
            Caller::Transfer(t) if t == tenant => Ok(Self),
            Caller::Transfer(_) | Caller::Tenant(_) => Err(Failure::forbidden(
                "this call needs the admin token or a transfer token for this tenant",
            )),
            Caller::Unknown => Err(Failure::unauthorized()),
        }
    }
}
