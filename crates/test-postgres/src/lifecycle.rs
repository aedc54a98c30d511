//! A server's life: its cluster made (`initdb`), configured and started, stopped, and
//! the watchdog that stops it when the test process goes first (the crate's docs).

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};

use crate::host::{clean_env, conf_string, RunAs};
use crate::{PgServer, LOG_TAIL_LINES, SERVER_OS_USER, SUPERUSER};

impl PgServer {
    pub(crate) fn initdb(&self) -> Result<(), String> {
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
    pub(crate) fn configure(&self) -> Result<(), String> {
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

    pub(crate) fn pg_ctl_start(&self) -> Result<(), String> {
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
    pub(crate) fn port_was_taken(&self, log_before: usize) -> bool {
        let log = self.log();
        let attempt = log.get(log_before..).unwrap_or(&log);
        attempt.contains("could not bind") || attempt.contains("Address already in use")
    }

    /// `pg_ctl stop -m immediate -w` if a postmaster may be running; errors are ignored.
    pub(crate) fn stop(&self) {
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
    pub(crate) fn spawn_watchdog(&self) -> Result<(), String> {
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

    pub(crate) fn log_tail(&self) -> String {
        let log = self.log();
        if log.trim().is_empty() {
            return String::new();
        }
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
        format!("\n--- tail of {} ---\n{tail}", self.log.display())
    }
}
