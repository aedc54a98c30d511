//! What the workspace's tests share: starting real stamp agents, this build's programs
//! (stamp-agent, stampctl) with file secrets, the tenant the move suites move and its
//! acknowledged-write recorder, and a fault proxy on loopback. Test code only: no
//! product crate depends on it.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

mod agent;
pub mod fault_proxy;
pub mod mover;
mod programs;

pub use agent::Agent;
pub use programs::{agent as agent_program, stampctl, stampctl_path, use_built_agent, StopAgents};
