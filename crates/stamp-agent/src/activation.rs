//! A target takes a tenant's writes only with proof that its source stopped for good:
//! the source, asked with the move's transfer token, must say the tenant is fenced there
//! and hold no change the target has not applied. A freeze is a lease that can run out
//! (and then the source takes writes again), but a source whose lease ran out cannot be
//! fenced, so the two copies can never both take writes.

use stamp_client::{ClientOptions, StampClient};
use stamp_protocol::{rules, ActivateProof, TenantState};

use crate::agent::Agent;
use crate::error::Failure;
use crate::request::{parse_optional, tenant_id};
use crate::store;

/// Checks the proof for an importing copy; anything else needs none (an active copy
/// activates again harmlessly; other states are refused by the transition).
pub async fn check_proof(agent: &Agent, id: &str, body: &[u8]) -> Result<(), Failure> {
    let id = tenant_id(id)?;
    // The body is checked whatever the state: a malformed proof is refused everywhere.
    let proof: Option<ActivateProof> = parse_optional(body)?;
    if let Some(proof) = &proof {
        rules::check_stamp_url("source", &proof.source).map_err(Failure::rule)?;
        rules::check_token("transferToken", &proof.transfer_token).map_err(Failure::rule)?;
    }
    let m = {
        let mut conn = agent.pool.acquire().await?;
        store::move_state(&mut conn, &id)
            .await?
            .ok_or_else(|| Failure::not_found(format!("tenant {id} is not on this stamp")))?
    };
    if m.state != TenantState::Importing.as_str() {
        return Ok(());
    }
    let Some(proof) = proof else {
        return Err(Failure::conflict(
            "this copy is importing: activating it needs {source, transferToken}, so the source can show it fenced the tenant",
        ));
    };
    let source = StampClient::new(
        &proof.source,
        proof.transfer_token,
        ClientOptions {
            attempts: 2,
            ..ClientOptions::default()
        },
    )
    .map_err(|e| Failure::invalid(e.to_string()))?;
    let applied = u64::try_from(m.change_seq).unwrap_or(0);
    let page = source.changes(&id, applied).await.map_err(|e| {
        Failure::conflict(format!("cannot ask the source whether it fenced {id}: {e}"))
    })?;
    if page.state != Some(TenantState::Fenced) {
        return Err(Failure::conflict(format!(
            "the source has not fenced tenant {id} (it is {}): activating here would give it two homes",
            page.state.map_or("of an older protocol", |s| s.as_str())
        )));
    }
    if page.last_seq != applied || !page.changes.is_empty() {
        return Err(Failure::conflict(format!(
            "the source holds changes of {id} not applied here (source at {}, here {applied})",
            page.last_seq
        )));
    }
    // The import's value files are on disk before the copy serves (normally synced
    // already when it caught up: then nothing is left to sync).
    agent.values.sync_written().await?;
    Ok(())
}
