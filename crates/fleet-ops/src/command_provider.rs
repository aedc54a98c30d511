//! The command provider: runs an operator's IaC command (terraform, tofu, a wrapper)
//! with the stamp's parameters as JSON on stdin; it prints `{"endpoint", "adminToken"}`.
//! The command runs in a process group of its own: at the timeout the whole group is
//! killed (grandchildren too: plugins, anything started with `&`). Its output is read
//! up to a bound, and never waited for past the deadline (a grandchild that outlives
//! the command and keeps the pipes open does not hold the app).

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::OpsError;
use crate::providers::{redact, ProviderAnswer, ProviderRun};

/// Output kept per stream; the rest is read and dropped.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;
/// How long the output may take to close once the command has exited.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// Output read so far, and whether the stream has ended.
struct Reading {
    kept: std::sync::Arc<std::sync::Mutex<(Vec<u8>, bool)>>,
    ended: mpsc::Receiver<()>,
}

impl Reading {
    /// What was read by `until` (all of it when the stream ended by then, else what
    /// came so far), and notes for the log when it was cut or not waited for.
    fn take(&self, until: Instant) -> (String, String) {
        let ended = self
            .ended
            .recv_timeout(until.saturating_duration_since(Instant::now()))
            .is_ok();
        let (bytes, cut) = self
            .kept
            .lock()
            .map(|k| (k.0.clone(), k.1))
            .unwrap_or_default();
        let mut notes = String::new();
        if cut {
            notes.push_str(&format!("[output cut at {MAX_OUTPUT_BYTES} bytes]\n"));
        }
        if !ended {
            notes.push_str("[output still open when the command ended; not waited for]\n");
        }
        (String::from_utf8_lossy(&bytes).into_owned(), notes)
    }
}

/// Reads `pipe` to its end on a thread, keeping at most `MAX_OUTPUT_BYTES`.
fn read_bounded(pipe: Option<impl Read + Send + 'static>) -> Reading {
    let (tx, ended) = mpsc::channel();
    let kept = std::sync::Arc::new(std::sync::Mutex::new((Vec::new(), false)));
    let shared = kept.clone();
    std::thread::spawn(move || {
        if let Some(mut pipe) = pipe {
            let mut buf = [0u8; 16 * 1024];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let Ok(mut k) = shared.lock() else { break };
                        let room = MAX_OUTPUT_BYTES.saturating_sub(k.0.len());
                        k.1 |= n > room;
                        k.0.extend_from_slice(&buf[..n.min(room)]);
                    }
                }
            }
        }
        let _ = tx.send(());
    });
    Reading { kept, ended }
}

/// The `adminToken` the command printed, if any JSON object in its output holds one
/// (the whole output, or one of its lines), even when the answer is otherwise invalid.
fn token_in(stdout: &str) -> Option<String> {
    std::iter::once(stdout.trim())
        .chain(stdout.lines().map(str::trim))
        .filter_map(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .find_map(|v| v.get("adminToken")?.as_str().map(str::to_owned))
        .filter(|t| !t.is_empty())
}

/// SIGKILL to every process of the command's group (the group id is its pid).
fn kill_group(child: &Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs the command provider, bounded by `timeout`; blocking (call from spawn_blocking).
pub fn run_command<T: ProviderAnswer>(
    program: &str,
    args: &[String],
    params: &impl serde::Serialize,
    timeout: Duration,
) -> ProviderRun<T> {
    let fail = |message: String, log: String| ProviderRun {
        result: Err(OpsError::invalid(message)),
        log,
    };
    let input = match serde_json::to_vec(params) {
        Ok(v) => v,
        Err(e) => return fail(format!("cannot encode the parameters: {e}"), String::new()),
    };
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return fail(format!("provider command {program}: {e}"), String::new()),
    };
    let deadline = Instant::now() + timeout;
    // Written on a thread: a command that does not read its input cannot block us.
    if let Some(mut stdin) = child.stdin.take() {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let out = read_bounded(child.stdout.take());
    let err = read_bounded(child.stderr.take());
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                kill_group(&child);
                let _ = child.wait();
                break None;
            }
            // Polling the child's state, bounded by the deadline.
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => {
                kill_group(&child);
                break None;
            }
        }
    };
    let drain_until = Instant::now() + DRAIN_GRACE;
    let ((stdout, out_notes), (stderr, err_notes)) = (out.take(drain_until), err.take(drain_until));
    let answer = T::read(program, &stdout);
    // Redacted wherever it appears, also when the answer as a whole is not valid.
    let token = token_in(&stdout);
    let log = redact(
        &format!(
            "$ {program} {}\n--- stdout\n{stdout}\n{out_notes}--- stderr\n{stderr}\n{err_notes}",
            args.join(" ")
        ),
        token.as_deref(),
    );
    let result = match status {
        None => Err(OpsError::invalid(format!(
            "provider command {program} did not finish within {}s and was stopped (with every process it started)",
            timeout.as_secs()
        ))),
        Some(s) if !s.success() => {
            let last = stderr.lines().last().unwrap_or("no output");
            Err(OpsError::invalid(format!(
                "provider command {program} failed ({s}): {}",
                redact(last, token.as_deref())
            )))
        }
        Some(_) => answer,
    };
    ProviderRun { result, log }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> crate::providers::StampParameters<'static> {
        crate::providers::StampParameters {
            action: crate::providers::ProviderAction::Provision,
            stamp_id: "weu-09",
            region: "azure-westeurope",
            template_name: "standard",
            template_version: "1.4.0",
            capacity_units: 1000,
            previous_version: None,
            endpoint: None,
        }
    }

    /// Runs on a thread so the test itself is bounded even if the command is not.
    fn run_bounded(script: &str, timeout: Duration) -> ProviderRun<crate::providers::Provisioned> {
        let (tx, rx) = mpsc::channel();
        let script = script.to_owned();
        std::thread::spawn(move || {
            let run = run_command("sh", &["-c".to_owned(), script], &params(), timeout);
            let _ = tx.send(run);
        });
        rx.recv_timeout(Duration::from_secs(60))
            .expect("run_command returned within 60 s")
    }

    fn running(marker: &str) -> usize {
        let out = Command::new("pgrep").args(["-f", marker]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).lines().count()
    }

    #[test]
    fn a_timeout_stops_the_command_and_everything_it_started() {
        let run = run_bounded(
            "cat >/dev/null; sleep 600.0417 & sleep 600.0417",
            Duration::from_secs(1),
        );
        let err = run.result.unwrap_err();
        assert!(
            err.message.contains("did not finish within 1s"),
            "{}",
            err.message
        );
        // The group was killed with SIGKILL: waiting for them to be gone is bounded.
        let mut left = running("sleep 600.0417");
        for _ in 0..100 {
            if left == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            left = running("sleep 600.0417");
        }
        assert_eq!(left, 0, "no sleep is left behind");
    }

    #[test]
    fn a_grandchild_holding_the_output_open_does_not_hold_the_app() {
        // The command answers and exits; a process it left keeps stdout open.
        let run = run_bounded(
            r#"cat >/dev/null; (sleep 600.0419 &) ; echo '{"endpoint":"http://127.0.0.1:1","adminToken":"tok-1234567890abcdef"}'"#,
            Duration::from_secs(30),
        );
        let _ = Command::new("pkill")
            .args(["-f", "sleep 600.0419"])
            .status();
        assert!(run.log.contains("not waited for"), "{}", run.log);
        assert_eq!(run.result.unwrap().endpoint, "http://127.0.0.1:1");
    }

    #[test]
    fn the_token_is_redacted_from_the_log_and_error_when_the_answer_is_refused() {
        // An answer with a bad endpoint, and the token echoed on stderr too.
        let run = run_bounded(
            r#"cat >/dev/null; echo '{"endpoint":"ftp://nope","adminToken":"s3cr3t-token-42"}'; echo 'debug: s3cr3t-token-42' >&2; exit 1"#,
            Duration::from_secs(30),
        );
        let err = run.result.unwrap_err();
        assert!(!run.log.contains("s3cr3t-token-42"), "{}", run.log);
        assert!(!err.message.contains("s3cr3t-token-42"), "{}", err.message);
        assert!(run.log.contains("debug: ***"), "{}", run.log);
    }

    #[test]
    fn output_is_kept_up_to_a_bound() {
        let run = run_bounded(
            "cat >/dev/null; head -c 5000000 /dev/zero | tr '\\0' x; exit 3",
            Duration::from_secs(30),
        );
        assert!(
            run.log.len() < 2 * MAX_OUTPUT_BYTES + 4096,
            "{}",
            run.log.len()
        );
        assert!(run.log.contains("output cut at"));
        assert!(run.result.is_err());
    }
}
