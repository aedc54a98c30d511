//! The app's footprint, a benchmark (ignored by the test command; `.ci/bench-footprint`
//! runs it on the release build): the demo fleet is made with stampctl, then the app is
//! launched RUNS times on it, each time measuring the time from the process's start to
//! the map's first painted frame (the page's performance mark), and, once all 8 stamps
//! show healthy, the proportional set size (PSS) of the app's process tree: the shell
//! and each WebKit process, with where their memory is (by mapping), and the stamp
//! agents apart. WebKitWebDriver (the automation) is not in the tree and not counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use stampfleet_e2e::{app_binary, AppSession};

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

/// The process's start as milliseconds since the epoch (/proc/PID/stat, in clock ticks).
fn started_at_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let ticks: f64 = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .nth(19)
        .unwrap()
        .parse()
        .unwrap();
    let boot: f64 = std::fs::read_to_string("/proc/stat")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // CLK_TCK is 100 on Linux.
    boot * 1000.0 + ticks * 10.0
}

fn pid_of(program: &Path) -> u32 {
    let program = program.canonicalize().unwrap();
    let found: Vec<u32> = processes()
        .into_keys()
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == program)
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {} running: {found:?}",
        program.display()
    );
    found[0]
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: .ci/bench-footprint"]
async fn footprint() {
    let app = app_binary();
    let bin_dir: PathBuf = app.parent().unwrap().to_owned();
    let agent = bin_dir.join("stamp-agent");
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("catalogue.sqlite");
    let out = Command::new(bin_dir.join("stampctl"))
        .arg("--catalogue")
        .arg(&catalogue)
        .arg("demo")
        .env("STAMPFLEET_AGENT", &agent)
        .env("STAMPFLEET_SECRETS", "file")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::env::set_var("STAMPFLEET_SECRETS", "file");
    println!("app: {}", app.display());

    let mut paint_ms = Vec::new();
    for run in 0..RUNS {
        let env = [
            ("STAMPFLEET_CATALOGUE", catalogue.as_os_str()),
            ("STAMPFLEET_CONFIG_DIR", dir.path().as_os_str()),
            ("STAMPFLEET_LOG_DIR", dir.path().as_os_str()),
            ("STAMPFLEET_AGENT", agent.as_os_str()),
            ("STAMPFLEET_SECRETS", "file".as_ref()),
        ];
        // Each session's end stops the agents; the next launch starts them again.
        let session = AppSession::launch(&app, dir.path(), &env, &[]).await;
        session.find("[data-painted=true]").await;
        let painted_at: f64 = session
            .client
            .execute(
                "const m = performance.getEntriesByName('stampfleet:map-painted')[0]; return performance.timeOrigin + m.startTime;",
                vec![],
            )
            .await
            .unwrap()
            .as_f64()
            .unwrap();
        let pid = pid_of(&app);
        let ms = painted_at - started_at_ms(pid);
        println!("run {}: launch to first painted map {ms:.0} ms", run + 1);
        paint_ms.push(ms);
        if run + 1 < RUNS {
            session.stop().await;
            continue;
        }
        session
            .find_n("[data-testid=stamp-row-health] [data-health=healthy]", 8)
            .await;
        let all = processes();
        let mut total = 0;
        println!("--- PSS of the app's process tree, the demo fleet open (8 stamps healthy)");
        let agent_exe = agent.canonicalize().unwrap();
        let is_agent = |p: &u32| {
            std::fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|exe| exe == agent_exe)
        };
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
        session.stop().await;
    }
    println!(
        "launch to first painted map: median {:.0} ms of {RUNS} (min {:.0}, max {:.0})",
        median(paint_ms.clone()),
        paint_ms.iter().cloned().fold(f64::INFINITY, f64::min),
        paint_ms.iter().cloned().fold(0.0, f64::max)
    );
}
