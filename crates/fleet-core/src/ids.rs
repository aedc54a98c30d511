//! Validated identifiers. Every id in Stampfleet is a lowercase slug that is safe in a
//! URL path, a file name and a DNS label: the rule is checked once, at the edge.

use std::fmt;

/// Why a string is not a valid identifier; the message names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} id {value:?} is invalid: {rule}")]
pub struct IdError {
    pub kind: &'static str,
    pub value: String,
    pub rule: &'static str,
}

/// Serializes a validated string type as a plain string and checks the rule when
/// deserializing (needs `new(String) -> Result<Self, E: Display>` and `as_str`).
#[macro_export]
macro_rules! string_serde {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <String as serde::Deserialize>::deserialize(d)?;
                $name::new(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The longest id accepted (a DNS label).
pub const MAX_ID_LEN: usize = 63;

/// Checks the slug rule shared by every id kind.
pub fn check_slug(kind: &'static str, value: &str) -> Result<(), IdError> {
    let fail = |rule| {
        Err(IdError {
            kind,
            value: value.to_owned(),
            rule,
        })
    };
    if value.is_empty() {
        return fail("must not be empty");
    }
    if value.len() > MAX_ID_LEN {
        return fail("must be at most 63 characters");
    }
    if !value
        .bytes()
        .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
    {
        return fail("may contain only lowercase letters a-z, digits and '-'");
    }
    if !value.as_bytes()[0].is_ascii_lowercase() {
        return fail("must start with a lowercase letter");
    }
    if value.ends_with('-') {
        return fail("must not end with '-'");
    }
    if value.contains("--") {
        return fail("must not contain '--'");
    }
    Ok(())
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
        #[ts(type = "string")]
        pub struct $name(String);

        impl $name {
            /// Validates `value` against the slug rule.
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                check_slug($kind, &value)?;
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        $crate::string_serde!($name);

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(value: &str) -> Result<Self, IdError> {
                Self::new(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// A tenant, e.g. `contoso-prod`.
    TenantId,
    "tenant"
);
slug_id!(
    /// A stamp, e.g. `weu-01`.
    StampId,
    "stamp"
);
slug_id!(
    /// A region: `{provider}-{code}` for built-in ones (`aws-eu-west-1`), any slug for custom ones.
    RegionId,
    "region"
);
slug_id!(
    /// A cloud provider or an operator-named one for custom regions (`azure`, `onprem`).
    ProviderId,
    "provider"
);
slug_id!(
    /// A stamp template's name, e.g. `standard`.
    TemplateName,
    "template"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_typical_ids() {
        for ok in [
            "a",
            "weu-01",
            "contoso-prod",
            "aws-eu-west-1",
            &"x".repeat(63),
        ] {
            assert!(TenantId::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn each_rule_is_named() {
        let cases = [
            ("", "must not be empty"),
            (
                "Weu",
                "may contain only lowercase letters a-z, digits and '-'",
            ),
            (
                "we_u",
                "may contain only lowercase letters a-z, digits and '-'",
            ),
            ("1abc", "must start with a lowercase letter"),
            ("-abc", "must start with a lowercase letter"),
            ("abc-", "must not end with '-'"),
            ("a--b", "must not contain '--'"),
        ];
        for (value, rule) in cases {
            let err = StampId::new(value).unwrap_err();
            assert_eq!(err.rule, rule, "{value:?}");
            assert!(err.to_string().starts_with("stamp id"), "{err}");
        }
        let long = "a".repeat(64);
        assert_eq!(
            StampId::new(long).unwrap_err().rule,
            "must be at most 63 characters"
        );
    }

    #[test]
    fn deserializing_checks_the_rule() {
        let err = serde_json::from_str::<RegionId>("\"Bad Id\"").unwrap_err();
        assert!(
            err.to_string().contains("region id \"Bad Id\" is invalid"),
            "{err}"
        );
        let ok: RegionId = serde_json::from_str("\"azure-westeurope\"").unwrap();
        assert_eq!(ok.as_str(), "azure-westeurope");
    }
}
