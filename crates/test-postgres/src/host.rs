//! The machine the server runs on: where its programs are, which OS user runs them
//! (root cannot), a temp dir, a free port, and the environment the programs get.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// How initdb/pg_ctl/postgres are run.
#[derive(Debug, Clone)]
pub(crate) enum RunAs {
    /// As the test process's user (not root).
    Me,
    /// Root: `runuser -u postgres -- program args…`.
    Runuser(PathBuf),
    /// Root without runuser: `su -s /bin/sh -c 'exec "$0" "$@"' -- postgres program args…`.
    Su(PathBuf),
}

/// The directory holding `initdb`, `pg_ctl` and `postgres`.
pub(crate) fn find_bin_dir() -> Result<PathBuf, String> {
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

pub(crate) fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// runuser (or su) to run the server programs as `postgres` from root.
pub(crate) fn run_as_postgres() -> Result<RunAs, String> {
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
pub(crate) fn os_user_ids(user: &str) -> Result<(u32, u32), String> {
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
pub(crate) fn make_temp_dir() -> Result<PathBuf, String> {
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
pub(crate) fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| format!("binding 127.0.0.1:0 to pick a port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("reading the picked port: {e}"))
}

/// `s` inside a postgresql.conf single-quoted string.
pub(crate) fn conf_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "''")
}

/// Drops libpq's environment (PGHOST, PGOPTIONS, PGSSLMODE, PGDATA …), which would
/// otherwise change where and how the programs connect.
pub(crate) fn clean_env(command: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            command.env_remove(key);
        }
    }
}
