//! The OpenAPI contract, exercised with generated requests against a real agent: any
//! method, documented and undocumented paths, good and bad tokens, keys and bodies.
//! The agent never answers 5xx, every error is `{code, message}`, and a documented
//! operation answers only statuses its document lists.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use proptest::prelude::*;
use serde_json::{json, Value};

const ADMIN: &str = "contract-admin-token-0123456789";

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("alpha".to_owned()),
        Just("beta".to_owned()),
        "[a-z][a-z0-9-]{0,20}",
        // "." and ".." are dot segments: the client removes them before sending, so the
        // path the server sees is not the one the document is asked about.
        "[A-Za-z0-9_.~%-]{1,12}".prop_filter("a dot segment", |s| s != "." && s != ".."),
        Just("x".repeat(80)),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/v1/health".to_owned()),
        Just("/v1/tenants".to_owned()),
        Just("/v1/openapi.json".to_owned()),
        Just("/v1/operators".to_owned()),
        segment().prop_map(|n| format!("/v1/operators/{n}")),
        segment().prop_map(|t| format!("/v1/tenants/{t}")),
        (segment(), segment()).prop_map(|(t, k)| format!("/v1/tenants/{t}/kv/{k}")),
        segment().prop_map(|s| format!("/v1/{s}")),
        Just("/".to_owned()),
    ]
}

fn body() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        Just(None),
        ("[ -~]{1,20}", 1u32..200).prop_map(|(n, s)| Some(
            json!({"displayName": n, "sizeUnits": s})
                .to_string()
                .into_bytes()
        )),
        "[ -~]{0,40}".prop_map(|v| Some(json!({ "value": v }).to_string().into_bytes())),
        any::<i64>().prop_map(|n| Some(
            json!({"displayName": "", "sizeUnits": n})
                .to_string()
                .into_bytes()
        )),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Some),
        Just(Some(b"{\"value\": \"x\", \"extra\": 1}".to_vec())),
        "[0-9a-f]{62,66}".prop_map(|h| Some(json!({ "tokenSha256": h }).to_string().into_bytes())),
    ]
}

#[derive(Debug, Clone)]
enum Auth {
    None,
    Admin,
    TenantAlpha,
    Garbage(String),
}

fn auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        Just(Auth::None),
        Just(Auth::Admin),
        Just(Auth::TenantAlpha),
        "[ -~]{0,30}".prop_map(Auth::Garbage)
    ]
}

fn documented(doc: &Value, path: &str, method: &str) -> Option<Vec<u16>> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (template, item) in doc["paths"].as_object()? {
        let t: Vec<&str> = template.trim_start_matches('/').split('/').collect();
        let matches = t.len() == segs.len()
            && t.iter()
                .zip(&segs)
                .all(|(a, b)| a.starts_with('{') || a == b);
        if matches {
            let op = item.get(method)?;
            return Some(
                op["responses"]
                    .as_object()?
                    .keys()
                    .filter_map(|k| k.parse().ok())
                    .collect(),
            );
        }
    }
    None
}

#[test]
fn generated_requests_never_get_a_5xx_and_follow_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let agent = support::Agent::start(dir.path(), "contract-01", "r", 100_000, ADMIN);
    let base = agent.base.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let doc: Value = serde_json::from_str(&stamp_protocol_doc()).unwrap();

    // A tenant to talk to, so tenant paths reach their handlers too.
    let alpha_token = rt.block_on(async {
        let r = http
            .put(format!("{base}/v1/tenants/alpha"))
            .bearer_auth(ADMIN)
            .header("idempotency-key", "setup")
            .json(&json!({"displayName": "Alpha", "sizeUnits": 1}))
            .send()
            .await
            .unwrap();
        r.json::<Value>().await.unwrap()["tenantToken"]
            .as_str()
            .unwrap()
            .to_owned()
    });

    let methods = prop_oneof![
        Just("get"),
        Just("put"),
        Just("delete"),
        Just("post"),
        Just("patch")
    ];
    let key = proptest::option::of("[a-zA-Z0-9-]{1,20}");
    let config = ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(method in methods, path in path(), auth in auth(), key in key, body in body())| {
        let status_and_body = rt.block_on(async {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut req = http.request(m, format!("{base}{path}"));
            req = match &auth {
                Auth::None => req,
                Auth::Admin => req.bearer_auth(ADMIN),
                Auth::TenantAlpha => req.bearer_auth(&alpha_token),
                Auth::Garbage(t) => req.header("authorization", t.as_str()),
            };
            if let Some(k) = &key {
                req = req.header("idempotency-key", k.as_str());
            }
            if let Some(b) = &body {
                req = req.header("content-type", "application/json").body(b.clone());
            }
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap())
        });
        let (status, bytes) = status_and_body;
        prop_assert!(status < 500, "{method} {path} -> {status}: {}", String::from_utf8_lossy(&bytes));
        if status >= 400 {
            let err: Value = serde_json::from_slice(&bytes).map_err(|e| TestCaseError::fail(format!("{method} {path} -> {status}: not JSON: {e}")))?;
            prop_assert!(err["code"].is_string() && err["message"].is_string(), "{method} {path} -> {err}");
        }
        if let Some(listed) = documented(&doc, &path, method) {
            prop_assert!(listed.contains(&status) || status == 404 || status == 413,
                "{method} {path} answered {status}, not among the documented {listed:?}");
        }
    });
    drop(agent);
}

fn stamp_protocol_doc() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/stamp-api.openapi.json"
    ))
    .unwrap()
}
