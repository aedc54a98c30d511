//! The fleet's signing keys and the tenant tokens they sign (Ed25519,
//! `stamp_protocol::fleet_token`): a token is valid on every stamp that was given the
//! key, so a client keeps it when its tenant moves. The private half of a key stays in
//! the secret store of the operator who made it (`<catalogue uuid>.fleet-key.<kid>`);
//! the catalogue keeps the public half (`fleet_keys`). A key is made on first need (the
//! first token issued, or a rotation) and given to every stamp before it signs anything;
//! new stamps get the keys in use when they are provisioned or adopted. Rotation makes a
//! new key that signs from then on; the old one still verifies until it is retired,
//! which takes it back from every stamp.

use catalogue::FleetKeyRecord;
use fleet_core::{StampId, TenantId};
use serde::Serialize;
use stamp_protocol::fleet_token;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

/// The longest a tenant token may be valid: a year.
pub const MAX_TOKEN_TTL_SECS: u64 = 365 * 24 * 3600;

/// A tenant token, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct IssuedToken {
    pub tenant: TenantId,
    pub token: String,
    pub kid: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub expires: u64,
}

/// What giving (or taking back) a key did on one stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyOutcome {
    pub stamp: StampId,
    /// The keys the stamp accepts afterwards (empty when it failed).
    pub keys: Vec<String>,
    pub error: Option<String>,
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn new_kid() -> OpsResult<String> {
    // 48 random bits as hex: unique among a fleet's few keys, short in every token.
    Ok(crate::secrets::new_token()?[..12].to_owned())
}

impl Fleet {
    fn fleet_key_name(&self, kid: &str) -> String {
        format!("{}.fleet-key.{kid}", self.catalogue.id())
    }

    /// The keys in use (not retired), oldest first: the last one signs.
    async fn live_fleet_keys(&self) -> OpsResult<Vec<FleetKeyRecord>> {
        Ok(self
            .catalogue
            .fleet_keys()
            .await?
            .into_iter()
            .filter(|k| k.retired_at.is_none())
            .collect())
    }

    /// The fleet's keys, oldest first (retired ones too).
    pub async fn fleet_keys(&self) -> OpsResult<Vec<FleetKeyRecord>> {
        Ok(self.catalogue.fleet_keys().await?)
    }

    /// Makes a new key, gives it to every stamp, and records it: it signs from now on.
    /// Earlier keys keep verifying until retired.
    pub async fn rotate_fleet_key(&self) -> OpsResult<(String, Vec<KeyOutcome>)> {
        let kid = new_kid()?;
        let pkcs8 = fleet_token::generate_key().map_err(OpsError::internal)?;
        let public = fleet_token::public_key_text(&pkcs8).map_err(OpsError::internal)?;
        // The secret first: a recorded key whose private half is lost could never sign.
        self.secrets()
            .put(&self.fleet_key_name(&kid), &hex::encode(&pkcs8))?;
        let mut outcomes = Vec::new();
        for (stamp, client) in self.owned_stamps().await? {
            let result = match client {
                Ok(client) => put_key(&client, &kid, &public).await,
                Err(e) => Err(e),
            };
            outcomes.push(outcome(stamp, result));
        }
        self.catalogue
            .add_fleet_key(&kid, &public, "fleet-key")
            .await?;
        Ok((kid, outcomes))
    }

    /// Takes key `kid` back from every stamp (tokens it signed are refused from then on)
    /// and marks it retired. The key that signs now cannot be retired: rotate first.
    pub async fn retire_fleet_key(&self, kid: &str) -> OpsResult<Vec<KeyOutcome>> {
        let live = self.live_fleet_keys().await?;
        if !live.iter().any(|k| k.kid == kid) {
            return Err(OpsError::invalid(format!("no fleet key {kid} in use")));
        }
        if live.last().is_some_and(|k| k.kid == kid) {
            return Err(OpsError::conflict(format!(
                "{kid} is the key that signs tokens now: rotate to a new key first"
            )));
        }
        let mut outcomes = Vec::new();
        for (stamp, client) in self.owned_stamps().await? {
            let result = match client {
                Ok(client) => {
                    let key = format!("fleet-key-{}", crate::secrets::new_token()?);
                    client
                        .delete_fleet_key(kid, &key)
                        .await
                        .map(|l| l.keys)
                        .map_err(|e| e.to_string())
                }
                Err(e) => Err(e),
            };
            outcomes.push(outcome(stamp, result));
        }
        self.catalogue.retire_fleet_key(kid, "fleet-key").await?;
        self.secrets().delete(&self.fleet_key_name(kid))?;
        Ok(outcomes)
    }

    /// Gives every key in use to `stamp` (after provisioning or adoption, or to repair).
    pub async fn give_fleet_keys(&self, stamp: &StampId) -> OpsResult<Vec<String>> {
        let client = self.stamp_client(stamp).await?;
        let mut keys = Vec::new();
        for key in self.live_fleet_keys().await? {
            keys = put_key(&client, &key.kid, &key.public_key)
                .await
                .map_err(|e| OpsError::conflict(format!("{stamp}: {e}")))?;
        }
        Ok(keys)
    }

    /// After provisioning or adoption: the stamp gets the keys in use. A stamp that
    /// cannot take them now is logged (`stampctl fleet-key give` repairs it): the stamp
    /// itself is there and the operation stands.
    pub(crate) async fn give_fleet_keys_after(&self, stamp: &StampId) {
        if let Err(e) = self.give_fleet_keys(stamp).await {
            tracing::warn!(%stamp, error = %e.message, "fleet keys not given; `stampctl fleet-key give` repairs it");
        }
    }

    /// Gives the keys in use to every stamp whose admin token this machine holds.
    pub async fn give_fleet_keys_to_all(&self) -> OpsResult<Vec<KeyOutcome>> {
        let keys = self.live_fleet_keys().await?;
        let mut outcomes = Vec::new();
        for (stamp, client) in self.owned_stamps().await? {
            let result = async {
                let client = client?;
                let mut list = Vec::new();
                for key in &keys {
                    list = put_key(&client, &key.kid, &key.public_key).await?;
                }
                Ok::<_, String>(list)
            }
            .await;
            outcomes.push(outcome(stamp, result));
        }
        Ok(outcomes)
    }

    /// A token for `tenant`, valid `ttl_secs` on every stamp that holds it. Makes the
    /// fleet's first key (and gives it to every stamp) when there is none.
    pub async fn issue_tenant_token(
        &self,
        tenant: &TenantId,
        ttl_secs: u64,
    ) -> OpsResult<IssuedToken> {
        if ttl_secs == 0 || ttl_secs > MAX_TOKEN_TTL_SECS {
            return Err(OpsError::invalid(format!(
                "ttl: 1 second to {} days",
                MAX_TOKEN_TTL_SECS / 86_400
            )));
        }
        if self.catalogue.tenant(tenant).await?.is_none() {
            return Err(OpsError::invalid(format!("no tenant {tenant}")));
        }
        let live = self.live_fleet_keys().await?;
        let kid = match live.last() {
            Some(key) => key.kid.clone(),
            None => self.rotate_fleet_key().await?.0,
        };
        let pkcs8 = self
            .secrets()
            .get(&self.fleet_key_name(&kid))?
            .and_then(|text| hex::decode(text).ok())
            .ok_or_else(|| {
                OpsError::conflict(format!(
                    "this machine does not hold the fleet key {kid} ({}): tokens are issued \
                     by the operator who made it, or rotate to a key of this machine's",
                    self.secrets().describe()
                ))
            })?;
        let expires = now_secs() + ttl_secs;
        let token = fleet_token::sign(&pkcs8, &kid, tenant.as_str(), expires)
            .map_err(OpsError::internal)?;
        Ok(IssuedToken {
            tenant: tenant.clone(),
            token,
            kid,
            expires,
        })
    }
}

async fn put_key(
    client: &stamp_client::StampClient,
    kid: &str,
    public: &str,
) -> Result<Vec<String>, String> {
    let key = format!(
        "fleet-key-{}",
        crate::secrets::new_token().map_err(|e| e.message)?
    );
    client
        .put_fleet_key(kid, public, &key)
        .await
        .map(|l| l.keys)
        .map_err(|e| e.to_string())
}

fn outcome(stamp: StampId, result: Result<Vec<String>, String>) -> KeyOutcome {
    match result {
        Ok(keys) => KeyOutcome {
            stamp,
            keys,
            error: None,
        },
        Err(error) => KeyOutcome {
            stamp,
            keys: Vec::new(),
            error: Some(error),
        },
    }
}
