//! Plain HTTP calls on a stamp agent, for the tests that check the wire itself
//! (status codes, headers, raw JSON) rather than stamp-client's reading of it.

use reqwest::{Client, Response};
use serde_json::{json, Value};

/// GET `url` with `token`, the answer's JSON.
pub async fn get_json(http: &Client, url: &str, token: &str) -> Value {
    http.get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// PUT `{"value": value}` to a key/value `url` with `token`, under `idempotency_key`.
pub async fn put_value(
    http: &Client,
    url: &str,
    token: &str,
    idempotency_key: &str,
    value: &str,
) -> Response {
    http.put(url)
        .bearer_auth(token)
        .header("idempotency-key", idempotency_key)
        .json(&json!({ "value": value }))
        .send()
        .await
        .unwrap()
}

/// PUT a tenant `{displayName, sizeUnits}` to `url` (`.../v1/tenants/{id}`) as the admin.
pub async fn provision(
    http: &Client,
    url: &str,
    admin: &str,
    idempotency_key: &str,
    (display_name, size_units): (&str, u32),
) -> Response {
    http.put(url)
        .bearer_auth(admin)
        .header("idempotency-key", idempotency_key)
        .json(&json!({ "displayName": display_name, "sizeUnits": size_units }))
        .send()
        .await
        .unwrap()
}

/// `provision`, then the new tenant's token from its answer.
pub async fn provisioned_token(
    http: &Client,
    url: &str,
    admin: &str,
    idempotency_key: &str,
    tenant: (&str, u32),
) -> String {
    let made: Value = provision(http, url, admin, idempotency_key, tenant)
        .await
        .json()
        .await
        .unwrap();
    made["tenantToken"].as_str().unwrap().to_owned()
}
