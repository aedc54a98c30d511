//! Health pushed, the caller's side: ask a stamp for its health once it differs from
//! the one held (stamp_protocol's health_push), over the same connection pool.

use std::time::Duration;

use reqwest::{header, Method, StatusCode};
use stamp_protocol::{paths, Health, MAX_RESPONSE_BYTES, PREFER};

use crate::{describe, ClientError, StampClient};

/// What a health call answered.
#[derive(Debug, Clone, PartialEq)]
pub enum HealthChange {
    /// The stamp's health, new to the caller; `tag` names it for the next call, `None`
    /// when the stamp does not push (an older agent: poll it instead).
    Changed { health: Health, tag: Option<String> },
    /// Still the health the tag held named, after the wait asked for.
    Unchanged,
}

impl StampClient {
    /// The stamp's health now, and its tag (`None` when the stamp does not push).
    pub async fn health_tagged(&self) -> Result<(Health, Option<String>), ClientError> {
        match self.health_change(None, Duration::ZERO).await? {
            HealthChange::Changed { health, tag } => Ok((health, tag)),
            // Only a question holding a tag is answered "unchanged" (health_change).
            HealthChange::Unchanged => Err(self.protocol(format!(
                "{}: 304 to a question that held no tag",
                paths::HEALTH
            ))),
        }
    }

    /// The stamp's health once it differs from the one `held` names, or after `wait`
    /// (at most 30 s) with [`HealthChange::Unchanged`]; at once without a tag. One
    /// attempt: the caller asks again (its next question is the retry).
    pub async fn health_change(
        &self,
        held: Option<&str>,
        wait: Duration,
    ) -> Result<HealthChange, ClientError> {
        let mut request = self
            .http
            .request(Method::GET, format!("{}{}", self.base, paths::HEALTH))
            .bearer_auth(&self.token)
            .timeout(self.options.request_timeout + wait);
        if let Some(tag) = held {
            request = request
                .header(header::IF_NONE_MATCH, tag)
                .header(PREFER, format!("wait={}", wait.as_secs()));
        }
        let unavailable = |message: String| ClientError::Unavailable {
            stamp: self.base.clone(),
            attempts: 1,
            message,
        };
        let response = request
            .send()
            .await
            .map_err(|e| unavailable(describe(&e)))?;
        let status = response.status();
        let tag = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if status == StatusCode::NOT_MODIFIED && held.is_some() && tag.as_deref() == held {
            return Ok(HealthChange::Unchanged);
        }
        let bytes = self.read_limited(response, MAX_RESPONSE_BYTES).await?;
        if status.is_server_error() {
            return Err(unavailable(format!("{status} from GET {}", paths::HEALTH)));
        }
        if !status.is_success() {
            return Err(self.refusal(status, &bytes.joined()));
        }
        let health = serde_json::from_slice(&bytes.joined())
            .map_err(|e| self.protocol(format!("{}: malformed answer: {e}", paths::HEALTH)))?;
        Ok(HealthChange::Changed { health, tag })
    }
}
