//! Tokens. The admin token authorizes the control plane; each tenant's token is derived
//! from it (`t.<tenant>.<hmac>`), so the agent stores no tenant secret and a token names
//! the tenant it belongs to (a valid token on another tenant is 403, not 401). A transfer
//! token (`x.<tenant>.<expiry>.<hmac>`) lets another stamp read one tenant's data for a
//! move until it expires.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Who a request's bearer token says it is.
#[derive(Debug, PartialEq, Eq)]
pub enum Caller {
    /// The stamp's own admin token: the stamp's owner.
    Admin,
    /// An operator enrolled by name, calling with its own token: as the admin, except
    /// that it cannot enroll or revoke operators.
    Operator(String),
    Tenant(String),
    /// Another stamp pulling this tenant for a move.
    Transfer(String),
    Unknown,
}

/// How long a transfer token is valid.
pub const TRANSFER_TTL_SECS: u64 = 3600;

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub struct Tokens {
    admin: String,
}

impl Tokens {
    pub fn new(admin: String) -> Self {
        Self { admin }
    }

    pub fn tenant_token(&self, tenant: &str) -> String {
        format!("t.{tenant}.{}", self.mac(tenant))
    }

    /// A transfer token for `tenant` and its expiry (unix seconds).
    pub fn transfer_token(&self, tenant: &str) -> (String, u64) {
        let expires = now_secs() + TRANSFER_TTL_SECS;
        let subject = format!("{tenant}.{expires}");
        (
            format!("x.{subject}.{}", self.mac_of(b"transfer:", &subject)),
            expires,
        )
    }

    fn mac(&self, tenant: &str) -> String {
        self.mac_of(b"tenant:", tenant)
    }

    fn mac_of(&self, purpose: &[u8], subject: &str) -> String {
        // HMAC accepts keys of any length; new_from_slice cannot fail for it.
        let mut mac = match Hmac::<Sha256>::new_from_slice(self.admin.as_bytes()) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(purpose);
        mac.update(subject.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Identifies the caller from an `Authorization` header value.
    pub fn identify(&self, authorization: Option<&str>) -> Caller {
        let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else {
            return Caller::Unknown;
        };
        if constant_time_eq(token.as_bytes(), self.admin.as_bytes()) {
            return Caller::Admin;
        }
        if let Some((tenant, mac)) = token
            .strip_prefix("t.")
            .and_then(|rest| rest.rsplit_once('.'))
        {
            let expected = self.mac(tenant);
            if !expected.is_empty() && constant_time_eq(mac.as_bytes(), expected.as_bytes()) {
                return Caller::Tenant(tenant.to_owned());
            }
        }
        if let Some((subject, mac)) = token
            .strip_prefix("x.")
            .and_then(|rest| rest.rsplit_once('.'))
        {
            let expected = self.mac_of(b"transfer:", subject);
            if let Some((tenant, expires)) = subject.rsplit_once('.') {
                let live = expires.parse::<u64>().is_ok_and(|e| e > now_secs());
                if live
                    && !expected.is_empty()
                    && constant_time_eq(mac.as_bytes(), expected.as_bytes())
                {
                    return Caller::Transfer(tenant.to_owned());
                }
            }
        }
        Caller::Unknown
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_identify_their_holder() {
        let t = Tokens::new("s3cret-admin".into());
        assert_eq!(t.identify(Some("Bearer s3cret-admin")), Caller::Admin);
        let contoso = t.tenant_token("contoso");
        assert_eq!(
            t.identify(Some(&format!("Bearer {contoso}"))),
            Caller::Tenant("contoso".into())
        );
        assert_eq!(t.identify(Some("Bearer s3cret-admiN")), Caller::Unknown);
        assert_eq!(t.identify(Some("s3cret-admin")), Caller::Unknown);
        assert_eq!(t.identify(None), Caller::Unknown);
        let forged = contoso.replace("t.contoso.", "t.fabrikam.");
        assert_eq!(
            t.identify(Some(&format!("Bearer {forged}"))),
            Caller::Unknown
        );
        let (transfer, _) = t.transfer_token("contoso");
        assert_eq!(
            t.identify(Some(&format!("Bearer {transfer}"))),
            Caller::Transfer("contoso".into())
        );
        let stale = format!("x.contoso.1.{}", t.mac_of(b"transfer:", "contoso.1"));
        assert_eq!(
            t.identify(Some(&format!("Bearer {stale}"))),
            Caller::Unknown
        );
        let other = Tokens::new("another-admin".into());
        assert_eq!(
            other.identify(Some(&format!("Bearer {contoso}"))),
            Caller::Unknown
        );
    }
}
