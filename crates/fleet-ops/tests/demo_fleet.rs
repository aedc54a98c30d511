//! Creating the demo fleet is all or nothing, through the real `stampctl` and real
//! agents: an agent that fails to start halfway leaves an empty catalogue, no agent
//! running, no stamp directory and no token; a run killed right after the fleet was
//! written is finished by `resume`; stampctl reaches every stamp by any spelling of
//! the catalogue's path; and what they write (stamp data, logs, tokens, the catalogue)
//! is 0600 in 0700 directories under umask 022.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use support::{stampctl_path, StopAgents};

/// `stampctl` on `catalogue` from `cwd`, with `agent` as the stamp agent and file secrets.
fn run(cwd: &Path, catalogue: &str, agent: &Path, args: &[&str], crash: Option<&str>) -> Output {
    // Under the common umask 022: what the programs create must be private anyway.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "umask 022 && exec \"$0\" \"$@\""])
        .arg(stampctl_path())
        .current_dir(cwd)
        .args(["--catalogue", catalogue])
        .args(args)
        .env("STAMPFLEET_AGENT", agent)
        .env("STAMPFLEET_SECRETS", "file")
        .env_remove("STAMPFLEET_CATALOGUE");
    match crash {
        Some(step) => cmd.env("STAMPFLEET_CRASH_AT", step),
        None => cmd.env_remove("STAMPFLEET_CRASH_AT"),
    };
    cmd.output().unwrap()
}

fn real_agent() -> std::path::PathBuf {
    support::agent_program()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `stampctl` with the real agent on `dir/c.sqlite` from `dir`: its JSON answer.
fn stampctl_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    json(&run(dir, "c.sqlite", &real_agent(), args, None))
}

fn healthy(cwd: &Path, catalogue: &str) -> usize {
    let checks = json(&run(
        cwd,
        catalogue,
        &real_agent(),
        &["-o", "json", "stamp", "health"],
        None,
    ));
    checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "healthy")
        .count()
}

/// Agents still running for `dir`, waiting (bounded) for those told to stop to exit.
fn agents_left(dir: &Path) -> usize {
    let pattern = format!("stamp-agent .*--data-dir {}", dir.display());
    for _ in 0..200 {
        let out = Command::new("pgrep")
            .args(["-f", "--", &pattern])
            .output()
            .unwrap();
        if out.stdout.is_empty() {
            return 0;
        }
        // A bounded poll of the real condition (processes exit on SIGTERM).
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = Command::new("pgrep")
        .args(["-f", "--", &pattern])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn an_agent_failing_halfway_leaves_nothing_then_the_demo_works() {
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(format!("--data-dir {}", dir.path().display()));
    // The real agent for the first three stamps, then one that cannot start.
    let wrapper = dir.path().join("flaky-agent");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nn=$(cat \"{count}\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"{count}\"\n\
             if [ $n -le 3 ]; then exec \"{agent}\" \"$@\"; fi\n\
             echo 'simulated: the disk is full' >&2; exit 1\n",
            count = dir.path().join("starts").display(),
            agent = real_agent().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();

    let out = run(dir.path(), "c.sqlite", &wrapper, &["demo"], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("the disk is full"),
        "the cause is named: {err}"
    );
    assert!(err.contains("Nothing was kept"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("starts"))
            .unwrap()
            .trim(),
        "4"
    );

    let info = stampctl_json(dir.path(), &["-o", "json", "info"]);
    let counts = &info["counts"];
    assert_eq!(
        (
            &counts["templates"],
            &counts["stamps"],
            &counts["tenants"],
            &counts["bindings"]
        ),
        (&0.into(), &0.into(), &0.into(), &0.into()),
        "{info}"
    );
    assert_eq!(
        agents_left(dir.path()),
        0,
        "the three agents started were stopped"
    );
    assert!(
        !dir.path().join("stamps").exists(),
        "no stamp directory is left"
    );
    let tokens = std::fs::read_dir(dir.path().join("secrets"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(tokens, 0, "no token is left");

    // The first-run action works again, now with a working agent.
    stampctl_json(dir.path(), &["-o", "json", "demo"]);
    let absolute = dir.path().join("c.sqlite").display().to_string();
    assert_eq!(healthy(dir.path(), "c.sqlite"), 8);
    assert_eq!(healthy(dir.path(), "./c.sqlite"), 8);
    assert_eq!(healthy(Path::new("/"), &absolute), 8);

    // Stamp data, logs, tokens and the catalogue are the owner's alone.
    let stamp = dir.path().join("stamps/weu-01");
    let mut expected = vec![
        (dir.path().join("c.sqlite"), 0o600),
        (dir.path().join("secrets"), 0o700),
        (stamp.clone(), 0o700),
        (stamp.join("admin.token"), 0o600),
        (stamp.join("agent.log"), 0o600),
        (stamp.join("data"), 0o700),
    ];
    for name in [
        "stamp.sqlite",
        "stamp.sqlite-wal",
        "stamp.sqlite-shm",
        "agent.pid",
    ] {
        expected.push((stamp.join("data").join(name), 0o600));
    }
    // The catalogue's WAL exists while a process has it open (stampctl has closed it).
    let wal = dir.path().join("c.sqlite-wal");
    if wal.exists() {
        expected.push((wal, 0o600));
    }
    for entry in std::fs::read_dir(dir.path().join("secrets")).unwrap() {
        expected.push((entry.unwrap().path(), 0o600));
    }
    for (path, mode) in expected {
        let found = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(found, mode, "{}: {found:o}", path.display());
    }
}

#[test]
fn a_demo_killed_after_it_was_written_is_finished_by_resume() {
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(format!("--data-dir {}", dir.path().display()));
    let out = run(
        dir.path(),
        "c.sqlite",
        &real_agent(),
        &["demo"],
        Some("demo-written"),
    );
    assert!(!out.status.success(), "the crash hook aborted it");
    assert_eq!(healthy(dir.path(), "c.sqlite"), 0);

    let resumed = stampctl_json(dir.path(), &["-o", "json", "resume"]);
    assert_eq!(resumed["resumedOperations"], 1, "{resumed}");
    assert_eq!(healthy(dir.path(), "c.sqlite"), 8);
}

#[test]
fn stop_agents_signals_only_our_agents_and_one_agent_holds_a_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let _stop = StopAgents(format!("--data-dir {}", dir.path().display()));
    stampctl_json(dir.path(), &["-o", "json", "demo"]);
    let data = dir.path().join("stamps/weu-01/data");

    // A second agent on a running stamp's data directory refuses to start.
    let second = Command::new(real_agent())
        .args(["--stamp-id", "weu-01", "--region", "azure-westeurope"])
        .args(["--template-version", "1.4.0", "--capacity", "1000"])
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .arg("--token-file")
        .arg(dir.path().join("stamps/weu-01/admin.token"))
        .output()
        .unwrap();
    assert!(!second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("another stamp-agent runs on"), "{said}");

    // Every agent stopped; then weu-01's pid file names another program.
    let stopped = stampctl_json(dir.path(), &["-o", "json", "stop-agents"]);
    assert_eq!(stopped["stopped"], 8, "{stopped}");
    assert_eq!(agents_left(dir.path()), 0);
    let mut bystander = Command::new("sleep").arg("600.0431").spawn().unwrap();
    std::fs::write(data.join("agent.pid"), bystander.id().to_string()).unwrap();
    let stopped = stampctl_json(dir.path(), &["-o", "json", "stop-agents"]);
    assert_eq!(stopped["stopped"], 0, "{stopped}");
    assert!(
        bystander.try_wait().unwrap().is_none(),
        "the program named by a stale pid file was not signalled"
    );
    bystander.kill().unwrap();
    bystander.wait().unwrap();
}
