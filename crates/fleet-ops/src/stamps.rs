//! Stamps on this machine and their credentials: where a stamp's files live, its admin
//! token, its client, and the local agents (found, started again, stopped).

use std::path::PathBuf;

use fleet_core::{Stamp, StampId, StampStatus};
use stamp_client::{ClientOptions, StampClient};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::local_provider;

impl Fleet {
    pub(crate) fn stamp_dir(&self, id: &StampId) -> PathBuf {
        self.home.join("stamps").join(id.as_str())
    }

    /// The admin client of a stamp, with its token from the secret store.
    pub async fn stamp_client(&self, id: &StampId) -> OpsResult<StampClient> {
        let stamp = self
            .catalogue
            .stamp(id)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no stamp {id}")))?;
        let endpoint = stamp
            .endpoint
            .ok_or_else(|| OpsError::conflict(format!("stamp {id} has no endpoint yet")))?;
        let token = self.calling_token(id)?.ok_or_else(|| {
            OpsError::conflict(format!(
                "no token for stamp {id} in {}",
                self.secrets().describe()
            ))
        })?;
        StampClient::new(&endpoint, token, ClientOptions::default())
            .map_err(|e| OpsError::internal(e.to_string()))
    }

    /// The endpoint of the stamp's agent: the recorded one if it answers as this stamp,
    /// else a newly started agent (on the recorded port when there is one).
    pub(crate) async fn start_or_find_agent(
        &self,
        stamp: &Stamp,
        token: &str,
    ) -> OpsResult<String> {
        Ok(self.start_or_find_agent_reporting(stamp, token).await?.0)
    }

    /// The same, saying whether the agent had to be started (false: it answered).
    async fn start_or_find_agent_reporting(
        &self,
        stamp: &Stamp,
        token: &str,
    ) -> OpsResult<(String, bool)> {
        let dir = self.stamp_dir(&stamp.id);
        let recorded = self
            .catalogue
            .local_agents()
            .await?
            .into_iter()
            .find(|a| a.stamp == stamp.id.as_str());
        if let Some(agent) = &recorded {
            let endpoint = format!("http://127.0.0.1:{}", agent.port);
            let probe = ClientOptions {
                attempts: 1,
                ..ClientOptions::default()
            };
            if let Ok(client) = StampClient::new(&endpoint, token.to_owned(), probe) {
                if client
                    .health()
                    .await
                    .is_ok_and(|h| h.stamp_id == stamp.id.as_str())
                {
                    return Ok((endpoint, false));
                }
            }
        }
        let port = recorded
            .as_ref()
            .and_then(|a| u16::try_from(a.port).ok())
            .unwrap_or(0);
        let started = match local_provider::start_agent_in_background(stamp, &dir, port).await {
            Ok(endpoint) => endpoint,
            Err(e) if port != 0 => {
                tracing::warn!(stamp = %stamp.id, port, error = %e.message, "recorded port unusable; taking a new one");
                local_provider::start_agent_in_background(stamp, &dir, 0).await?
            }
            Err(e) => return Err(e),
        };
        let port = local_provider::port_of(&started)
            .ok_or_else(|| OpsError::internal(format!("no port in {started}")))?;
        self.catalogue
            .set_local_agent(&stamp.id, &dir.display().to_string(), port)
            .await?;
        Ok((started, true))
    }

    /// Starts the agent of every active or draining local stamp that does not answer;
    /// answers the stamps whose agents answer now.
    pub async fn start_local_agents(&self) -> OpsResult<Vec<StampId>> {
        Ok(self
            .start_local_agents_reporting()
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// The same, each stamp with whether its agent had to be started.
    async fn start_local_agents_reporting(&self) -> OpsResult<Vec<(StampId, bool)>> {
        let mut started = Vec::new();
        for agent in self.catalogue.local_agents().await? {
            let id = StampId::new(agent.stamp.as_str())
                .map_err(|e| OpsError::internal(e.to_string()))?;
            let Some(stamp) = self.catalogue.stamp(&id).await? else {
                continue;
            };
            if !matches!(stamp.status, StampStatus::Active | StampStatus::Draining) {
                continue;
            }
            // A secret store that lost the token (another keychain, a wiped file store)
            // gets it back from the agent's own token file, which the app wrote.
            let name = self.token_name(&id);
            let token = match self.secrets().get(&name)? {
                Some(token) => token,
                None => match self.local_token_file(&id) {
                    Some(token) => {
                        self.secrets().put(&name, &token)?;
                        tracing::info!(stamp = %id, "admin token restored from the agent's token file");
                        token
                    }
                    None => continue,
                },
            };
            let (endpoint, was_down) = self.start_or_find_agent_reporting(&stamp, &token).await?;
            if stamp.endpoint.as_deref() != Some(endpoint.as_str()) {
                self.catalogue
                    .set_stamp_status(&id, stamp.status, Some(&endpoint), None, "local-provider")
                    .await?;
            }
            started.push((id, was_down));
        }
        Ok(started)
    }

    /// What "Start local stamps" does: the local agents that do not answer are started
    /// again, and every active or draining stamp with no endpoint at all runs as a new
    /// local agent with its tenants provisioned. Returns the stamps it started (the
    /// ones that answered already are not named).
    pub async fn start_local_stamps(&self) -> OpsResult<Vec<StampId>> {
        let mut started: Vec<StampId> = self
            .start_local_agents_reporting()
            .await?
            .into_iter()
            .filter_map(|(id, was_down)| was_down.then_some(id))
            .collect();
        started.extend(self.start_demo_agents(&|_| {}).await?);
        started.sort();
        started.dedup();
        Ok(started)
    }

    /// Stops every local stamp agent of this catalogue (SIGTERM; they finish in-flight
    /// requests). Their data stays; `start_local_agents` brings them back.
    pub async fn stop_local_agents(&self) -> OpsResult<u32> {
        let mut stopped = 0;
        for agent in self.catalogue.local_agents().await? {
            let pid_file = PathBuf::from(&agent.data_dir)
                .join("data")
                .join("agent.pid");
            let Ok(pid) = std::fs::read_to_string(&pid_file) else {
                continue;
            };
            let Ok(pid) = pid.trim().parse::<u32>() else {
                continue;
            };
            // A stale pid file may name another program now: signal only our agent.
            if !local_provider::is_agent_of(pid, &PathBuf::from(&agent.data_dir)) {
                tracing::info!(stamp = %agent.stamp, pid, "pid file is stale; nothing signalled");
                continue;
            }
            let status = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            if status.is_ok_and(|s| s.success()) {
                stopped += 1;
            }
        }
        Ok(stopped)
    }

    /// Moves a stamp along its lifecycle (drain, retire, back to active).
    /// Records a new address for a stamp (it moved, or traffic to it goes through a
    /// proxy); the status stays.
    pub async fn set_stamp_endpoint(&self, id: &StampId, endpoint: &str) -> OpsResult<Stamp> {
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(OpsError::invalid(format!(
                "endpoint {endpoint:?} must be an http:// or https:// URL"
            )));
        }
        let stamp = self
            .catalogue
            .stamp(id)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no stamp {id}")))?;
        Ok(self
            .catalogue
            .set_stamp_status(id, stamp.status, Some(endpoint), None, "set-endpoint")
            .await?)
    }

    pub async fn set_stamp_status(&self, id: &StampId, status: StampStatus) -> OpsResult<Stamp> {
        self.catalogue
            .set_stamp_status(id, status, None, None, "set-status")
            .await
            .map_err(|e| match e {
                catalogue::CatalogueError::Refused(m) => OpsError::conflict(m),
                other => other.into(),
            })
    }
}
