//! The calls that concern a stamp as a member of the fleet rather than its tenants:
//! enrolled operators, the fleet's public keys, template upgrades.

use reqwest::Method;
use stamp_protocol::{
    paths, EnrollOperator, FleetKey, FleetKeyList, OperatorList, StartUpgrade, UpgradeStatus,
};

use crate::{ClientError, StampClient};

impl StampClient {
    /// The operators whose own tokens the stamp accepts.
    pub async fn operators(&self) -> Result<OperatorList, ClientError> {
        self.call(Method::GET, paths::OPERATORS, None::<&()>, None)
            .await
    }

    /// Enrolls operator `name` by its token's SHA-256 (the stamp's admin token only).
    pub async fn enroll_operator(
        &self,
        name: &str,
        token_sha256: &str,
        key: &str,
    ) -> Result<OperatorList, ClientError> {
        let body = EnrollOperator {
            token_sha256: token_sha256.to_owned(),
        };
        self.call(Method::PUT, &paths::operator(name), Some(&body), Some(key))
            .await
    }

    /// The fleet keys whose tenant tokens the stamp accepts.
    pub async fn fleet_keys(&self) -> Result<FleetKeyList, ClientError> {
        self.call(Method::GET, paths::FLEET_KEYS, None::<&()>, None)
            .await
    }

    /// Gives the stamp the fleet's public key `kid` (the stamp's admin token only).
    pub async fn put_fleet_key(
        &self,
        kid: &str,
        public_key: &str,
        key: &str,
    ) -> Result<FleetKeyList, ClientError> {
        let body = FleetKey {
            public_key: public_key.to_owned(),
        };
        self.call(Method::PUT, &paths::fleet_key(kid), Some(&body), Some(key))
            .await
    }

    /// Takes the fleet key `kid` back: tokens it signed are refused from now on.
    pub async fn delete_fleet_key(
        &self,
        kid: &str,
        key: &str,
    ) -> Result<FleetKeyList, ClientError> {
        self.call(
            Method::DELETE,
            &paths::fleet_key(kid),
            None::<&()>,
            Some(key),
        )
        .await
    }

    /// Asks the stamp to run template version `target` (an upgrade or a downgrade);
    /// answered at once, polled with [`Self::upgrade_status`].
    pub async fn start_upgrade(
        &self,
        target: &str,
        key: &str,
    ) -> Result<UpgradeStatus, ClientError> {
        let body = StartUpgrade {
            target_version: target.to_owned(),
        };
        self.call(Method::POST, paths::UPGRADE, Some(&body), Some(key))
            .await
    }

    /// The stamp's latest upgrade and the version it runs.
    pub async fn upgrade_status(&self) -> Result<UpgradeStatus, ClientError> {
        self.call(Method::GET, paths::UPGRADE, None::<&()>, None)
            .await
    }

    /// The same, answered once the running upgrade has ended or `wait_ms` (at most
    /// 30 s) passed.
    pub async fn upgrade_status_after(&self, wait_ms: u64) -> Result<UpgradeStatus, ClientError> {
        let path = format!("{}?waitMs={wait_ms}", paths::UPGRADE);
        self.call(Method::GET, &path, None::<&()>, None).await
    }

    /// Revokes operator `name`: its token is refused from now on.
    pub async fn revoke_operator(
        &self,
        name: &str,
        key: &str,
    ) -> Result<OperatorList, ClientError> {
        self.call(
            Method::DELETE,
            &paths::operator(name),
            None::<&()>,
            Some(key),
        )
        .await
    }
}
