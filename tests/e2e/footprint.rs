//! The app's footprint, a benchmark (ignored by the test command; `.ci/bench-footprint`
//! runs it on the release build, under Xvfb): the demo fleet is made with stampctl, then
//! the app is launched RUNS times on it as a user launches it (no automation), each
//! time reading from its log when the page's milestones came after launch (the window
//! reports them once the map painted its first frame: `fleet_ops::startup_report`);
//! after the last launch has run two health rounds, the proportional set size (PSS) of
//! the app's process tree: the shell and each WebKit process, with where their memory
//! is (by mapping), and the stamp agents apart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stampfleet_e2e::app_binary;

const RUNS: usize = 5;

/// pid -> (parent pid, command name) for every process.
fn processes() -> BTreeMap<u32, (u32, String)> {
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so split at its last ')'.
        let (head, tail) = stat.rsplit_once(')').unwrap();
        let comm = head.split_once('(').unwrap().1.to_owned();
        let ppid = tail.split_whitespace().nth(1).unwrap().parse().unwrap();
        all.insert(pid, (ppid, comm));
    }
    all
}

fn descendants(root: u32, all: &BTreeMap<u32, (u32, String)>) -> Vec<u32> {
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            all.iter()
                .filter(|(_, (pp, _))| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found
}

fn pss_kib(pid: u32) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .map(|v| v.trim().trim_end_matches("kB").trim().parse().unwrap())
        .unwrap_or(0)
}

/// PSS by what is mapped: heap and anonymous memory, each library, the binary.
fn pss_by_mapping(pid: u32) -> Vec<(String, u64)> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut by: BTreeMap<String, u64> = BTreeMap::new();
    let mut current = String::new();
    for line in smaps.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields
            .first()
            .is_some_and(|f| f.contains('-') && !f.ends_with(':'))
        {
            current = match fields.get(5) {
                Some(path) if path.starts_with('/') => Path::new(path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                Some(name) => (*name).to_owned(),
                None => "[anonymous]".to_owned(),
            };
        } else if fields.first() == Some(&"Pss:") {
            *by.entry(current.clone()).or_default() += fields[1].parse::<u64>().unwrap();
        }
    }
    let mut by: Vec<(String, u64)> = by.into_iter().collect();
    by.sort_by_key(|b| std::cmp::Reverse(b.1));
    by
}

const STARTUP_LINE: &str = "window start-up after launch: ";

/// Waits (bounded) for the app's start-up line in `log` and returns what follows it.
fn startup_line(log: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(line) = text.lines().find_map(|l| l.split_once(STARTUP_LINE)) {
            return line.1.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no start-up line in {} within 60 s",
            log.display()
        );
        // A benchmark polling a file it cannot be told about; bounded by the deadline.
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The milliseconds after launch of milestone `name` in a start-up line.
fn milestone(line: &str, name: &str) -> f64 {
    line.split(", ")
        .find_map(|part| {
            part.strip_prefix(name)?
                .strip_prefix(' ')?
                .strip_suffix(" ms")
        })
        .unwrap_or_else(|| panic!("no {name} in {line}"))
        .parse()
        .unwrap()
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[test]
#[ignore = "a benchmark: .ci/bench-footprint"]
fn footprint() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run it under xvfb-run"
    );
    let app = app_binary();
    let bin_dir: PathBuf = app.parent().unwrap().to_owned();
    let agent = bin_dir.join("stamp-agent");
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("catalogue.sqlite");
    let stampctl = |args: &[&str]| {
        let out = Command::new(bin_dir.join("stampctl"))
            .arg("--catalogue")
            .arg(&catalogue)
            .args(args)
            .env("STAMPFLEET_AGENT", &agent)
            .env("STAMPFLEET_SECRETS", "file")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    stampctl(&["demo"]);
    println!("app: {}", app.display());

    let mut paint_ms = Vec::new();
    for run in 0..RUNS {
        let logs = dir.path().join(format!("logs-{run}"));
        let mut child = Command::new(&app)
            .env("STAMPFLEET_CATALOGUE", &catalogue)
            .env("STAMPFLEET_CONFIG_DIR", dir.path())
            .env("STAMPFLEET_LOG_DIR", &logs)
            .env("STAMPFLEET_AGENT", &agent)
            .env("STAMPFLEET_SECRETS", "file")
            .env("STAMPFLEET_ROUTES_ADDR", "127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let line = startup_line(&logs.join("stampfleet.log"));
        println!("run {}: {line}", run + 1);
        paint_ms.push(milestone(&line, "map-painted"));
        if run + 1 == RUNS {
            // Two rounds of the window's health watcher (every 5 s): the fleet as it is open.
            std::thread::sleep(Duration::from_secs(11));
            report_memory(child.id(), &agent, dir.path());
        }
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        child.wait().unwrap();
    }
    stampctl(&["stop-agents"]);
    println!(
        "launch to first painted map: median {:.0} ms of {RUNS} (min {:.0}, max {:.0})",
        median(paint_ms.clone()),
        paint_ms.iter().cloned().fold(f64::INFINITY, f64::min),
        paint_ms.iter().cloned().fold(0.0, f64::max)
    );
}

/// PSS of the app's process tree by process and mapping, and of the stamp agents apart.
fn report_memory(pid: u32, agent: &Path, home: &Path) {
    let all = processes();
    let agent_exe = agent.canonicalize().unwrap();
    let home = home.to_string_lossy().into_owned();
    // This benchmark's agents: the agent program, serving a stamp under its directory.
    let is_agent = |p: &u32| {
        std::fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|exe| exe == agent_exe)
            && std::fs::read(format!("/proc/{p}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&home))
    };
    let mut total = 0;
    println!("--- PSS of the app's process tree, the demo fleet open");
    for p in descendants(pid, &all).into_iter().filter(|p| !is_agent(p)) {
        let kib = pss_kib(p);
        total += kib;
        println!("{:>10}  {} (pid {p})", mib(kib), all[&p].1);
        for (name, kib) in pss_by_mapping(p).into_iter().take(6) {
            println!("{:>22}  {name}", mib(kib));
        }
    }
    println!("{:>10}  total (app shell + WebKit processes)", mib(total));
    let agents: Vec<u64> = all
        .keys()
        .filter(|p| is_agent(p))
        .map(|p| pss_kib(*p))
        .collect();
    println!(
        "{:>10}  stamp agents apart: {} processes, {} each on average",
        mib(agents.iter().sum()),
        agents.len(),
        mib(agents.iter().sum::<u64>() / agents.len().max(1) as u64)
    );
}
