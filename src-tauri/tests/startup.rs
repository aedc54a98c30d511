//! The real `stampfleet` binary started where no window can open: one clear line on
//! standard error, a non-zero exit, no backtrace.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn start_without(display: Option<&str>) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stampfleet"));
    cmd.args([
        "--catalogue",
        &dir.path().join("c.sqlite").display().to_string(),
    ])
    .env_remove("DISPLAY")
    .env_remove("WAYLAND_DISPLAY")
    .env_remove("RUST_BACKTRACE")
    .env("STAMPFLEET_LOG_DIR", dir.path().join("logs"));
    if let Some(display) = display {
        cmd.env("DISPLAY", display);
    }
    cmd.output().unwrap()
}

fn assert_one_clear_line(out: &std::process::Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
    assert!(stderr.contains(expected), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn no_display_says_so_in_one_line() {
    let out = start_without(None);
    assert_one_clear_line(
        &out,
        "stampfleet: no display: set DISPLAY or run under a desktop session",
    );
}

#[test]
fn a_display_that_does_not_open_says_so_in_one_line() {
    let out = start_without(Some(":9731"));
    assert_one_clear_line(&out, "cannot open the display \":9731\"");
}
