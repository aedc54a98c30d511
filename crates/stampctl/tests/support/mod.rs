//! What the stampctl suites share: the real binary run on a catalogue, and its answers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

/// stampctl on `catalogue` with `args` (no STAMPFLEET_CATALOGUE from the environment).
pub fn stampctl(catalogue: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stampctl"))
        .arg("--catalogue")
        .arg(catalogue)
        .args(args)
        .env_remove("STAMPFLEET_CATALOGUE")
        .output()
        .unwrap()
}

pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "stampctl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn failed(out: Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

pub fn demo_catalogue(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("c.sqlite");
    let text = ok(stampctl(&path, &["demo", "--no-agents"]));
    assert_eq!(
        text,
        "demo fleet created: 8 stamps in 5 regions, 60 tenants\n"
    );
    path
}

/// stampctl on `catalogue` as `operator` (STAMPFLEET_OPERATOR).
pub fn stampctl_as(operator: &str, catalogue: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stampctl"))
        .arg("--catalogue")
        .arg(catalogue)
        .args(args)
        .env_remove("STAMPFLEET_CATALOGUE")
        .env("STAMPFLEET_OPERATOR", operator)
        .output()
        .unwrap()
}
