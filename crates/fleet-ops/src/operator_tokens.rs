//! Stamp tokens on a team catalogue. The stamps' admin tokens stay on the machine of
//! the operator who provisioned or adopted them (its secret store); they are never in
//! the shared database. Every other operator (not a reader) makes a token of its own,
//! `o.<login>.<secret>`, kept in its own secret store, and the catalogue records only
//! its SHA-256. An admin holding the stamps' admin tokens enrolls those hashes on every
//! stamp (`Stamp API PUT /v1/operators/{name}`), and revokes one the same way; a stamp
//! then takes an operator's token as the admin's, naming who called.

use fleet_core::{StampId, StampStatus};
use serde::Serialize;
use sha2::{Digest, Sha256};
use stamp_client::{ClientOptions, StampClient};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

/// What enrolling (or revoking) did on one stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EnrollOutcome {
    pub stamp: StampId,
    /// The operators the stamp accepts afterwards (empty when it failed).
    pub operators: Vec<String>,
    /// Why this stamp could not be changed (no admin token here, unreachable ...).
    pub error: Option<String>,
}

fn sha256_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Fleet {
    fn is_team(&self) -> bool {
        self.catalogue.backend() == catalogue::Backend::Postgres
    }

    /// The secret's name of this operator's own stamp token on this team catalogue
    /// (a login's `_` is written `-`, which logins never hold: secret names are plain).
    fn operator_token_name(&self) -> String {
        let login = self.catalogue.operator().replace('_', "-");
        format!("{}.operator.{login}", self.catalogue.id())
    }

    /// The token this process calls stamp `id` with: the stamp's admin token when this
    /// machine holds it, else (on a team catalogue) this operator's own.
    pub(crate) fn calling_token(&self, id: &StampId) -> OpsResult<Option<String>> {
        if let Some(token) = self.secrets().get(&self.token_name(id))? {
            return Ok(Some(token));
        }
        if !self.is_team() {
            return Ok(None);
        }
        self.secrets().get(&self.operator_token_name())
    }

    /// On a team catalogue, this operator's own stamp token: made once, kept in the
    /// secret store, its SHA-256 registered in the catalogue. Not for a reader.
    pub(crate) async fn ensure_operator_token(&self) -> OpsResult<()> {
        if !self.is_team() || self.catalogue.my_role().await? == Some(catalogue::TeamRole::Reader) {
            return Ok(());
        }
        let login = self.catalogue.operator().to_owned();
        if stamp_protocol::rules::check_operator_name(&login).is_err() {
            return Err(OpsError::invalid(format!(
                "login {login:?} cannot name an operator on the stamps (a-z, 0-9 and _ only)"
            )));
        }
        let name = self.operator_token_name();
        let token = match self.secrets().get(&name)? {
            Some(token) => token,
            None => {
                let token = format!("o.{login}.{}", crate::secrets::new_token()?);
                self.secrets().put(&name, &token)?;
                token
            }
        };
        let hash = sha256_hex(&token);
        let known = self.catalogue.operator_tokens().await?;
        if !known
            .iter()
            .any(|t| t.login == login && t.token_sha256 == hash)
        {
            self.catalogue.register_operator_token(&hash).await?;
        }
        Ok(())
    }

    /// The operators who registered a token, by login.
    pub async fn operator_tokens(&self) -> OpsResult<Vec<catalogue::OperatorToken>> {
        Ok(self.catalogue.operator_tokens().await?)
    }

    /// Every stamp (active or draining, with an endpoint) as a client with its admin
    /// token, or why there is none.
    pub(crate) async fn owned_stamps(
        &self,
    ) -> OpsResult<Vec<(StampId, Result<StampClient, String>)>> {
        let mut out = Vec::new();
        for stamp in self.catalogue.document().await?.stamps {
            if !matches!(stamp.status, StampStatus::Active | StampStatus::Draining) {
                continue;
            }
            let Some(endpoint) = stamp.endpoint.clone() else {
                continue;
            };
            let client = match self.secrets().get(&self.token_name(&stamp.id))? {
                None => Err(format!(
                    "this machine does not hold the stamp's admin token ({})",
                    self.secrets().describe()
                )),
                Some(token) => StampClient::new(&endpoint, token, ClientOptions::default())
                    .map_err(|e| e.to_string()),
            };
            out.push((stamp.id, client));
        }
        Ok(out)
    }

    /// Enrolls every registered operator token on every stamp whose admin token this
    /// machine holds; each stamp's outcome, audited.
    pub async fn enroll_operators(&self) -> OpsResult<Vec<EnrollOutcome>> {
        let tokens = self.catalogue.operator_tokens().await?;
        let mut outcomes = Vec::new();
        for (stamp, client) in self.owned_stamps().await? {
            let result = async {
                let client = client?;
                let mut list = Vec::new();
                for t in &tokens {
                    let key = format!(
                        "enroll-{}",
                        crate::secrets::new_token().map_err(|e| e.message)?
                    );
                    list = client
                        .enroll_operator(&t.login, &t.token_sha256, &key)
                        .await
                        .map_err(|e| e.to_string())?
                        .operators;
                }
                Ok::<_, String>(list)
            }
            .await;
            outcomes.push(self.outcome(stamp, "enroll", result).await?);
        }
        Ok(outcomes)
    }

    /// Revokes `login` on every stamp whose admin token this machine holds, and forgets
    /// its token's hash; each stamp's outcome, audited.
    pub async fn revoke_operator(&self, login: &str) -> OpsResult<Vec<EnrollOutcome>> {
        stamp_protocol::rules::check_operator_name(login)
            .map_err(|e| OpsError::invalid(format!("login {login:?}: {e}")))?;
        let mut outcomes = Vec::new();
        for (stamp, client) in self.owned_stamps().await? {
            let result = async {
                let key = format!(
                    "revoke-{}",
                    crate::secrets::new_token().map_err(|e| e.message)?
                );
                Ok::<_, String>(
                    client?
                        .revoke_operator(login, &key)
                        .await
                        .map_err(|e| e.to_string())?
                        .operators,
                )
            }
            .await;
            outcomes.push(self.outcome(stamp, "revoke", result).await?);
        }
        self.catalogue.remove_operator_token(login).await?;
        Ok(outcomes)
    }

    async fn outcome(
        &self,
        stamp: StampId,
        action: &str,
        result: Result<Vec<String>, String>,
    ) -> OpsResult<EnrollOutcome> {
        Ok(match result {
            Ok(operators) => {
                self.catalogue
                    .record_enrollment(stamp.as_str(), action, &operators)
                    .await?;
                EnrollOutcome {
                    stamp,
                    operators,
                    error: None,
                }
            }
            Err(error) => EnrollOutcome {
                stamp,
                operators: Vec::new(),
                error: Some(error),
            },
        })
    }
}
