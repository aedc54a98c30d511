//! A real PostgreSQL server for tests: a fresh cluster (`initdb`) in a new temp dir,
//! started with `pg_ctl start -w` (pg_ctl waits for readiness: no sleeps), listening on
//! 127.0.0.1 on a free port with trust authentication for the superuser `stampfleet`.
//! Test code only; std only.
//!
//! ```no_run
//! let server = test_postgres::PgServer::start()?;
//! let url = server.new_database()?; // postgres://stampfleet@127.0.0.1:PORT/test_1
//! server.psql("postgres", "CREATE ROLE reader LOGIN")?;
//! # Ok::<(), String>(())
//! ```
//!
//! # Binaries
//! `initdb`, `pg_ctl` and `postgres` come from `$STAMPFLEET_PG_BIN` if set, else from the
//! highest version's `/usr/lib/postgresql/*/bin` (Debian's layout), else from `PATH`
//! (symlinks followed, so `psql` is taken from the same directory when it is there).
//! Without them, [`PgServer::start`] fails naming the Debian package `postgresql`.
//!
//! # Running as root
//! initdb and postgres refuse to run as root. When the test process is root (as in the
//! containers the workspace is built in), the temp dir is chowned to the `postgres` user
//! and `initdb`, `pg_ctl` and `postgres` run as that user through `runuser -u postgres --`
//! (util-linux), or `su -s /bin/sh -c … -- postgres` where runuser is missing. `psql` runs as
//! the test process and connects over TCP as `stampfleet` (trust).
//!
//! # Locale
//! The cluster is made with `-E UTF8 --locale=C.UTF-8`, or `--locale=C` where the C.UTF-8
//! locale is missing; `$STAMPFLEET_PG_LOCALE` picks another (e.g. `en_US.UTF-8`, to catch
//! ordering that relies on the database's default collation rather than `COLLATE "C"`).
//!
//! # Cleaning up: why a watchdog
//! [`PgServer`]'s `Drop` stops the server (`pg_ctl stop -m immediate -w`) and removes
//! its temp dir. But `Drop` never runs for statics (so never for [`shared`]'s server), nor
//! when the test process is killed, aborts, or calls `std::process::exit`; the postmaster
//! is a daemon (pg_ctl detaches it), so it would outlive the test process. Therefore
//! every server, the shared one included, gets a watchdog when it is made: a detached
//! `sh` (its own process group, so a terminal's Ctrl-C does not reach it) that checks
//! once a second (`kill -0`) whether the test process is still alive and the temp dir
//! still there. When the dir goes (a normal `Drop`), the watchdog just exits; when the
//! process goes first, it runs `pg_ctl stop -m immediate -w` and removes the dir.
//! So a shared server lingers for at most about a second after the test process exits.
//! The `sleep 1` is that background guard's poll, never a wait a test depends on.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The superuser the cluster is made with (and the user of every URL).
pub const SUPERUSER: &str = "stampfleet";

/// The OS user the server runs as when the test process is root.
const SERVER_OS_USER: &str = "postgres";

/// How many times `start` tries another port when the one it picked was taken meanwhile.
const PORT_ATTEMPTS: u32 = 5;

/// Lines of the server log quoted in errors.
const LOG_TAIL_LINES: usize = 30;

/// A running PostgreSQL server in its own temp dir. Dropping it stops the server
/// (`pg_ctl stop -m immediate`) and removes the dir.
#[derive(Debug)]
pub struct PgServer {
    /// The temp dir: `data/` (the cluster), `server.log`, and the unix socket.
    root: PathBuf,
    data: PathBuf,
    log: PathBuf,
    bin: PathBuf,
    psql: PathBuf,
    run_as: RunAs,
    port: u16,
    next_database: AtomicU64,
}

/// How initdb/pg_ctl/postgres are run.
#[derive(Debug, Clone)]
enum RunAs {
    /// As the test process's user (not root).
    Me,
    /// Root: `runuser -u postgres -- program args…`.
    Runuser(PathBuf),
    /// Root without runuser: `su -s /bin/sh -c 'exec "$0" "$@"' -- postgres program args…`.
    Su(PathBuf),
}

impl PgServer {
    /// Starts a fresh cluster: `initdb` (trust auth, UTF8, superuser `stampfleet`) in a
    /// new temp dir under [`std::env::temp_dir`], then `pg_ctl start -w -t 60` with
    /// postgres listening on 127.0.0.1 on a free port (fsync off). Returns once the
    /// server accepts connections.
    pub fn start() -> Result<PgServer, String> {
        let bin = find_bin_dir()?;
        for program in ["initdb", "pg_ctl", "postgres"] {
            if !bin.join(program).is_file() {
                return Err(format!(
                    "{} has initdb but no {program}: install the Debian package `postgresql` \
                     or point STAMPFLEET_PG_BIN at a complete PostgreSQL bin directory",
                    bin.display()
                ));
            }
        }
        let psql = Some(bin.join("psql"))
            .filter(|p| p.is_file())
            .or_else(|| find_in_path("psql"))
            .ok_or_else(|| {
                format!(
                    "no psql in {} nor on PATH: install the Debian package `postgresql-client`",
                    bin.display()
                )
            })?;

        let root = make_temp_dir()?;
        // From here on, an early return drops `server`, which stops whatever was started
        // and removes the dir.
        let mut server = PgServer {
            data: root.join("data"),
            log: root.join("server.log"),
            root,
            bin,
            psql,
            run_as: RunAs::Me,
            port: 0,
            next_database: AtomicU64::new(1),
        };
        let uid = std::fs::metadata(&server.root)
            .map_err(|e| format!("reading {}: {e}", server.root.display()))?
            .uid();
        if uid == 0 {
            server.run_as = run_as_postgres()?;
            let (owner, group) = os_user_ids(SERVER_OS_USER)?;
            std::os::unix::fs::chown(&server.root, Some(owner), Some(group))
                .map_err(|e| format!("chown {} to {SERVER_OS_USER}: {e}", server.root.display()))?;
        }
        server.spawn_watchdog()?;
        server.initdb()?;
        server.configure()?;

        // The port is free when picked but may be taken before postgres binds it: then
        // another one.
        let mut attempt = 1;
        loop {
            server.port = free_port()?;
            let log_before = server.log().len();
            match server.pg_ctl_start() {
                Ok(()) => return Ok(server),
                Err(_) if attempt < PORT_ATTEMPTS && server.port_was_taken(log_before) => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Creates a new, empty database (named `test_N`, unique on this server) and returns
    /// its URL: `postgres://stampfleet@127.0.0.1:PORT/test_N`.
    pub fn new_database(&self) -> Result<String, String> {
        let name = format!(
            "test_{}",
            self.next_database.fetch_add(1, Ordering::Relaxed)
        );
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""))
            .map_err(|e| format!("creating database {name}: {e}"))?;
        Ok(self.url(&name))
    }

    /// The URL of database `db` on this server, as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{db}", self.port)
    }

    /// Runs `sql` (any number of statements, each run on its own, stopping at the first
    /// error) as the superuser on database `db` through psql, and returns what it
    /// printed: rows only, unaligned, columns separated by `|`, one row a line (e.g.
    /// `"1"` for `SELECT 1`), without the final newline.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let port = self.port.to_string();
        let mut command = Command::new(&self.psql);
        command
            // No psqlrc; rows only, unaligned; stop at the first error; script on stdin.
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-p", &port, "-U", SUPERUSER])
            .args(["-d", db, "-f", "-"])
            .current_dir(&self.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        clean_env(&mut command);
        let mut child = command
            .spawn()
            .map_err(|e| format!("running {}: {e}", self.psql.display()))?;
        // Written from another thread so a large script and a large result cannot block
        // each other on full pipes.
        let writer = child.stdin.take().map(|mut stdin| {
            let sql = sql.to_owned();
            std::thread::spawn(move || stdin.write_all(sql.as_bytes()))
        });
        let output = child
            .wait_with_output()
            .map_err(|e| format!("waiting for psql: {e}"))?;
        let written = writer.map(|w| w.join());
        if !output.status.success() {
            return Err(format!(
                "psql on database {db} failed ({}): {}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end(),
                self.log_tail()
            ));
        }
        match written {
            Some(Ok(Err(e))) => return Err(format!("writing SQL to psql: {e}")),
            Some(Err(_)) => return Err("the thread writing SQL to psql panicked".to_owned()),
            _ => {}
        }
        let mut out = String::from_utf8_lossy(&output.stdout).into_owned();
        if out.ends_with('\n') {
            out.pop();
        }
        Ok(out)
    }

    /// The TCP port the server listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's temp dir (the cluster is in `data/`, the log is `server.log`).
    /// Removed when the server is dropped.
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// The server log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn initdb(&self) -> Result<(), String> {
        let explicit = std::env::var("STAMPFLEET_PG_LOCALE").ok();
        let locales: Vec<&str> = match &explicit {
            Some(locale) => vec![locale.as_str()],
            None => vec!["C.UTF-8", "C"],
        };
        let mut failures = String::new();
        for locale in locales {
            let output = self.run_server_program(
                "initdb",
                [
                    OsStr::new("-D"),
                    self.data.as_os_str(),
                    OsStr::new("-U"),
                    OsStr::new(SUPERUSER),
                    OsStr::new("--auth=trust"),
                    OsStr::new("-E"),
                    OsStr::new("UTF8"),
                    OsStr::new(&format!("--locale={locale}")),
                    OsStr::new("--no-sync"),
                ],
            )?;
            if output.status.success() {
                return Ok(());
            }
            let stderr = String::from_utf8_lossy(&output.stderr);
            let _ = writeln!(
                failures,
                "initdb --locale={locale} failed ({}): {}",
                output.status,
                stderr.trim_end()
            );
            if !stderr.contains("locale") {
                break;
            }
            // A refused locale: try the next one in an empty place.
            if self.data.exists() {
                std::fs::remove_dir_all(&self.data)
                    .map_err(|e| format!("{failures}removing {}: {e}", self.data.display()))?;
            }
        }
        Err(failures.trim_end().to_owned())
    }

    /// Settings appended to the new cluster's postgresql.conf (the port is given to
    /// pg_ctl, as it may change between attempts).
    fn configure(&self) -> Result<(), String> {
        // A unix socket path longer than sun_path (107 bytes) is refused: then TCP only,
        // which is all this crate uses.
        let socket_dir = if self.root.as_os_str().len() + "/.s.PGSQL.65535".len() < 108 {
            self.root.to_string_lossy().into_owned()
        } else {
            String::new()
        };
        let conf = format!(
            "\n# test-postgres\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             log_line_prefix = '%m [%p] '\n",
            conf_string(&socket_dir)
        );
        let path = self.data.join("postgresql.conf");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .map_err(|e| format!("appending to {}: {e}", path.display()))
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let port_option = format!("-p {}", self.port);
        let output = self.run_server_program(
            "pg_ctl",
            [
                OsStr::new("start"),
                OsStr::new("-D"),
                self.data.as_os_str(),
                OsStr::new("-l"),
                self.log.as_os_str(),
                OsStr::new("-w"),
                OsStr::new("-t"),
                OsStr::new("60"),
                OsStr::new("-s"),
                OsStr::new("-o"),
                OsStr::new(&port_option),
            ],
        )?;
        if output.status.success() {
            return Ok(());
        }
        let message = format!(
            "pg_ctl start (port {}) failed ({}): {}{}",
            self.port,
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end(),
            self.log_tail()
        );
        // A timed-out start may have left a postmaster behind.
        self.stop();
        Err(message)
    }

    /// Whether the failed start that logged from byte `log_before` on failed because its
    /// port was in use.
    fn port_was_taken(&self, log_before: usize) -> bool {
        let log = self.log();
        let attempt = log.get(log_before..).unwrap_or(&log);
        attempt.contains("could not bind") || attempt.contains("Address already in use")
    }

    /// `pg_ctl stop -m immediate -w` if a postmaster may be running; errors are ignored.
    fn stop(&self) {
        if !self.data.join("postmaster.pid").exists() {
            return;
        }
        match self.run_server_program("pg_ctl", self.stop_args()) {
            Ok(output) if !output.status.success() => eprintln!(
                "test-postgres: pg_ctl stop in {} failed ({}): {}",
                self.data.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ),
            Err(e) => eprintln!("test-postgres: {e}"),
            Ok(_) => {}
        }
    }

    fn stop_args(&self) -> Vec<OsString> {
        vec![
            "stop".into(),
            "-D".into(),
            self.data.clone().into_os_string(),
            "-m".into(),
            "immediate".into(),
            "-w".into(),
            "-s".into(),
        ]
    }

    /// The command running the server's program `name` (from the bin dir) with `args`,
    /// as `postgres` when the test process is root.
    fn server_command<I, S>(&self, name: &str, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let program = self.bin.join(name);
        let mut command = match &self.run_as {
            RunAs::Me => Command::new(&program),
            RunAs::Runuser(runuser) => {
                let mut c = Command::new(runuser);
                c.args(["-u", SERVER_OS_USER, "--"]).arg(&program);
                c
            }
            RunAs::Su(su) => {
                let mut c = Command::new(su);
                // Options before `--`: su's getopt would take the program's as its own.
                c.args([
                    "-s",
                    "/bin/sh",
                    "-c",
                    "exec \"$0\" \"$@\"",
                    "--",
                    SERVER_OS_USER,
                ])
                .arg(&program);
                c
            }
        };
        command
            .args(args)
            .current_dir(&self.root)
            .env("LC_ALL", "C");
        clean_env(&mut command);
        command
    }

    fn run_server_program<I, S>(&self, name: &str, args: I) -> Result<Output, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.server_command(name, args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {name} from {}: {e}", self.bin.display()))
    }

    /// Starts the detached watchdog described in the crate's documentation.
    fn spawn_watchdog(&self) -> Result<(), String> {
        const SCRIPT: &str = r#"(
            pid=$1; root=$2; shift 2
            while kill -0 "$pid" 2>/dev/null && [ -d "$root" ]; do sleep 1; done
            if [ -d "$root" ]; then
                if [ -f "$root/data/postmaster.pid" ]; then "$@"; fi
                rm -rf "$root"
            fi
        ) </dev/null >/dev/null 2>&1 &"#;
        let stop = self.server_command("pg_ctl", self.stop_args());
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(SCRIPT)
            .arg("test-postgres-watchdog")
            .arg(std::process::id().to_string())
            .arg(&self.root)
            .arg(stop.get_program())
            .args(stop.get_args())
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        for (key, value) in stop.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        // The outer shell exits at once, leaving the loop to init.
        let status = command
            .status()
            .map_err(|e| format!("starting the watchdog (/bin/sh): {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("starting the watchdog (/bin/sh) failed: {status}"))
        }
    }

    fn log_tail(&self) -> String {
        let log = self.log();
        if log.trim().is_empty() {
            return String::new();
        }
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
        format!("\n--- tail of {} ---\n{tail}", self.log.display())
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
        if let Err(e) = std::fs::remove_dir_all(&self.root) {
            if e.kind() != std::io::ErrorKind::NotFound {
                eprintln!("test-postgres: removing {}: {e}", self.root.display());
            }
        }
    }
}

/// One server for the whole test process, started on first use (see the crate's
/// documentation for how it is stopped: a watchdog, within about a second of the
/// process's exit). Tests sharing it should each take their own [`PgServer::new_database`].
///
/// # Panics
/// When the server cannot be started (the message says why); see [`try_shared`].
pub fn shared() -> &'static PgServer {
    match try_shared() {
        Ok(server) => server,
        Err(e) => panic!("test-postgres: the shared PostgreSQL server did not start: {e}"),
    }
}

/// [`shared`], returning why the server did not start instead of panicking (the same
/// error on every call: the start is tried once).
pub fn try_shared() -> Result<&'static PgServer, String> {
    static SHARED: OnceLock<Result<PgServer, String>> = OnceLock::new();
    SHARED
        .get_or_init(PgServer::start)
        .as_ref()
        .map_err(Clone::clone)
}

/// The directory holding `initdb`, `pg_ctl` and `postgres`.
fn find_bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("STAMPFLEET_PG_BIN") {
        let dir = PathBuf::from(dir);
        return if dir.join("initdb").is_file() {
            Ok(dir)
        } else {
            Err(format!(
                "STAMPFLEET_PG_BIN is {} but it holds no initdb",
                dir.display()
            ))
        };
    }
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let best = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let version: Vec<u32> = entry
                    .file_name()
                    .to_str()?
                    .split('.')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .ok()?;
                let bin = entry.path().join("bin");
                bin.join("initdb").is_file().then_some((version, bin))
            })
            .max();
        if let Some((_, bin)) = best {
            return Ok(bin);
        }
    }
    if let Some(initdb) = find_in_path("initdb") {
        let initdb = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        if let Some(dir) = initdb.parent() {
            return Ok(dir.to_path_buf());
        }
    }
    Err(
        "no PostgreSQL server programs found (initdb, pg_ctl, postgres): looked in \
         $STAMPFLEET_PG_BIN, /usr/lib/postgresql/*/bin and PATH. Install the Debian \
         package `postgresql` (apt-get install postgresql), or set STAMPFLEET_PG_BIN to \
         the directory holding initdb"
            .to_owned(),
    )
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// runuser (or su) to run the server programs as `postgres` from root.
fn run_as_postgres() -> Result<RunAs, String> {
    let sbin = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from);
    let find = |name: &str| {
        find_in_path(name).or_else(|| sbin.iter().map(|d| d.join(name)).find(|p| p.is_file()))
    };
    if let Some(runuser) = find("runuser") {
        Ok(RunAs::Runuser(runuser))
    } else if let Some(su) = find("su") {
        Ok(RunAs::Su(su))
    } else {
        Err(
            "running as root, PostgreSQL must run as the user `postgres`, but neither \
             runuser (util-linux) nor su was found"
                .to_owned(),
        )
    }
}

/// The uid and gid of OS user `user` (via `id`).
fn os_user_ids(user: &str) -> Result<(u32, u32), String> {
    let id = |flag: &str| -> Result<u32, String> {
        let output = Command::new("id")
            .args([flag, user])
            .output()
            .map_err(|e| format!("running id {flag} {user}: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "running as root, PostgreSQL must run as the OS user `{user}`, which \
                 `id` does not know ({}); the Debian package `postgresql` creates it",
                String::from_utf8_lossy(&output.stderr).trim_end()
            ));
        }
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .map_err(|e| format!("id {flag} {user}: {e}"))
    };
    Ok((id("-u")?, id("-g")?))
}

/// A new, empty, uniquely named dir under the system temp dir.
fn make_temp_dir() -> Result<PathBuf, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let mut last_error = None;
    for _ in 0..100 {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = base.join(format!(
            "stampfleet-pg-{}-{}-{nanos:x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(format!("creating {}: {e}", dir.display())),
        }
    }
    Err(format!(
        "creating a temp dir under {}: {last_error:?}",
        base.display()
    ))
}

/// A port free on 127.0.0.1 just now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| format!("binding 127.0.0.1:0 to pick a port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("reading the picked port: {e}"))
}

/// `s` inside a postgresql.conf single-quoted string.
fn conf_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "''")
}

/// Drops libpq's environment (PGHOST, PGOPTIONS, PGSSLMODE, PGDATA …), which would
/// otherwise change where and how the programs connect.
fn clean_env(command: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            command.env_remove(key);
        }
    }
}
