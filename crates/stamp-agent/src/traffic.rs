//! The error-rate signal a stamp reports in its health beyond a ping: the share of its
//! tenants' requests answered with a server error over the last minute. The test fault
//! `unhealthy-after-upgrade` (see `upgrade::Faults`) answers them with 500 here.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::agent::Agent;
use crate::error::Failure;
use crate::store::now_secs;

const WINDOW_SECS: usize = 60;

/// Per-second counts of tenant requests and their server errors, for the last minute.
#[derive(Default)]
pub struct Traffic {
    /// (second, requests, server errors), indexed by second modulo the window.
    buckets: Mutex<Vec<(i64, u64, u64)>>,
}

impl Traffic {
    fn record(&self, failed: bool) {
        let now = now_secs();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.is_empty() {
            buckets.resize(WINDOW_SECS, (0, 0, 0));
        }
        let slot = &mut buckets[now.rem_euclid(WINDOW_SECS as i64) as usize];
        if slot.0 != now {
            *slot = (now, 0, 0);
        }
        slot.1 += 1;
        slot.2 += u64::from(failed);
    }

    /// Server errors over requests in the last minute; 0 without requests.
    pub fn error_rate(&self) -> f64 {
        let now = now_secs();
        let buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let (total, errors) = buckets
            .iter()
            .filter(|b| now - b.0 < WINDOW_SECS as i64)
            .fold((0, 0), |(t, e), b| (t + b.1, e + b.2));
        if total == 0 {
            0.0
        } else {
            errors as f64 / total as f64
        }
    }
}

/// Counts every tenant key/value request and whether it failed on the server's side.
pub(crate) async fn count(
    State(agent): State<Arc<Agent>>,
    request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().contains("/kv/") {
        return next.run(request).await;
    }
    let version = &agent.identity.template_version;
    let response = if agent.faults.unhealthy_on(version) {
        Failure::internal(format!(
            "injected test fault unhealthy-after-upgrade={version}"
        ))
        .into_response()
    } else {
        next.run(request).await
    };
    agent.traffic.record(response.status().is_server_error());
    response
}
