//! Each check function the agent runs agrees with the pattern and length the OpenAPI
//! document declares for the same value, on generated strings of every kind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use regex::Regex;
use stamp_protocol::rules::{self, Rule};

fn declared(rule: Rule, value: &str) -> bool {
    let Rule::Text {
        pattern, min, max, ..
    } = rule
    else {
        panic!("not a text rule");
    };
    let n = value.chars().count();
    Regex::new(pattern).unwrap().is_match(value) && n >= min && n <= max
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,12}",
        "\\PC{0,12}",
        "[\\x00-\\x20\\x7f-\\u{a0}a-z]{0,6}",
        "https?://[ -~]{0,10}",
        "[a-z][a-z0-9-]{0,70}",
        "[a-z_][a-z0-9_A]{0,66}",
        "[0-9a-fA]{62,66}",
        "[0-9.]{0,30}",
        "[0-9]{1,11}\\.[0-9]{1,11}\\.[0-9]{1,11}",
        "[A-Za-z0-9_=+/-]{41,44}",
        Just(String::new()),
        Just("x".repeat(201)),
        Just("y".repeat(257)),
        Just(format!("http://{}", "h".repeat(2050))),
        Just(" \u{1c}\u{85}\u{a0}".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn checks_match_declared_patterns(v in text()) {
        prop_assert_eq!(rules::check_kv_key(&v).is_ok(), declared(rules::KV_KEY, &v), "key {:?}", v);
        prop_assert_eq!(rules::check_idempotency_key(&v).is_ok(), declared(rules::IDEMPOTENCY_KEY_VALUE, &v), "idempotency key {:?}", v);
        prop_assert_eq!(rules::check_token("t", &v).is_ok(), declared(rules::TOKEN, &v), "token {:?}", v);
        prop_assert_eq!(rules::check_display_name(&v).is_ok(), declared(rules::DISPLAY_NAME, &v), "display name {:?}", v);
        prop_assert_eq!(rules::check_stamp_url("u", &v).is_ok(), declared(rules::STAMP_URL, &v), "url {:?}", v);
        prop_assert_eq!(rules::check_operator_name(&v).is_ok(), declared(rules::OPERATOR_NAME, &v), "operator {:?}", v);
        prop_assert_eq!(rules::check_token_sha256(&v).is_ok(), declared(rules::TOKEN_SHA256, &v), "sha256 {:?}", v);
        prop_assert_eq!(rules::check_fleet_key_id(&v).is_ok(), declared(rules::FLEET_KEY_ID, &v), "kid {:?}", v);
        prop_assert_eq!(rules::check_fleet_public_key(&v).is_ok(), declared(rules::FLEET_PUBLIC_KEY, &v), "public key {:?}", v);
        prop_assert_eq!(rules::check_template_version("v", &v).is_ok(), declared(rules::TEMPLATE_VERSION, &v), "version {:?}", v);
    }

    #[test]
    fn size_and_seq_checks_match_declared_ranges(n in any::<u32>(), s in any::<u64>()) {
        let Rule::Int { min, max } = rules::SIZE_UNITS else { panic!() };
        prop_assert_eq!(rules::check_size_units(n).is_ok(), (min..=max).contains(&i64::from(n)));
        let Rule::Int { min, max } = rules::SEQ else { panic!() };
        prop_assert_eq!(rules::check_seq(s).is_ok(), i64::try_from(s).is_ok_and(|s| (min..=max).contains(&s)));
    }
}

#[test]
fn the_document_declares_every_rule() {
    let doc: serde_json::Value = serde_json::from_str(&stamp_protocol::openapi_json()).unwrap();
    let put = &doc["paths"]["/v1/tenants/{id}"]["put"]["parameters"];
    let id = put
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "id")
        .unwrap();
    assert_eq!(id["schema"]["pattern"], "^[a-z]([a-z0-9]|-[a-z0-9])*$");
    assert_eq!(id["schema"]["maxLength"], 63);
    let key = put
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Idempotency-Key")
        .unwrap();
    assert_eq!(key["schema"]["maxLength"], 200);
    let changes = &doc["paths"]["/v1/tenants/{id}/changes"]["get"]["parameters"];
    let after = changes
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "after")
        .unwrap();
    assert_eq!(after["schema"]["maximum"], i64::MAX);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ProvisionTenant"]["properties"]["sizeUnits"]["minimum"],
        1
    );
    assert_eq!(
        schemas["ProvisionTenant"]["properties"]["sizeUnits"]["maximum"],
        1_000_000_000
    );
    assert_eq!(schemas["Fence"]["properties"]["movedTo"]["format"], "uri");
    assert_eq!(
        schemas["ImportSync"]["properties"]["transferToken"]["maxLength"],
        512
    );
}
