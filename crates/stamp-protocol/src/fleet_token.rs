//! Tenant tokens signed by the fleet's key, valid on every stamp that holds the tenant:
//! `f.<kid>.<tenant>.<expires>.<signature>`, where `kid` names the fleet key (a stamp
//! keeps the public half of each key the fleet gave it, `PUT /v1/fleet-keys/{kid}`),
//! `expires` is unix seconds, and `signature` is the Ed25519 signature of
//! `f.<kid>.<tenant>.<expires>`, base64url without padding. Only the control plane holds
//! the private keys; a stamp verifies and never signs. Rotation: a new key is given to
//! every stamp before it signs anything, and an old one is taken back once the tokens
//! it signed are no longer needed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

/// What a valid fleet token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetClaims {
    pub kid: String,
    pub tenant: String,
    /// Unix seconds.
    pub expires: u64,
}

/// Why a fleet token is refused (every one of them is a 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FleetTokenError {
    #[error("not a fleet token (f.<kid>.<tenant>.<expires>.<signature>)")]
    Malformed,
    #[error("signed by key {0}, which this stamp was not given")]
    UnknownKey(String),
    #[error("the signature does not verify")]
    BadSignature,
    #[error("expired")]
    Expired,
}

fn signed_part(kid: &str, tenant: &str, expires: u64) -> String {
    format!("f.{kid}.{tenant}.{expires}")
}

/// A new Ed25519 key pair as PKCS#8 bytes (what the control plane keeps secret).
pub fn generate_key() -> Result<Vec<u8>, String> {
    Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
        .map(|doc| doc.as_ref().to_vec())
        .map_err(|_| "no random numbers for a new fleet key".to_owned())
}

fn key_pair(pkcs8: &[u8]) -> Result<Ed25519KeyPair, String> {
    Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|e| format!("not an Ed25519 key: {e}"))
}

/// The public half of a PKCS#8 key, as base64url (what stamps are given).
pub fn public_key_text(pkcs8: &[u8]) -> Result<String, String> {
    Ok(URL_SAFE_NO_PAD.encode(key_pair(pkcs8)?.public_key().as_ref()))
}

/// Signs a token for `tenant` with key `kid`, valid until `expires` (unix seconds).
pub fn sign(pkcs8: &[u8], kid: &str, tenant: &str, expires: u64) -> Result<String, String> {
    let pair = key_pair(pkcs8)?;
    let signed = signed_part(kid, tenant, expires);
    let signature = URL_SAFE_NO_PAD.encode(pair.sign(signed.as_bytes()).as_ref());
    Ok(format!("{signed}.{signature}"))
}

/// The 32 bytes of a base64url public key, when it is one.
pub fn decode_public_key(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .filter(|bytes| bytes.len() == 32)
}

/// Checks `token` against the public keys `key_of` knows, at `now` (unix seconds).
pub fn verify(
    token: &str,
    key_of: impl Fn(&str) -> Option<Vec<u8>>,
    now: u64,
) -> Result<FleetClaims, FleetTokenError> {
    let rest = token.strip_prefix("f.").ok_or(FleetTokenError::Malformed)?;
    let mut parts = rest.split('.');
    let (Some(kid), Some(tenant), Some(expires), Some(signature), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(FleetTokenError::Malformed);
    };
    let expires: u64 = expires.parse().map_err(|_| FleetTokenError::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| FleetTokenError::Malformed)?;
    let public = key_of(kid).ok_or_else(|| FleetTokenError::UnknownKey(kid.to_owned()))?;
    UnparsedPublicKey::new(&ED25519, public)
        .verify(signed_part(kid, tenant, expires).as_bytes(), &signature)
        .map_err(|_| FleetTokenError::BadSignature)?;
    if expires <= now {
        return Err(FleetTokenError::Expired);
    }
    Ok(FleetClaims {
        kid: kid.to_owned(),
        tenant: tenant.to_owned(),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_with_its_key_before_it_expires() {
        let key = generate_key().unwrap();
        let public = decode_public_key(&public_key_text(&key).unwrap()).unwrap();
        let keys = |kid: &str| (kid == "k1").then(|| public.clone());
        let token = sign(&key, "k1", "contoso", 2_000).unwrap();
        assert_eq!(
            verify(&token, keys, 1_000).unwrap(),
            FleetClaims {
                kid: "k1".into(),
                tenant: "contoso".into(),
                expires: 2_000
            }
        );
        assert_eq!(verify(&token, keys, 2_000), Err(FleetTokenError::Expired));
        let forged = token.replace(".contoso.", ".fabrikam.");
        assert_eq!(
            verify(&forged, keys, 1_000),
            Err(FleetTokenError::BadSignature)
        );
        let later = token.replace(".2000.", ".9000.");
        assert_eq!(
            verify(&later, keys, 1_000),
            Err(FleetTokenError::BadSignature)
        );
        let other = sign(&generate_key().unwrap(), "k1", "contoso", 2_000).unwrap();
        assert_eq!(
            verify(&other, keys, 1_000),
            Err(FleetTokenError::BadSignature)
        );
        let unknown = sign(&key, "k2", "contoso", 2_000).unwrap();
        assert_eq!(
            verify(&unknown, keys, 1_000),
            Err(FleetTokenError::UnknownKey("k2".into()))
        );
        for bad in [
            "t.contoso.abc",
            "f.k1.contoso.x.sig",
            "f.k1.contoso.1",
            "f.k1.a.1.!!",
        ] {
            assert_eq!(
                verify(bad, keys, 1_000),
                Err(FleetTokenError::Malformed),
                "{bad}"
            );
        }
    }
}
