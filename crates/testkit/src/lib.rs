//! What the workspace's tests share: starting real stamp agents, the demo fleet, this
//! build's programs (stamp-agent, stampctl) with file secrets, the tenant the move
//! suites move and its acknowledged-write recorder, a fault proxy on loopback, a real
//! HAProxy and tenant clients that go through it, and plain HTTP calls on an agent (`wire`). Test code only: no product crate depends on it.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

mod agent;
pub mod demo;
pub mod fault_proxy;
pub mod haproxy;
pub mod mover;
mod programs;
pub mod router_traffic;
pub mod team;
pub mod wire;

pub use agent::Agent;
pub use programs::{
    agent as agent_program, assert_succeeded, stampctl, stampctl_path, use_built_agent, StopAgents,
};

/// Asserts that `err` is of kind `code` and that its message holds `text`.
pub fn assert_error(err: &fleet_ops::OpsError, code: fleet_ops::ErrorCode, text: &str) {
    assert_eq!(err.code, code, "{}", err.message);
    assert!(err.message.contains(text), "{}", err.message);
}

/// Whether `bytes` (a file's) hold `secret` anywhere.
pub fn holds(bytes: &[u8], secret: &str) -> bool {
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}

/// What a target asks to import acme (Acme Ltd, 10 units) from `source`, with a
/// transfer grant of its `admin`.
pub async fn import_acme_from(
    source: &Agent,
    admin: &stamp_client::StampClient,
) -> stamp_protocol::ImportSync {
    stamp_protocol::ImportSync {
        source: source.base.clone(),
        transfer_token: admin.transfer_grant("acme").await.unwrap().token,
        display_name: "Acme Ltd".to_owned(),
        size_units: 10,
    }
}

/// Calls the target's import sync for `tenant` until the snapshot is done and the log
/// caught up (at most 100 calls), each with the idempotency key `<keys>-<n>`.
pub async fn sync_until_caught_up(
    target: &stamp_client::StampClient,
    tenant: &str,
    request: &stamp_protocol::ImportSync,
    keys: &str,
) -> stamp_protocol::ImportProgress {
    for n in 0..100 {
        let p = target
            .import_sync(tenant, request, &format!("{keys}-{n}"))
            .await
            .unwrap();
        if p.snapshot_done && p.applied_seq == p.source_seq {
            return p;
        }
    }
    panic!("no catch-up in 100 calls");
}
