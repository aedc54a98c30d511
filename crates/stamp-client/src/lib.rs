//! The control plane's client for the Stamp API. Every call carries a bearer token;
//! every mutating call carries an Idempotency-Key, which makes all calls safe to retry:
//! transient failures (connection errors, timeouts, 5xx) are retried with exponential
//! backoff and full jitter, up to a bounded number of attempts.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod body;
mod error;
mod fleet_calls;
mod health_change;
mod move_calls;

use std::time::Duration;

use body::Body;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use stamp_protocol::{
    paths, ApiError, Health, KvEntry, KvPut, ProvisionTenant, TenantOnStamp, TenantProvisioned,
    EXPORT_PAGE_BINARY, IDEMPOTENCY_KEY, MAX_EXPORT_PAGE_BYTES, MAX_RESPONSE_BYTES,
};

pub use error::ClientError;
pub use health_change::HealthChange;

/// The HTTP client type, for callers that speak to other services (providers).
pub type HttpClient = reqwest::Client;

/// A plain HTTP client with the given timeouts and no redirects.
pub fn http_client(connect: Duration, request: Duration) -> Result<HttpClient, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(request)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Timeouts and retry policy.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Attempts per call, the first included.
    pub attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            attempts: 4,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(2),
        }
    }
}

/// A stamp's API, authorized by one bearer token (the admin token, or a tenant's).
#[derive(Clone)]
pub struct StampClient {
    http: reqwest::Client,
    base: String,
    token: String,
    options: ClientOptions,
}

impl std::fmt::Debug for StampClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is never printed.
        f.debug_struct("StampClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl StampClient {
    pub fn new(base: &str, token: String, options: ClientOptions) -> Result<Self, ClientError> {
        let base = base.trim_end_matches('/').to_owned();
        let protocol = |message: String| ClientError::Protocol {
            stamp: base.clone(),
            message,
        };
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(protocol(
                "the endpoint must be an http:// or https:// URL".to_owned(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| protocol(format!("cannot build the HTTP client: {e}")))?;
        Self::with_http(&base, token, options, http)
    }

    /// A client on `http` (a connection pool shared by many stamps' clients, e.g. the
    /// health watcher's); `http` carries its own timeouts, built by [`http_client`].
    pub fn with_http(
        base: &str,
        token: String,
        options: ClientOptions,
        http: HttpClient,
    ) -> Result<Self, ClientError> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::Protocol {
                stamp: base,
                message: "the endpoint must be an http:// or https:// URL".to_owned(),
            });
        }
        Ok(Self {
            http,
            base,
            token,
            options,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.base
    }

    /// The bearer token this client sends (for building a client with other options).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The same stamp, with another token (e.g. a tenant's).
    pub fn with_token(&self, token: String) -> Self {
        Self {
            token,
            ..self.clone()
        }
    }

    pub async fn health(&self) -> Result<Health, ClientError> {
        self.call(Method::GET, paths::HEALTH, None::<&()>, None)
            .await
    }

    pub async fn tenants(&self) -> Result<Vec<TenantOnStamp>, ClientError> {
        self.call(Method::GET, paths::TENANTS, None::<&()>, None)
            .await
    }

    pub async fn provision_tenant(
        &self,
        id: &str,
        request: &ProvisionTenant,
        key: &str,
    ) -> Result<TenantProvisioned, ClientError> {
        self.call(Method::PUT, &paths::tenant(id), Some(request), Some(key))
            .await
    }

    pub async fn deprovision_tenant(&self, id: &str, key: &str) -> Result<(), ClientError> {
        self.call_empty(Method::DELETE, &paths::tenant(id), Some(key))
            .await
    }

    pub async fn kv_get(&self, tenant: &str, key: &str) -> Result<KvEntry, ClientError> {
        self.call(Method::GET, &paths::kv(tenant, key), None::<&()>, None)
            .await
    }

    pub async fn kv_put(
        &self,
        tenant: &str,
        key: &str,
        value: &str,
        idempotency: &str,
    ) -> Result<KvEntry, ClientError> {
        let body = KvPut {
            value: value.to_owned(),
        };
        self.call(
            Method::PUT,
            &paths::kv(tenant, key),
            Some(&body),
            Some(idempotency),
        )
        .await
    }

    pub async fn kv_delete(
        &self,
        tenant: &str,
        key: &str,
        idempotency: &str,
    ) -> Result<(), ClientError> {
        self.call_empty(Method::DELETE, &paths::kv(tenant, key), Some(idempotency))
            .await
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        key: Option<&str>,
    ) -> Result<T, ClientError> {
        let text = self.send(method, path, body, key, None).await?;
        serde_json::from_slice(&text.joined())
            .map_err(|e| self.protocol(format!("{path}: malformed answer: {e}")))
    }

    async fn call_empty(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
    ) -> Result<(), ClientError> {
        self.send(method, path, None::<&()>, key, None)
            .await
            .map(|_| ())
    }

    fn protocol(&self, message: String) -> ClientError {
        ClientError::Protocol {
            stamp: self.base.clone(),
            message,
        }
    }

    /// Sends with retries; returns the body of a 2xx answer.
    async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        key: Option<&str>,
        accept: Option<&str>,
    ) -> Result<Body, ClientError> {
        let attempts = self.options.attempts.max(1);
        let mut last = String::new();
        for attempt in 1..=attempts {
            if attempt > 1 {
                tokio::time::sleep(self.backoff(attempt - 1)).await;
            }
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.base))
                .bearer_auth(&self.token);
            if let Some(key) = key {
                request = request.header(IDEMPOTENCY_KEY, key);
            }
            if let Some(accept) = accept {
                request = request.header(reqwest::header::ACCEPT, accept);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            match request.send().await {
                Err(e) => last = describe(&e),
                Ok(response) => {
                    let status = response.status();
                    // An export page asked for in the binary form may be larger.
                    let limit = if accept == Some(EXPORT_PAGE_BINARY) {
                        MAX_EXPORT_PAGE_BYTES
                    } else {
                        MAX_RESPONSE_BYTES
                    };
                    let bytes = self.read_limited(response, limit).await;
                    if status.is_server_error() {
                        last = format!("{status} from {method} {path}");
                        continue;
                    }
                    let bytes = bytes?;
                    if status.is_success() {
                        return Ok(bytes);
                    }
                    return Err(self.refusal(status, &bytes.joined()));
                }
            }
            tracing::debug!(stamp = %self.base, %path, attempt, error = %last, "retrying");
        }
        Err(ClientError::Unavailable {
            stamp: self.base.clone(),
            attempts,
            message: last,
        })
    }

    /// The body, refused past `limit` bytes (by its length when it says one).
    async fn read_limited(
        &self,
        mut response: reqwest::Response,
        limit: usize,
    ) -> Result<Body, ClientError> {
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(self.protocol(format!("answer larger than {limit} bytes")));
        }
        let mut chunks = Vec::new();
        let mut size = 0usize;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    size += chunk.len();
                    if size > limit {
                        return Err(self.protocol(format!("answer larger than {limit} bytes")));
                    }
                    chunks.push(chunk);
                }
                Ok(None) => return Ok(Body(chunks)),
                Err(e) => {
                    return Err(self.protocol(format!("reading the answer: {}", describe(&e))))
                }
            }
        }
    }

    fn refusal(&self, status: StatusCode, body: &[u8]) -> ClientError {
        let message = serde_json::from_slice::<ApiError>(body)
            .map(|e| e.message)
            .unwrap_or_else(|_| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
        let stamp = self.base.clone();
        match status {
            StatusCode::UNAUTHORIZED => ClientError::Unauthorized { stamp, message },
            StatusCode::FORBIDDEN => ClientError::Forbidden { stamp, message },
            StatusCode::NOT_FOUND => ClientError::NotFound { stamp, message },
            StatusCode::CONFLICT => ClientError::Conflict { stamp, message },
            _ => ClientError::Rejected {
                stamp,
                status: status.as_u16(),
                message,
            },
        }
    }

    /// Exponential backoff with full jitter: uniform in [0, min(max, base * 2^n)].
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .options
            .backoff_base
            .saturating_mul(1u32 << retry.min(16))
            .min(self.options.backoff_max);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let fraction = f64::from(nanos.wrapping_mul(2_654_435_761) % 1_000_000) / 1_000_000.0;
        ceiling.mul_f64(fraction)
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A reqwest error in a sentence, without the URL's query or any header.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        error::TIMED_OUT.to_owned()
    } else if e.is_connect() {
        error::REFUSED.to_owned()
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        text
    }
}
