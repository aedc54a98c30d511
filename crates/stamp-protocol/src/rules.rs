//! Every constraint the Stamp API enforces on what it is sent, written once: the agent
//! checks requests with the functions here, and the OpenAPI document declares the same
//! rules (patterns, lengths, ranges) from the tables here, so a contract fuzzer finds
//! no request the document calls valid that the agent refuses, and none the other way.
//! A test in this crate holds each check function against its pattern.

/// A constraint on one string or integer value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// A string matching `pattern` (ECMA-262, as JSON Schema reads it), of
    /// `min..=max` characters; `uri` marks it as a URL.
    Text {
        pattern: &'static str,
        min: usize,
        max: usize,
        uri: bool,
    },
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
}

/// A tenant id: the fleet's slug rule (lowercase letters, digits, single inner '-').
pub const TENANT_ID: Rule = Rule::Text {
    pattern: "^[a-z]([a-z0-9]|-[a-z0-9])*$",
    min: 1,
    max: 63,
    uri: false,
};

/// A key of a tenant's key/value data: no control characters.
pub const KV_KEY: Rule = Rule::Text {
    pattern: "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
    min: 1,
    max: 256,
    uri: false,
};

/// The Idempotency-Key header, and every token: visible ASCII, no spaces.
pub const IDEMPOTENCY_KEY_VALUE: Rule = Rule::Text {
    pattern: "^[!-~]*$",
    min: 1,
    max: 200,
    uri: false,
};

/// A bearer token carried in a body (a transfer grant's token).
pub const TOKEN: Rule = Rule::Text {
    pattern: "^[!-~]*$",
    min: 1,
    max: 512,
    uri: false,
};

/// A tenant's display name: at least one visible character.
pub const DISPLAY_NAME: Rule = Rule::Text {
    pattern: "[^\\s\\u0000-\\u001f\\u007f-\\u009f]",
    min: 1,
    max: 200,
    uri: false,
};

/// A stamp's base URL: http or https, visible ASCII.
pub const STAMP_URL: Rule = Rule::Text {
    pattern: "^https?://[!-~]+$",
    min: 8,
    max: 2048,
    uri: true,
};

/// An operator's name: a team catalogue's server login (PostgreSQL's plain role names).
pub const OPERATOR_NAME: Rule = Rule::Text {
    pattern: "^[a-z_][a-z0-9_]*$",
    min: 1,
    max: 63,
    uri: false,
};

/// The SHA-256 of an operator's token, as 64 lower-case hex digits.
pub const TOKEN_SHA256: Rule = Rule::Text {
    pattern: "^[0-9a-f]{64}$",
    min: 64,
    max: 64,
    uri: false,
};

/// A fleet key's id: 1 to 32 of a-z and 0-9.
pub const FLEET_KEY_ID: Rule = Rule::Text {
    pattern: "^[a-z0-9]*$",
    min: 1,
    max: 32,
    uri: false,
};

/// An Ed25519 public key: 32 bytes as base64url without padding.
pub const FLEET_PUBLIC_KEY: Rule = Rule::Text {
    pattern: "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$",
    min: 43,
    max: 43,
    uri: false,
};

/// A template version: MAJOR.MINOR.PATCH, each 1 to 9 digits.
pub const TEMPLATE_VERSION: Rule = Rule::Text {
    pattern: "^[0-9]{1,9}\\.[0-9]{1,9}\\.[0-9]{1,9}$",
    min: 5,
    max: 29,
    uri: false,
};

/// How long `GET /v1/upgrade` may wait, in milliseconds.
pub const WAIT_MS: Rule = Rule::Int {
    min: 0,
    max: 30_000,
};

/// How many pages an export may pass over (`GET .../export?skip=N`): a target asks for
/// a few pages ahead of the one it writes.
pub const SKIP: Rule = Rule::Int { min: 0, max: 4 };

/// The budget of key and value bytes a target asks an export page to fill
/// (`GET .../export?pageBytes=N`; without it, 7 MiB): a large tenant moves in fewer,
/// larger pages. A page in the binary form then stays under
/// [`crate::MAX_EXPORT_PAGE_BYTES`].
pub const PAGE_BYTES: Rule = Rule::Int {
    min: 65_536,
    max: MAX_PAGE_BYTES as i64,
};

/// The largest `pageBytes` (what a target asks for).
pub const MAX_PAGE_BYTES: u32 = 24 * 1024 * 1024;

/// The largest tenant size the API takes (the fleet's capacity bound).
pub const MAX_SIZE_UNITS: u32 = 1_000_000_000;

/// A tenant's size in capacity units.
pub const SIZE_UNITS: Rule = Rule::Int {
    min: 1,
    max: MAX_SIZE_UNITS as i64,
};

/// A change sequence number (the agent keeps them as SQLite integers).
pub const SEQ: Rule = Rule::Int {
    min: 0,
    max: i64::MAX,
};

/// The rule of each path, query and header parameter, by name.
pub const PARAMETERS: &[(&str, Rule)] = &[
    ("id", TENANT_ID),
    ("name", OPERATOR_NAME),
    ("kid", FLEET_KEY_ID),
    ("key", KV_KEY),
    ("Idempotency-Key", IDEMPOTENCY_KEY_VALUE),
    ("waitMs", WAIT_MS),
    ("skip", SKIP),
    ("pageBytes", PAGE_BYTES),
];

/// The rule of each request body field: (schema, field, rule).
pub const FIELDS: &[(&str, &str, Rule)] = &[
    ("ProvisionTenant", "displayName", DISPLAY_NAME),
    ("ProvisionTenant", "sizeUnits", SIZE_UNITS),
    ("ImportSync", "displayName", DISPLAY_NAME),
    ("ImportSync", "sizeUnits", SIZE_UNITS),
    ("ImportSync", "source", STAMP_URL),
    ("ImportSync", "transferToken", TOKEN),
    ("ActivateProof", "source", STAMP_URL),
    ("ActivateProof", "transferToken", TOKEN),
    ("Fence", "movedTo", STAMP_URL),
    ("EnrollOperator", "tokenSha256", TOKEN_SHA256),
    ("FleetKey", "publicKey", FLEET_PUBLIC_KEY),
    ("StartUpgrade", "targetVersion", TEMPLATE_VERSION),
];

/// Why a value breaks its rule, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {rule}")]
pub struct RuleError {
    pub field: &'static str,
    pub rule: &'static str,
}

fn fail<T>(field: &'static str, rule: &'static str) -> Result<T, RuleError> {
    Err(RuleError { field, rule })
}

fn visible_ascii(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_graphic())
}

fn length(value: &str, field: &'static str, rule: Rule) -> Result<(), RuleError> {
    let Rule::Text { min, max, .. } = rule else {
        return Ok(());
    };
    let n = value.chars().count();
    if n < min || n > max {
        return fail(field, "has the wrong length (see the API document)");
    }
    Ok(())
}

/// A key of a tenant's data: 1 to 256 characters, none a control character.
pub fn check_kv_key(value: &str) -> Result<(), RuleError> {
    length(value, "key", KV_KEY)?;
    if value.chars().any(char::is_control) {
        return fail("key", "must not contain control characters");
    }
    Ok(())
}

/// An Idempotency-Key value: 1 to 200 visible ASCII characters.
pub fn check_idempotency_key(value: &str) -> Result<(), RuleError> {
    if value.is_empty() || value.len() > 200 || !visible_ascii(value) {
        return fail(
            "the Idempotency-Key header",
            "must be 1 to 200 visible ASCII characters (no spaces)",
        );
    }
    Ok(())
}

/// A token in a body: 1 to 512 visible ASCII characters.
pub fn check_token(field: &'static str, value: &str) -> Result<(), RuleError> {
    if value.is_empty() || value.len() > 512 || !visible_ascii(value) {
        return fail(field, "must be 1 to 512 visible ASCII characters");
    }
    Ok(())
}

/// A display name: 1 to 200 characters, at least one of them visible.
pub fn check_display_name(value: &str) -> Result<(), RuleError> {
    length(value, "displayName", DISPLAY_NAME)?;
    if !value.chars().any(|c| !c.is_whitespace() && !c.is_control()) {
        return fail("displayName", "must hold a visible character");
    }
    Ok(())
}

/// A stamp URL: `http://` or `https://` and visible ASCII, at most 2048 characters.
pub fn check_stamp_url(field: &'static str, value: &str) -> Result<(), RuleError> {
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.is_empty() && value.len() <= 2048 && visible_ascii(value) => Ok(()),
        _ => fail(
            field,
            "must be an http:// or https:// URL of visible ASCII, at most 2048 characters",
        ),
    }
}

/// An operator's name: 1 to 63 of a-z, 0-9 and _, not starting with a digit.
pub fn check_operator_name(value: &str) -> Result<(), RuleError> {
    let plain = value.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if value.is_empty() || value.len() > 63 || !plain {
        return fail(
            "name",
            "must be 1 to 63 of a-z, 0-9 and _, not starting with a digit",
        );
    }
    Ok(())
}

/// A token's SHA-256: 64 lower-case hex digits.
pub fn check_template_version(field: &'static str, value: &str) -> Result<(), RuleError> {
    let ok = value.split('.').count() == 3
        && value
            .split('.')
            .all(|p| (1..=9).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return fail(field, "must be MAJOR.MINOR.PATCH, each 1 to 9 digits");
    }
    Ok(())
}

pub fn check_wait_ms(value: u64) -> Result<(), RuleError> {
    let Rule::Int { max, .. } = WAIT_MS else {
        return Ok(());
    };
    if i64::try_from(value).map_or(true, |v| v > max) {
        return fail("waitMs", "must be 0 to 30000");
    }
    Ok(())
}

pub fn check_skip(value: u32) -> Result<(), RuleError> {
    let Rule::Int { max, .. } = SKIP else {
        return Ok(());
    };
    if i64::from(value) > max {
        return fail("skip", "must be 0 to 4");
    }
    Ok(())
}

pub fn check_page_bytes(value: u32) -> Result<(), RuleError> {
    let Rule::Int { min, max } = PAGE_BYTES else {
        return Ok(());
    };
    if !(min..=max).contains(&i64::from(value)) {
        return fail("pageBytes", "must be 65536 to 25165824");
    }
    Ok(())
}

pub fn check_token_sha256(value: &str) -> Result<(), RuleError> {
    if value.len() != 64
        || !value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return fail("tokenSha256", "must be 64 lower-case hex digits");
    }
    Ok(())
}

/// A fleet key's id: 1 to 32 of a-z and 0-9.
pub fn check_fleet_key_id(value: &str) -> Result<(), RuleError> {
    if value.is_empty()
        || value.len() > 32
        || !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return fail("kid", "must be 1 to 32 of a-z and 0-9");
    }
    Ok(())
}

/// An Ed25519 public key: 32 bytes as base64url without padding (43 characters).
pub fn check_fleet_public_key(value: &str) -> Result<(), RuleError> {
    if value.len() != 43 || crate::fleet_token::decode_public_key(value).is_none() {
        return fail(
            "publicKey",
            "must be an Ed25519 public key: 32 bytes as base64url without padding",
        );
    }
    Ok(())
}

/// A tenant size: 1 to MAX_SIZE_UNITS.
pub fn check_size_units(value: u32) -> Result<(), RuleError> {
    if value == 0 || value > MAX_SIZE_UNITS {
        return fail("sizeUnits", "must be 1 to 1000000000");
    }
    Ok(())
}

/// A change sequence number in a query: at most i64::MAX.
pub fn check_seq(value: u64) -> Result<(), RuleError> {
    if i64::try_from(value).is_err() {
        return fail("after", "must be at most 9223372036854775807");
    }
    Ok(())
}
