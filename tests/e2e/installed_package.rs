//! The packages as a user gets them (`.ci/package --debug` built them; the test command
//! runs it first): the .deb installed on this machine with dpkg, the app started the way
//! the desktop menu starts it (its desktop entry's Exec, on a plain PATH) with an empty
//! data directory, the demo fleet created with the packaged agent and seen healthy,
//! `stampctl` on PATH, then uninstalled with nothing of the package left behind. The .rpm
//! is read with rpm: the same programs, desktop entry and icon.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stampfleet_e2e::{workspace_root, AppSession};

const PACKAGE: &str = "stampfleet";
const PROGRAMS: [&str; 3] = [
    "/usr/bin/stampfleet",
    "/usr/bin/stamp-agent",
    "/usr/bin/stampctl",
];
const DESKTOP_ENTRY: &str = "/usr/share/applications/Stampfleet.desktop";
const PLAIN_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// The one file `.ci/package --debug` left in target/debug/bundle/KIND.
fn built_package(kind: &str) -> PathBuf {
    let dir = workspace_root().join("target/debug/bundle").join(kind);
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; `.ci/package --debug` builds the packages (the test command runs it)",
                dir.display()
            )
        })
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == kind))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one .{kind} in {}: {found:?}",
        dir.display()
    );
    found.into_iter().next().unwrap()
}

fn run(program: &str, args: &[&str]) -> Output {
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut command = if root {
        Command::new(program)
    } else {
        // Installing needs root: sudo that asks nothing, or a clear failure.
        let mut sudo = Command::new("sudo");
        sudo.args(["-n", program]);
        sudo
    };
    command.args(args).output().unwrap()
}

fn ok(program: &str, args: &[&str]) -> String {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The installed package; removed when dropped, also when the test fails half-way.
struct Installed {
    files: Vec<PathBuf>,
}

impl Installed {
    fn install(deb: &Path) -> Self {
        ok("dpkg", &["-i", deb.to_str().unwrap()]);
        let files = ok("dpkg", &["-L", PACKAGE])
            .lines()
            .map(PathBuf::from)
            .filter(|path| path.is_file())
            .collect();
        Self { files }
    }

    fn remove(&self) {
        ok("dpkg", &["-r", PACKAGE]);
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = run("dpkg", &["-r", PACKAGE]);
        }
    }
}

/// The desktop entry's `Exec` program, found on `path` as the desktop would.
fn menu_program(entry: &str, path: &str) -> PathBuf {
    let exec = entry
        .lines()
        .find_map(|line| line.strip_prefix("Exec="))
        .unwrap_or_else(|| panic!("no Exec in {DESKTOP_ENTRY}:\n{entry}"));
    let program = exec.split_whitespace().next().unwrap();
    path.split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("Exec={exec}: {program} is not on {path}"))
}

/// Processes running `program` whose command line names `needle`.
fn processes_of(program: &Path, needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let dir = entry.ok()?.path();
            let exe = std::fs::read_link(dir.join("exe")).ok()?;
            let cmdline = std::fs::read(dir.join("cmdline")).ok()?;
            (exe == program && String::from_utf8_lossy(&cmdline).contains(needle)).then_some(())
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deb_installs_runs_the_demo_fleet_from_the_menu_and_uninstalls_cleanly() {
    let deb = built_package("deb");
    let installed = Installed::install(&deb);
    for program in PROGRAMS {
        assert!(
            installed.files.iter().any(|f| f == Path::new(program)),
            "{program} is not in the package: {:?}",
            installed.files
        );
    }
    let version = ok("/usr/bin/stampfleet", &["--version"]);
    assert_eq!(
        version.trim(),
        format!("stampfleet {}", env!("CARGO_PKG_VERSION"))
    );

    // The menu's view of it: a valid desktop entry whose icon is installed.
    ok("desktop-file-validate", &[DESKTOP_ENTRY]);
    let entry = std::fs::read_to_string(DESKTOP_ENTRY).unwrap();
    assert!(entry.contains("Name=Stampfleet"), "{entry}");
    assert!(entry.contains("Icon=stampfleet"), "{entry}");
    assert!(
        installed.files.iter().any(
            |f| f.starts_with("/usr/share/icons/hicolor") && f.ends_with("apps/stampfleet.png")
        ),
        "no icon named stampfleet: {:?}",
        installed.files
    );
    let app_program = menu_program(&entry, PLAIN_PATH);
    assert_eq!(app_program, Path::new("/usr/bin/stampfleet"));

    // A first start with an empty data directory, nothing of the source tree around.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let home = data.join("stampfleet");
    let env = [
        ("XDG_DATA_HOME", data.as_os_str()),
        ("XDG_CONFIG_HOME", dir.path().as_os_str()),
        ("PATH", PLAIN_PATH.as_ref()),
        ("STAMPFLEET_SECRETS", "file".as_ref()),
    ];
    let unset = [
        "STAMPFLEET_CATALOGUE",
        "STAMPFLEET_AGENT",
        "STAMPFLEET_LOG_DIR",
        "STAMPFLEET_CONFIG_DIR",
        "STAMPFLEET_ROUTES_ADDR",
    ];
    let app = AppSession::launch(&app_program, &home, &env, &unset).await;
    app.find("[data-testid=first-run]").await;
    app.click("[data-testid=create-demo]").await;
    app.find_n("[data-testid=stamp-row]", 8).await;
    app.find_n("[data-testid=stamp-row-health] [data-health=healthy]", 8)
        .await;
    let stamps_dir = format!("{}/stamps/", home.display());
    assert_eq!(
        processes_of(Path::new("/usr/bin/stamp-agent"), &stamps_dir),
        8,
        "the demo's 8 stamps run the packaged agent"
    );
    // The log is in the data directory, with the window's start-up once the map painted.
    let log = home.join("logs/stampfleet.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let startup = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(line) = text
            .lines()
            .find(|l| l.contains("window start-up after launch:"))
        {
            break line.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no start-up line in {}:\n{text}",
            log.display()
        );
        // A readiness probe of the log file, bounded by the deadline.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(startup.contains("map-painted"), "{startup}");

    // stampctl on PATH, on the app's default catalogue.
    let out = Command::new("stampctl")
        .args(["-o", "json", "stamp", "health"])
        .env("PATH", PLAIN_PATH)
        .env("XDG_DATA_HOME", &data)
        .env("STAMPFLEET_SECRETS", "file")
        .env_remove("STAMPFLEET_CATALOGUE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let healthy = checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "healthy")
        .count();
    assert_eq!(healthy, 8, "{checks}");
    app.stop().await;

    installed.remove();
    let left: Vec<&PathBuf> = installed.files.iter().filter(|f| f.exists()).collect();
    assert!(left.is_empty(), "left behind after dpkg -r: {left:?}");
    let status = run("dpkg-query", &["-W", "-f=${Status}", PACKAGE]);
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(!status.contains("installed ok"), "still {status}");
}

#[test]
fn the_rpm_holds_the_same_programs_desktop_entry_and_icon() {
    let rpm = built_package("rpm");
    let files = ok("rpm", &["-qpl", rpm.to_str().unwrap()]);
    for file in PROGRAMS.iter().chain(&[DESKTOP_ENTRY]) {
        assert!(
            files.lines().any(|f| f == *file),
            "{file} not in the rpm:\n{files}"
        );
    }
    assert!(
        files.lines().any(|f| f.ends_with("apps/stampfleet.png")),
        "no icon in the rpm:\n{files}"
    );
    let requires = ok("rpm", &["-qp", "--requires", rpm.to_str().unwrap()]);
    assert!(requires.contains("webkit2gtk"), "{requires}");
}
