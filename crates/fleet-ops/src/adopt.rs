//! Adopting a stamp Stampfleet did not create: its endpoint must answer, with the
//! token given, as that stamp, in that region, on that template version; the token goes
//! to the secret store; the tenants the stamp is home to come into the catalogue as
//! bindings. A tenant the catalogue knows otherwise (bound elsewhere, another size) is
//! reported as a conflict and left as it is, never overwritten.

use fleet_core::{RegionId, Stamp, StampId, StampStatus, TemplateName, TemplateVersion, TenantId};
use serde::{Deserialize, Serialize};
use stamp_client::{ClientError, ClientOptions, StampClient};
use stamp_protocol::TenantState;

use crate::provision::template_in;
use crate::{Fleet, OpsError, OpsResult};

/// What the operator says about a stamp to adopt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AdoptStamp {
    pub id: StampId,
    pub region: RegionId,
    pub template: TemplateName,
    pub template_version: TemplateVersion,
    /// The stamp's API base URL (`https://...`).
    pub endpoint: String,
    /// Its admin token (kept in the secret store, never in the catalogue).
    pub token: String,
}

/// A tenant the stamp holds that was not adopted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AdoptConflict {
    pub tenant: String,
    pub problem: String,
}

/// What an adoption did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AdoptReport {
    pub stamp: Stamp,
    /// Tenants new to the catalogue, recorded and bound to the stamp. Their tier
    /// (standard) and residency (anywhere) are not known to the stamp: review them.
    pub added: Vec<TenantId>,
    /// Unplaced tenants the catalogue knew, now bound to the stamp.
    pub bound: Vec<TenantId>,
    /// Tenants left as they are, each with the reason.
    pub conflicts: Vec<AdoptConflict>,
}

impl Fleet {
    /// Adopts an existing stamp (see the module's description). Nothing is written
    /// when the stamp does not answer as described.
    pub async fn adopt_stamp(&self, request: &AdoptStamp) -> OpsResult<AdoptReport> {
        let id = &request.id;
        let token = request.token.trim();
        if token.is_empty() || token.chars().any(char::is_whitespace) {
            return Err(OpsError::invalid(format!(
                "the admin token for {id} is empty or holds spaces; give it as it is"
            )));
        }
        if self.catalogue.stamp(id).await?.is_some() {
            return Err(OpsError::conflict(format!(
                "stamp {id} is already in the catalogue; nothing was adopted"
            )));
        }
        if !self.regions().await?.iter().any(|r| r.id == request.region) {
            return Err(OpsError::invalid(format!(
                "unknown region {}",
                request.region
            )));
        }
        let doc = self.catalogue.document().await?;
        let template = template_in(&doc, &request.template, &request.template_version)?;
        let endpoint = request.endpoint.trim().trim_end_matches('/').to_owned();
        if !(endpoint.starts_with("https://") || is_loopback_http(&endpoint)) {
            return Err(OpsError::invalid(format!(
                "endpoint {endpoint:?}: give the stamp's API base URL as https://... (plain http \
                 only on this machine's loopback: the admin token travels with every call)"
            )));
        }

        let quick = ClientOptions {
            attempts: 1,
            ..ClientOptions::default()
        };
        let client = StampClient::new(&endpoint, token.to_owned(), quick)
            .map_err(|e| OpsError::invalid(format!("endpoint {endpoint}: {e}")))?;
        let unreachable = |e: ClientError| match e {
            ClientError::Unauthorized { .. } => OpsError::invalid(format!(
                "{endpoint} refused the admin token given for {id}; nothing was adopted"
            )),
            other => OpsError::conflict(format!(
                "cannot adopt {id}: {endpoint} does not answer ({other}); nothing was adopted"
            )),
        };
        let health = client.health().await.map_err(unreachable)?;
        let said = [
            ("stamp", health.stamp_id.as_str(), id.as_str()),
            ("region", health.region.as_str(), request.region.as_str()),
            (
                "template version",
                health.template_version.as_str(),
                &request.template_version.to_string(),
            ),
        ];
        for (what, answers, given) in said {
            if answers != given {
                return Err(OpsError::conflict(format!(
                    "{endpoint} answers as {what} {answers}, not {given}; nothing was adopted"
                )));
            }
        }
        let held = client.tenants().await.map_err(unreachable)?;

        let (mut added, mut bound, mut conflicts) = (Vec::new(), Vec::new(), Vec::new());
        let ids: Vec<TenantId> = held
            .iter()
            .filter_map(|t| TenantId::new(&t.id).ok())
            .collect();
        let known = self.catalogue.tenants_by_id(&ids).await?;
        let homes = self.catalogue.homes(&ids).await?;
        for t in &held {
            let conflict = |problem: String| AdoptConflict {
                tenant: t.id.clone(),
                problem,
            };
            let Ok(tenant_id) = TenantId::new(&t.id) else {
                conflicts.push(conflict("its id is not a valid tenant id".to_owned()));
                continue;
            };
            if !matches!(t.state, TenantState::Active | TenantState::Suspended) {
                conflicts.push(conflict(format!(
                    "it is {:?} on the stamp (a move's copy, not its home); adopt again once the move has ended",
                    t.state
                )));
                continue;
            }
            if let Some(home) = homes.get(&tenant_id) {
                conflicts.push(conflict(format!("the catalogue says it lives on {home}")));
                continue;
            }
            match known.get(&tenant_id) {
                Some(k) if k.size_units != t.size_units => conflicts.push(conflict(format!(
                    "it takes {} units here, {} in the catalogue",
                    t.size_units, k.size_units
                ))),
                Some(_) => bound.push(tenant_id),
                None => added.push(crate::drift_repairs::found_tenant(
                    &tenant_id,
                    t,
                    template.isolation,
                )),
            }
        }
        let stamp = Stamp {
            id: id.clone(),
            region: request.region.clone(),
            template: request.template.clone(),
            template_version: request.template_version.clone(),
            capacity_units: health.capacity_units_total,
            status: StampStatus::Active,
            endpoint: Some(endpoint),
        };

        // The token first: a catalogue write that fails takes it out again.
        let name = self.token_name(id);
        self.secrets().put(&name, token)?;
        if let Err(e) = self
            .catalogue
            .adopt_stamp(&stamp, &added, &bound, "adopt")
            .await
        {
            if let Err(cleanup) = self.secrets().delete(&name) {
                tracing::warn!(stamp = %id, error = %cleanup.message, "adopted token not removed");
            }
            return Err(e.into());
        }
        tracing::info!(stamp = %id, added = added.len(), bound = bound.len(), conflicts = conflicts.len(), "stamp adopted");
        self.give_fleet_keys_after(id).await;
        Ok(AdoptReport {
            stamp,
            added: added.into_iter().map(|t| t.id).collect(),
            bound,
            conflicts,
        })
    }
}

/// Whether `url` is plain http to this machine (127.0.0.0/8, ::1, localhost).
fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_http;

    #[test]
    fn plain_http_is_for_loopback_only() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.8.0.1/x",
            "http://[::1]:80",
            "http://localhost:9",
        ] {
            assert!(is_loopback_http(ok), "{ok}");
        }
        for no in [
            "http://10.0.0.1:80",
            "http://127.0.0.1.example.com",
            "http://[::2]",
            "https://127.0.0.1",
            "ftp://127.0.0.1",
        ] {
            assert!(!is_loopback_http(no), "{no}");
        }
    }
}
