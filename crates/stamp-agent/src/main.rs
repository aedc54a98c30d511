//! stamp-agent: one process is one stamp. It answers the Stamp API on its listen address
//! over its own data directory, and prints `listening on http://ADDR` once it accepts.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod activation;
mod agent;
mod auth;
mod background_sync;
mod callers;
mod change_log;
mod checkpoint;
mod digest;
mod error;
mod fleet_keys;
mod idempotency;
mod import;
mod import_pages;
mod kv;
mod move_store;
mod moves;
mod mutation;
mod operators;
mod request;
mod rounds;
mod router;
mod stopping;
mod store;
mod tenants;
mod traffic;
mod upgrade;
mod value_bytes;
mod value_files;
mod writer_lock;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "stamp-agent",
    version,
    about = "A Stampfleet reference stamp: one process is one stamp"
)]
struct Args {
    /// This stamp's id.
    #[arg(long, env = "STAMP_ID")]
    stamp_id: String,
    /// The region it runs in.
    #[arg(long, env = "STAMP_REGION")]
    region: String,
    /// The template version it was provisioned from.
    #[arg(long, env = "STAMP_TEMPLATE_VERSION")]
    template_version: String,
    /// Capacity in units.
    #[arg(long, env = "STAMP_CAPACITY")]
    capacity: u32,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "STAMP_LISTEN", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Directory for the stamp's own SQLite file.
    #[arg(long, env = "STAMP_DATA_DIR")]
    data_dir: PathBuf,
    /// File holding the admin token (first line).
    #[arg(long, env = "STAMP_TOKEN_FILE")]
    token_file: PathBuf,
    /// How long the change log keeps an entry (a cheap move back within it reads the
    /// log; later ones copy a snapshot). Entries a move in progress needs stay.
    #[arg(long, env = "STAMP_CHANGE_RETENTION_SECS", default_value_t = 24 * 3600)]
    change_retention_secs: i64,
    /// The change log's length cap: at least this many entries per tenant (or four per
    /// key, when more) are kept; older ones go once past the retention anyway.
    #[arg(long, default_value_t = 10_000)]
    change_log_entries: i64,
    /// Idempotency keys kept per caller (its newest, within 48 h).
    #[arg(long, default_value_t = 10_000)]
    idempotency_keys_per_caller: i64,
    /// How long an upgrade waits before its migration step, in milliseconds (the demo
    /// fleet's and the benchmarks' stand-in for real upgrade work).
    #[arg(long, env = "STAMP_UPGRADE_DELAY_MS", default_value_t = 0)]
    upgrade_delay_ms: u64,
    /// Test faults, named as such (repeatable, or comma-separated): `fail-upgrade=V`,
    /// `unhealthy-after-upgrade=V`, each optionally `STAMP_ID:`-prefixed to apply to that
    /// stamp only.
    #[arg(long = "fault", env = "STAMP_FAULTS", value_delimiter = ',')]
    faults: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STAMP_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("stamp-agent: {message}");
    ExitCode::FAILURE
}

fn read_token(path: &PathBuf) -> Result<String, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("token file {}: {e}", path.display()))?;
    let token = text.lines().next().unwrap_or_default().trim().to_owned();
    if token.len() < 16 {
        return Err(format!(
            "token file {}: the token must be at least 16 characters",
            path.display()
        ));
    }
    Ok(token)
}

/// Takes `agent.lock` in the data directory, or says another agent holds it.
fn lock_data_dir(dir: &std::path::Path) -> Result<std::fs::File, String> {
    let path = dir.join("agent.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "another stamp-agent runs on {} already",
            dir.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("{}: {e}", path.display())),
    }
}

async fn serve(args: Args) -> Result<(), String> {
    fleet_core::StampId::new(args.stamp_id.as_str()).map_err(|e| e.to_string())?;
    if args.capacity == 0 {
        return Err("--capacity must be greater than 0".to_owned());
    }
    let token = read_token(&args.token_file)?;
    store::private_data_dir(&args.data_dir)?;
    // One agent per data directory: a second one would write the same SQLite file
    // under another port. Held until the process ends (the OS drops it on a crash).
    let _lock = lock_data_dir(&args.data_dir)?;
    let faults = upgrade::Faults::parse(&args.faults, &args.stamp_id)?;
    let std_listener = std::net::TcpListener::bind(args.listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| format!("listen on {}: {e}", args.listen))?;
    let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(stamp = %args.stamp_id, %addr, "stamp agent listening");
    // Lets the control plane stop this agent later (`stampctl stamp stop-agents`).
    let pid_file = args.data_dir.join("agent.pid");
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&pid_file)
            .map_err(|e| format!("{}: {e}", pid_file.display()))?;
        file.write_all(std::process::id().to_string().as_bytes())
            .map_err(|e| format!("{}: {e}", pid_file.display()))?;
    }
    let launch = rounds::Launch::new(
        args.data_dir.clone(),
        token,
        args.stamp_id.clone(),
        args.region.clone(),
        args.template_version.clone(),
        args.capacity,
        store::LogLimits {
            retention_secs: args.change_retention_secs.max(0),
            min_entries: args.change_log_entries.max(1),
            keys_per_caller: args.idempotency_keys_per_caller.max(1),
        },
        faults,
        std::time::Duration::from_millis(args.upgrade_delay_ms),
    );
    launch.start_round().await?;
    let listener = tokio::net::TcpListener::from_std(std_listener)
        .map_err(|e| format!("listen on {addr}: {e}"))?;
    // The parent reads this line to learn the bound address.
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{addr}")
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    drop(out);
    axum::serve(listener, launch.service())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("serve: {e}"))?;
    launch.close().await;
    let _ = std::fs::remove_file(&pid_file);
    tracing::info!(stamp = %args.stamp_id, "stamp agent stopped");
    Ok(())
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    // Health questions held open answer now, so the shutdown does not wait for them.
    stopping::begin();
}
