//! JSON Schema counts `10.0` as an integer, so the API takes a whole number written
//! either way for its integer body fields; a fraction or a value past u32 is refused.

use serde::{Deserialize, Deserializer};

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    let whole = match (n.as_u64(), n.as_f64()) {
        (Some(u), _) => u32::try_from(u).ok(),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
            // In range and whole: the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(f as u32)
        }
        _ => None,
    };
    whole.ok_or_else(|| {
        serde::de::Error::custom(format!("{n} is not a whole number from 0 to 4294967295"))
    })
}

#[cfg(test)]
mod tests {
    use crate::FreezeLease;

    fn lease(body: &str) -> Result<u32, String> {
        serde_json::from_str::<FreezeLease>(body)
            .map(|l| l.lease_secs)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_in_either_spelling() {
        assert_eq!(lease(r#"{"leaseSecs": 160}"#), Ok(160));
        assert_eq!(lease(r#"{"leaseSecs": 160.0}"#), Ok(160));
        assert_eq!(lease(r#"{"leaseSecs": 1.6e2}"#), Ok(160));
        for bad in ["160.5", "-1", "4294967296", "1e300", "\"160\"", "null"] {
            let e = lease(&format!(r#"{{"leaseSecs": {bad}}}"#)).unwrap_err();
            assert!(
                e.contains("leaseSecs") || e.contains("whole number") || e.contains("invalid type"),
                "{bad}: {e}"
            );
        }
    }
}
