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

use std::io::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

mod host;
mod lifecycle;

use host::{
    clean_env, find_bin_dir, find_in_path, free_port, make_temp_dir, os_user_ids, run_as_postgres,
    RunAs,
};

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
