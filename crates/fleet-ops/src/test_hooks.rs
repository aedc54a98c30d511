//! Test hooks, named as such: environment variables the fault and browser suites set
//! to kill, starve or hold an operation at an exact point. Unset, each is a no-op.

use std::time::{Duration, Instant};

/// Test hook, named as such: `STAMPFLEET_CRASH_AT=<step>` aborts the process right after
/// that step is journaled, as a `kill -9` at that instant would (the fault suite's way
/// of killing the orchestrator at every journal step).
pub(crate) fn crash_point(step: &str) {
    if std::env::var("STAMPFLEET_CRASH_AT").is_ok_and(|s| s == step) {
        std::process::abort();
    }
    // Test hook too: `STAMPFLEET_FAIL_WRITES_AT=<step>` makes every catalogue write
    // after that step fail, as a full disk or a read-only file would.
    if std::env::var("STAMPFLEET_FAIL_WRITES_AT").is_ok_and(|s| s == step) {
        catalogue::fail_writes_from_now();
    }
}

/// Test hook, named as such: with `STAMPFLEET_HOLD_MOVES=1`, a move stays in its
/// importing phase once the snapshot is copied, pulling every 100 ms, until it is
/// cancelled (or for at most two minutes): the browser tests' way to cancel a move
/// while it imports, without racing it.
pub(crate) fn held_in_importing(started: Instant) -> bool {
    std::env::var("STAMPFLEET_HOLD_MOVES").is_ok_and(|s| s == "1")
        && started.elapsed() < Duration::from_secs(120)
}
