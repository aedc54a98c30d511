//! Tenant clients that know only their tenant's id and token, and a router's address:
//! each writes `k0`, `k1`, ... through the router and reads each back, honouring a
//! 503's Retry-After and following a fenced stamp's 307, and records every
//! acknowledged write and every request that failed for good.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the clients saw.
#[derive(Default)]
pub struct Traffic {
    /// (tenant, key) -> the value acknowledged.
    pub acked: HashMap<(String, String), String>,
    pub reads: u64,
    pub retries: u64,
    pub redirects: u64,
    /// Requests that did not succeed after retries: what they were and why.
    pub failures: Vec<String>,
}

/// How long one request may keep retrying before it counts as failed.
const GIVE_UP: Duration = Duration::from_secs(60);

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A tenant's client of the router: it knows the router's address, its tenant's id
/// and token, nothing else.
pub struct TenantClient {
    pub http: reqwest::Client,
    pub router: String,
    pub tenant: String,
    pub token: String,
}

impl TenantClient {
    pub fn new(router: &str, tenant: &str, token: &str) -> Self {
        Self {
            http: http(),
            router: router.to_owned(),
            tenant: tenant.to_owned(),
            token: token.to_owned(),
        }
    }

    /// One request through the router (`X-Tenant` names the tenant), retried on 503
    /// after its Retry-After and followed on 307; the final body, or why it failed.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        traffic: &Mutex<Traffic>,
    ) -> Result<String, String> {
        let started = Instant::now();
        let mut url = format!("{}{path}", self.router);
        loop {
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header("x-tenant", &self.tenant)
                .bearer_auth(&self.token)
                .header("idempotency-key", format!("{}-{path}", self.tenant));
            if let Some(body) = body {
                request = request.json(body);
            }
            let answer = request
                .send()
                .await
                .map_err(|e| format!("{method} {url}: {e}"))?;
            let status = answer.status().as_u16();
            match status {
                200 => return answer.text().await.map_err(|e| e.to_string()),
                307 => {
                    url = answer.headers()["location"]
                        .to_str()
                        .map_err(|e| e.to_string())?
                        .to_owned();
                    traffic.lock().unwrap().redirects += 1;
                }
                503 if started.elapsed() < GIVE_UP => {
                    let wait = answer
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .ok_or_else(|| format!("{method} {url}: 503 without Retry-After"))?;
                    traffic.lock().unwrap().retries += 1;
                    // Honoured, at most a second (the agents ask for one).
                    tokio::time::sleep(Duration::from_secs(wait.min(1))).await;
                    url = format!("{}{path}", self.router);
                }
                _ => {
                    let text = answer.text().await.unwrap_or_default();
                    return Err(format!("{method} {url}: {status}: {text}"));
                }
            }
        }
    }
}

/// Writes and reads back until `stop`, at most `limit` keys.
pub async fn client(
    router: String,
    tenant: String,
    token: String,
    stop: Arc<AtomicBool>,
    traffic: Arc<Mutex<Traffic>>,
    limit: u32,
) {
    let me = TenantClient::new(&router, &tenant, &token);
    let mut i = 0;
    while !stop.load(Ordering::SeqCst) && i < limit {
        let key = format!("k{i}");
        let value = format!("{tenant}-v{i}");
        let path = format!("/v1/tenants/{tenant}/kv/{key}");
        let body = serde_json::json!({ "value": value });
        let put = me
            .send(reqwest::Method::PUT, &path, Some(&body), &traffic)
            .await;
        match put {
            Ok(_) => {
                traffic
                    .lock()
                    .unwrap()
                    .acked
                    .insert((tenant.clone(), key.clone()), value.clone());
            }
            Err(e) => {
                traffic.lock().unwrap().failures.push(e);
                i += 1;
                continue;
            }
        }
        let got = me.send(reqwest::Method::GET, &path, None, &traffic).await;
        let mut t = traffic.lock().unwrap();
        match got {
            Ok(text) if text.contains(&value) => t.reads += 1,
            Ok(text) => t
                .failures
                .push(format!("read {tenant}/{key}: {text}, not {value}")),
            Err(e) => t.failures.push(e),
        }
        i += 1;
    }
}

/// How many acknowledged writes do not read back with their value through the router.
pub async fn lost(
    router: &str,
    tokens: &HashMap<String, String>,
    traffic: &Mutex<Traffic>,
) -> usize {
    let acked: Vec<((String, String), String)> = traffic
        .lock()
        .unwrap()
        .acked
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut lost = 0;
    for ((tenant, key), value) in acked {
        let path = format!("/v1/tenants/{tenant}/kv/{key}");
        let me = TenantClient::new(router, &tenant, &tokens[&tenant]);
        let got = me.send(reqwest::Method::GET, &path, None, traffic).await;
        if !got.is_ok_and(|text| text.contains(&value)) {
            lost += 1;
        }
    }
    lost
}
