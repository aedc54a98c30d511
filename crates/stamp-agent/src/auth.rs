//! Tokens. The admin token authorizes the control plane; each tenant's token is derived
//! from it (`t.<tenant>.<hmac>`), so the agent stores no tenant secret and a token names
//! the tenant it belongs to (a valid token on another tenant is 403, not 401).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Who a request's bearer token says it is.
#[derive(Debug, PartialEq, Eq)]
pub enum Caller {
    Admin,
    Tenant(String),
    Unknown,
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

    fn mac(&self, tenant: &str) -> String {
        // HMAC accepts keys of any length; new_from_slice cannot fail for it.
        let mut mac = match Hmac::<Sha256>::new_from_slice(self.admin.as_bytes()) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(b"tenant:");
        mac.update(tenant.as_bytes());
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
        Caller::Unknown
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
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
        let other = Tokens::new("another-admin".into());
        assert_eq!(
            other.identify(Some(&format!("Bearer {contoso}"))),
            Caller::Unknown
        );
    }
}
