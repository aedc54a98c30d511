//! Whether the agent is shutting down: what a request held open (a health question
//! waiting for a change) looks at, so a graceful shutdown does not wait out its wait.

use std::sync::atomic::{AtomicBool, Ordering};

static STOPPING: AtomicBool = AtomicBool::new(false);

/// The agent got SIGTERM or Ctrl-C.
pub fn begin() {
    STOPPING.store(true, Ordering::SeqCst);
}

pub fn is_stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}
