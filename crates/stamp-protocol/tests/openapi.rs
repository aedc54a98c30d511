//! docs/stamp-api.openapi.json is the committed contract; it must match the types.
//! Regenerate with `STAMPFLEET_WRITE_GENERATED=1 cargo test -p stamp-protocol`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn committed_openapi_document_is_fresh() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/stamp-api.openapi.json");
    let fresh = stamp_protocol::openapi_json();
    if std::env::var_os("STAMPFLEET_WRITE_GENERATED").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: regenerate with STAMPFLEET_WRITE_GENERATED=1 cargo test -p stamp-protocol",
        path.display()
    );
}

#[test]
fn every_mutating_call_documents_the_idempotency_key() {
    let doc: serde_json::Value = serde_json::from_str(&stamp_protocol::openapi_json()).unwrap();
    let mut mutating = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["put", "delete", "post"] {
            if let Some(op) = item.get(method) {
                mutating += 1;
                let params = op["parameters"].as_array().unwrap();
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
                    "{method} {path} lacks Idempotency-Key"
                );
            }
        }
    }
    assert_eq!(mutating, 16);
}
