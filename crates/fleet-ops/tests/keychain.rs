//! Stamp tokens in a real Secret Service: gnome-keyring in a private D-Bus session
//! (`dbus-run-session`) that each test starts itself, in a throwaway data directory,
//! never the user's keyring. Each outer test runs one inner test (marked `ignore`, so
//! it only runs when asked for by name) inside a session whose keychain is unlocked,
//! locked (a keyring with a password, nobody to type it) or absent (no session bus).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use fleet_ops::secrets::{detect, SecretStore};

const STATE_ENV: &str = "STAMPFLEET_TEST_KEYCHAIN";

/// Starts gnome-keyring the way `state` asks, then this test binary's `inner` test.
fn run_inside(state: &str, inner: &str) {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let script = r#"
        set -eu
        export XDG_DATA_HOME="$KR/data" XDG_RUNTIME_DIR="$KR/run" HOME="$KR/home"
        mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$HOME"; chmod 700 "$XDG_RUNTIME_DIR"
        # No display: an unlock prompt cannot be shown, so a locked keyring stays locked.
        unset DISPLAY WAYLAND_DISPLAY
        case "$STATE" in
          unlocked) printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null ;;
          locked)
            # A login keyring with a password (made by gnome-keyring with the password
            # "test-password" and one item; fixtures/locked-login.keyring), then a daemon
            # that was never given it. (Making it here raced the daemon's creation of the
            # login collection: now and then secret-tool found no collection.)
            mkdir -p "$XDG_DATA_HOME/keyrings"
            cp "$LOCKED_KEYRING" "$XDG_DATA_HOME/keyrings/login.keyring"
            chmod 600 "$XDG_DATA_HOME/keyrings/login.keyring"
            gnome-keyring-daemon --start --components=secrets >/dev/null ;;
          absent) export DBUS_SESSION_BUS_ADDRESS="unix:path=$KR/no-bus" ;;
        esac
        exec "$EXE" --exact "$INNER" --ignored --nocapture --test-threads=1
    "#;
    let out = Command::new("timeout")
        .args(["120", "dbus-run-session", "--", "sh", "-c", script])
        .env("KR", dir.path())
        .env("STATE", state)
        .env("EXE", &exe)
        .env("INNER", inner)
        .env(
            "LOCKED_KEYRING",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/locked-login.keyring"),
        )
        .env(STATE_ENV, state)
        .env_remove("STAMPFLEET_SECRETS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{inner} in a {state} keychain session: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn expect_state(state: &str) {
    assert_eq!(
        std::env::var(STATE_ENV).as_deref(),
        Ok(state),
        "this test runs inside a {state} keychain session started by its outer test"
    );
}

fn roundtrip(store: &dyn SecretStore, name: &str) {
    assert_eq!(store.get(name).unwrap(), None);
    store.put(name, "s3cret-token").unwrap();
    assert_eq!(store.get(name).unwrap().as_deref(), Some("s3cret-token"));
    store.put(name, "rotated").unwrap();
    assert_eq!(store.get(name).unwrap().as_deref(), Some("rotated"));
    store.delete(name).unwrap();
    assert_eq!(store.get(name).unwrap(), None);
    store.delete(name).unwrap(); // deleting what is gone is no error
}

#[test]
fn keychain_unlocked_stores_reads_and_deletes() {
    run_inside("unlocked", "inside_unlocked_keychain");
}

#[test]
#[ignore = "run by keychain_unlocked_stores_reads_and_deletes inside its D-Bus session"]
fn inside_unlocked_keychain() {
    expect_state("unlocked");
    let dir = tempfile::tempdir().unwrap();
    let store = detect(dir.path().join("secrets"));
    assert_eq!(store.describe(), "OS keychain");
    assert_eq!(store.file_dir(), None);
    roundtrip(
        store.as_ref(),
        "0b5e6c1e-0000-4000-8000-000000000001.weu-01.admin",
    );
    assert!(
        !dir.path().join("secrets").exists(),
        "nothing written to files"
    );
}

#[test]
fn keychain_locked_falls_back_to_private_files() {
    run_inside("locked", "inside_locked_keychain");
}

#[test]
#[ignore = "run by keychain_locked_falls_back_to_private_files inside its D-Bus session"]
fn inside_locked_keychain() {
    expect_state("locked");
    fallback_to_files();
}

#[test]
fn keychain_absent_falls_back_to_private_files() {
    run_inside("absent", "inside_absent_keychain");
}

#[test]
#[ignore = "run by keychain_absent_falls_back_to_private_files inside its environment"]
fn inside_absent_keychain() {
    expect_state("absent");
    fallback_to_files();
}

fn fallback_to_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = detect(dir.path().join("secrets"));
    let described = store.describe();
    println!("fallback: {described}");
    assert!(
        described.starts_with("0600 files in ")
            && described.contains("keychain is locked or absent"),
        "{described}"
    );
    assert_eq!(store.file_dir(), Some(dir.path().join("secrets")));
    let name = "0b5e6c1e-0000-4000-8000-000000000001.weu-01.admin";
    store.put(name, "s3cret-token").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("secrets")), 0o700);
    assert_eq!(mode(&dir.path().join("secrets").join(name)), 0o600);
    store.delete(name).unwrap();
    roundtrip(store.as_ref(), name);
}
