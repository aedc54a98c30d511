//! Health pushed, where a stamp can: `GET /v1/health` answers with an `ETag` naming what
//! it says; a caller that sends that tag back (`If-None-Match`) with `Prefer: wait=N`
//! is answered when the stamp's health changes, or after N seconds (at most
//! [`MAX_HEALTH_WAIT_SECS`]) with `304 Not Modified`. A large fleet is then not polled
//! one stamp at a time: each stamp holds one open question and answers it on a change.
//! A stamp that sends no `ETag` (an older agent) is polled as before.

use crate::Health;

/// The longest a health call waits for a change.
pub const MAX_HEALTH_WAIT_SECS: u64 = 30;

/// The request header naming how long to wait (RFC 7240: `Prefer: wait=N`).
pub const PREFER: &str = "prefer";

impl Health {
    /// The `ETag` of this answer (a quoted string): equal answers have equal tags. The
    /// error rate counts to a tenth of a percent, so the noise of traffic is no change.
    pub fn tag(&self) -> String {
        let canonical = format!(
            "{:?}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.status,
            self.stamp_id,
            self.region,
            self.template_version,
            self.software_version,
            self.capacity_units_total,
            self.capacity_units_used,
            self.tenant_count,
            (self.error_rate * 1000.0).round() as i64,
            self.detail.as_deref().unwrap_or(""),
        );
        // FNV-1a, 64 bits: stable across builds and platforms (no std hasher seed).
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in canonical.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("\"h{hash:016x}\"")
    }
}

/// A health call as its headers ask it: the tag the caller holds (`If-None-Match`) and
/// how long to wait for a change (`Prefer: wait=N`; zero when not asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthQuestion {
    pub held: Option<String>,
    pub wait: std::time::Duration,
}

impl HealthQuestion {
    pub fn from_headers(if_none_match: Option<&str>, prefer: Option<&str>) -> Self {
        Self {
            held: if_none_match.map(str::to_owned),
            wait: std::time::Duration::from_secs(prefer.and_then(prefer_wait_secs).unwrap_or(0)),
        }
    }
}

/// The seconds of a `Prefer` header's `wait=N` (at most [`MAX_HEALTH_WAIT_SECS`]);
/// `None` when it names no wait. Other preferences in the header are ignored.
pub fn prefer_wait_secs(header: &str) -> Option<u64> {
    header
        .split([',', ';'])
        .filter_map(|part| part.trim().strip_prefix("wait="))
        .find_map(|n| n.trim().parse::<u64>().ok())
        .map(|n| n.min(MAX_HEALTH_WAIT_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StampHealthStatus;

    fn health(used: u32, error_rate: f64) -> Health {
        Health {
            status: StampHealthStatus::Ok,
            stamp_id: "s1".into(),
            region: "westeurope".into(),
            template_version: "1.4.0".into(),
            software_version: "0.1.0".into(),
            capacity_units_total: 100,
            capacity_units_used: used,
            tenant_count: 3,
            error_rate,
            detail: None,
        }
    }

    #[test]
    fn a_tag_changes_with_what_the_answer_says_and_not_with_traffic_noise() {
        assert_eq!(health(5, 0.0).tag(), health(5, 0.0).tag());
        assert_ne!(health(5, 0.0).tag(), health(6, 0.0).tag());
        assert_eq!(health(5, 0.0101).tag(), health(5, 0.0104).tag());
        assert_ne!(health(5, 0.010).tag(), health(5, 0.020).tag());
        assert!(health(5, 0.0).tag().starts_with("\"h") && health(5, 0.0).tag().ends_with('"'));
    }

    #[test]
    fn prefer_wait_is_read_among_other_preferences_and_capped() {
        assert_eq!(prefer_wait_secs("wait=20"), Some(20));
        assert_eq!(prefer_wait_secs("respond-async, wait=5"), Some(5));
        assert_eq!(prefer_wait_secs("wait=600"), Some(MAX_HEALTH_WAIT_SECS));
        assert_eq!(prefer_wait_secs("return=minimal"), None);
        assert_eq!(prefer_wait_secs("wait=soon"), None);
    }
}
