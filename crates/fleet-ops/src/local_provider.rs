//! The embedded `local` provider: each stamp is a `stamp-agent` process on 127.0.0.1
//! with its own data directory. Agents run detached, so they outlive the app or
//! stampctl that started them; at the next start the app finds them (or restarts them
//! on the same port, with their data).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fleet_core::Stamp;

use crate::error::{OpsError, OpsResult};

pub const AGENT_ENV: &str = "STAMPFLEET_AGENT";
/// How long a starting agent may take to say where it listens.
const START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The stamp-agent binary: `$STAMPFLEET_AGENT`, else beside this executable, else PATH.
pub fn agent_binary() -> OpsResult<PathBuf> {
    if let Some(path) = std::env::var_os(AGENT_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(OpsError::internal(format!(
                "stamp-agent not found: {AGENT_ENV} names {}, which is not a file",
                path.display()
            )));
        }
        return Ok(path);
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("stamp-agent")));
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("stamp-agent"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    beside
        .into_iter()
        .chain(on_path)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            OpsError::internal(format!(
                "stamp-agent not found beside this program or on PATH; set {AGENT_ENV}"
            ))
        })
}

/// Writes the agent's admin token file (0600), which only the agent reads.
pub fn write_token_file(data_dir: &Path, token: &str) -> OpsResult<PathBuf> {
    let io = |e: std::io::Error| OpsError::internal(format!("{}: {e}", data_dir.display()));
    private_dir(data_dir).map_err(io)?;
    let path = data_dir.join("admin.token");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(io)?;
    file.write_all(token.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    Ok(path)
}

/// Starts an agent for `stamp` on `port` (0: any free port) and returns its endpoint.
/// Blocking, bounded by `START_TIMEOUT`: call it from a blocking thread
/// (`start_agent_in_background`).
pub fn start_agent(stamp: &Stamp, data_dir: &Path, port: u16) -> OpsResult<String> {
    let binary = agent_binary()?;
    let fail =
        |what: String| OpsError::internal(format!("starting stamp-agent for {}: {what}", stamp.id));
    private_dir(data_dir).map_err(|e| fail(e.to_string()))?;
    let log = crate::log_file::open_rotated_at_start(
        &data_dir.join("agent.log"),
        crate::log_file::LOG_MAX_BYTES,
        crate::log_file::LOG_KEEP,
    )
    .map_err(|e| fail(e.to_string()))?;
    let mut child = Command::new(&binary)
        .arg("--stamp-id")
        .arg(stamp.id.as_str())
        .arg("--region")
        .arg(stamp.region.as_str())
        .arg("--template-version")
        .arg(stamp.template_version.as_str())
        .arg("--capacity")
        .arg(stamp.capacity_units.to_string())
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(data_dir.join("data"))
        .arg("--token-file")
        .arg(data_dir.join("admin.token"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .process_group(0)
        .spawn()
        .map_err(|e| fail(format!("{}: {e}", binary.display())))?;
    // Its first line says where it listens; an agent that says nothing in time is
    // stopped rather than waited for.
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = stdout.map(|out| BufReader::new(out).read_line(&mut line));
        let _ = tx.send((line, read));
    });
    let (line, read) = match rx.recv_timeout(START_TIMEOUT) {
        Ok(answer) => answer,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail(format!(
                "it did not say where it listens within {}s and was stopped",
                START_TIMEOUT.as_secs()
            )));
        }
    };
    let Some(endpoint) = line.trim().strip_prefix("listening on ").map(str::to_owned) else {
        let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
        let tail = std::fs::read_to_string(data_dir.join("agent.log")).unwrap_or_default();
        let last = tail.lines().last().unwrap_or("no output").to_owned();
        return Err(fail(format!("it exited ({status}, {read:?}): {last}")));
    };
    // Reap the process when it ends, so it never lingers as a zombie of ours.
    std::thread::spawn(move || child.wait());
    Ok(endpoint)
}

/// `start_agent` on a blocking thread, so no async worker waits on the agent.
pub async fn start_agent_in_background(
    stamp: &Stamp,
    data_dir: &Path,
    port: u16,
) -> OpsResult<String> {
    let (stamp, dir) = (stamp.clone(), data_dir.to_owned());
    tokio::task::spawn_blocking(move || start_agent(&stamp, &dir, port))
        .await
        .map_err(|e| OpsError::internal(format!("starting stamp-agent: {e}")))?
}

/// Whether process `pid` is a stamp agent serving the stamp whose directory is
/// `stamp_dir` (its command line names `--data-dir <stamp_dir>/data`).
pub fn is_agent_of(pid: u32, stamp_dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let data = stamp_dir.join("data");
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    // An agent started with a relative directory (older versions did) is resolved
    // against its own working directory.
    let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
    args.windows(2).any(|w| {
        let given = Path::new(std::ffi::OsStr::from_bytes(w[1]));
        w[0] == b"--data-dir" && std::path::absolute(cwd.join(given)).is_ok_and(|p| p == data)
    })
}

/// A stamp's directory: created 0700 (and narrowed to it), whatever the umask.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// The port of an endpoint such as `http://127.0.0.1:40123`.
pub fn port_of(endpoint: &str) -> Option<u16> {
    endpoint
        .rsplit(':')
        .next()?
        .trim_end_matches('/')
        .parse()
        .ok()
}
