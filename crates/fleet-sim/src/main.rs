//! fleet-sim: a simulated remote fleet, for benchmarks (named as such: it stands in for
//! thousands of stamps a benchmark cannot run as real agents). One process answers the
//! Stamp API's `health`, `tenants` and `upgrade` calls for any stamp id under
//! `/s/{stamp}/v1/...`, so each simulated stamp's endpoint is `http://ADDR/s/{stamp}`.
//! Every answer waits the set latency (plus jitter); an upgrade takes `--upgrade-ms`;
//! `--fail-upgrade STAMP` makes that stamp's upgrades fail; `--churn-percent P` makes P%
//! of stamps report another capacity used every 5 s. Health is pushed as an agent pushes
//! it (`ETag`, `If-None-Match`, `Prefer: wait=N`). Stamps start at `--version`
//! and keep what they were upgraded to for the life of the process. Prints
//! `listening on http://ADDR` once it accepts.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use stamp_protocol::{
    ApiError, Health, StampHealthStatus, StartUpgrade, UpgradePhase, UpgradeStatus,
};

#[derive(Parser, Clone)]
#[command(name = "fleet-sim", about = "A simulated remote fleet for benchmarks")]
struct Args {
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The bearer token every simulated stamp accepts.
    #[arg(long)]
    token: String,
    /// The template version every stamp starts at.
    #[arg(long, default_value = "1.4.0")]
    version: String,
    /// The region every stamp reports.
    #[arg(long, default_value = "simulated")]
    region: String,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Up to this much more, at random, per answer.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// How long an upgrade takes.
    #[arg(long, default_value_t = 100)]
    upgrade_ms: u64,
    /// Stamps whose upgrades fail (repeatable).
    #[arg(long)]
    fail_upgrade: Vec<String>,
    /// Every 5 seconds (a health round's time), this share of stamps (percent) report
    /// another capacity used: how much of a large fleet changes between two rounds.
    #[arg(long, default_value_t = 0)]
    churn_percent: u64,
}

#[derive(Clone)]
struct Upgrade {
    from: String,
    target: String,
    started: Instant,
    started_at: i64,
}

#[derive(Default)]
struct SimStamp {
    version: Option<String>,
    upgrade: Option<Upgrade>,
    capacity_used: u32,
    /// The last churn period this stamp's capacity was rolled for.
    period: u64,
}

/// How often a share of stamps change (`--churn-percent`).
const CHURN_PERIOD: Duration = Duration::from_secs(5);

struct Sim {
    args: Args,
    stamps: Mutex<HashMap<String, SimStamp>>,
    seed: AtomicU64,
    started: Instant,
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Sim {
    /// A pseudo-random number (xorshift: no dependency, good enough for spread).
    fn random(&self) -> u64 {
        let mut x = self
            .seed
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }

    /// The set latency plus jitter.
    async fn delay(&self) {
        let mut jitter = 0;
        if self.args.jitter_ms > 0 {
            jitter = self.random() % (self.args.jitter_ms + 1);
        }
        let wait = self.args.latency_ms + jitter;
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
    }

    /// The churn period now, and how long until the next one begins.
    fn period(&self) -> (u64, Duration) {
        let elapsed = self.started.elapsed();
        let period = (elapsed.as_millis() / CHURN_PERIOD.as_millis()) as u64;
        let next = CHURN_PERIOD * u32::try_from(period + 1).unwrap_or(u32::MAX);
        (period, next.saturating_sub(elapsed))
    }

    /// The stamp's capacity used now: with `--churn-percent`, each period some stamps
    /// report another than in the last.
    fn capacity_used(&self, id: &str) -> u32 {
        let (now, _) = self.period();
        let mut stamps = self.stamps.lock().unwrap_or_else(PoisonError::into_inner);
        let stamp = stamps.entry(id.to_owned()).or_default();
        let missed = now.saturating_sub(stamp.period).min(64);
        stamp.period = now;
        for _ in 0..missed {
            if self.random() % 100 < self.args.churn_percent {
                stamp.capacity_used = (stamp.capacity_used + 1 + (self.random() % 20) as u32) % 900;
            }
        }
        stamp.capacity_used
    }

    fn fails(&self, stamp: &str) -> bool {
        self.args.fail_upgrade.iter().any(|s| s == stamp)
    }

    /// The stamp's upgrade status now (an upgrade past its time has ended).
    fn status(&self, id: &str) -> (UpgradeStatus, Option<Duration>) {
        let mut stamps = self.stamps.lock().unwrap_or_else(PoisonError::into_inner);
        let stamp = stamps.entry(id.to_owned()).or_default();
        let version = stamp
            .version
            .clone()
            .unwrap_or_else(|| self.args.version.clone());
        let Some(up) = stamp.upgrade.clone() else {
            return (
                UpgradeStatus {
                    phase: UpgradePhase::Idle,
                    running_version: version.clone(),
                    from_version: version.clone(),
                    target_version: version,
                    message: String::new(),
                    started_at: 0,
                    finished_at: None,
                },
                None,
            );
        };
        let took = Duration::from_millis(self.args.upgrade_ms);
        let elapsed = up.started.elapsed();
        let failed = self.fails(id);
        let (phase, left) = if elapsed < took {
            (UpgradePhase::Migrating, Some(took - elapsed))
        } else if failed {
            (UpgradePhase::Failed, None)
        } else {
            stamp.version = Some(up.target.clone());
            (UpgradePhase::Done, None)
        };
        let running = stamp
            .version
            .clone()
            .unwrap_or_else(|| self.args.version.clone());
        let finished_at = left
            .is_none()
            .then(|| up.started_at + took.as_secs() as i64);
        (
            UpgradeStatus {
                phase,
                running_version: running,
                from_version: up.from,
                target_version: up.target,
                message: if failed && left.is_none() {
                    "simulated failure".to_owned()
                } else {
                    String::new()
                },
                started_at: up.started_at,
                finished_at,
            },
            left,
        )
    }
}

type Shared = State<Arc<Sim>>;

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(ApiError {
            code: code.to_owned(),
            message: message.to_owned(),
        }),
    )
        .into_response()
}

fn authorized(sim: &Sim, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == sim.args.token)
}

/// `GET /v1/health`, with its `ETag`; given the tag held (`If-None-Match`) and
/// `Prefer: wait=N`, answered on a change (a churn period or an upgrade's end) or with
/// 304 after N seconds, as an agent does.
async fn health(State(sim): Shared, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !authorized(&sim, &headers) {
        return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "unknown token");
    }
    sim.delay().await;
    let header_text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let stamp_protocol::HealthQuestion { held, wait } =
        stamp_protocol::HealthQuestion::from_headers(
            header_text(header::IF_NONE_MATCH.as_str()),
            header_text(stamp_protocol::PREFER),
        );
    let deadline = Instant::now() + wait;
    loop {
        let (status, upgrade_left) = sim.status(&id);
        let health = Health {
            status: StampHealthStatus::Ok,
            stamp_id: id.clone(),
            region: sim.args.region.clone(),
            template_version: status.running_version,
            software_version: env!("CARGO_PKG_VERSION").to_owned(),
            capacity_units_total: 1000,
            capacity_units_used: sim.capacity_used(&id),
            tenant_count: 0,
            error_rate: 0.0,
            detail: None,
        };
        let tag = health.tag();
        if held.as_deref() != Some(tag.as_str()) {
            return ([(header::ETAG, tag)], Json(health)).into_response();
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
        }
        // Nothing changes before the next period or the upgrade's end.
        let (_, next_period) = sim.period();
        let until = upgrade_left.map_or(next_period, |u| u.min(next_period));
        tokio::time::sleep(until.min(left) + Duration::from_millis(1)).await;
    }
}

async fn tenants(State(sim): Shared, headers: HeaderMap) -> Response {
    if !authorized(&sim, &headers) {
        return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "unknown token");
    }
    sim.delay().await;
    Json(Vec::<stamp_protocol::TenantOnStamp>::new()).into_response()
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wait {
    wait_ms: Option<u64>,
}

async fn upgrade_status(
    State(sim): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(wait): Query<Wait>,
) -> Response {
    if !authorized(&sim, &headers) {
        return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "unknown token");
    }
    sim.delay().await;
    let (status, left) = sim.status(&id);
    let wait = Duration::from_millis(wait.wait_ms.unwrap_or(0).min(30_000));
    match left {
        Some(left) if !wait.is_zero() => {
            tokio::time::sleep(left.min(wait)).await;
            Json(sim.status(&id).0).into_response()
        }
        _ => Json(status).into_response(),
    }
}

async fn start_upgrade(
    State(sim): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<StartUpgrade>,
) -> Response {
    if !authorized(&sim, &headers) {
        return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "unknown token");
    }
    sim.delay().await;
    let (current, left) = sim.status(&id);
    if left.is_some() {
        if current.target_version == body.target_version {
            return (StatusCode::ACCEPTED, Json(current)).into_response();
        }
        return refuse(
            StatusCode::CONFLICT,
            "conflict",
            "an upgrade to another version is running",
        );
    }
    if current.running_version == body.target_version {
        return Json(current).into_response();
    }
    {
        let mut stamps = sim.stamps.lock().unwrap_or_else(PoisonError::into_inner);
        let stamp = stamps.entry(id.clone()).or_default();
        stamp.upgrade = Some(Upgrade {
            from: current.running_version.clone(),
            target: body.target_version.clone(),
            started: Instant::now(),
            started_at: now_secs(),
        });
    }
    (StatusCode::ACCEPTED, Json(sim.status(&id).0)).into_response()
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fleet-sim: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fleet-sim: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let sim = Arc::new(Sim {
        args,
        stamps: Mutex::new(HashMap::new()),
        seed: AtomicU64::new(0x2545_F491_4F6C_DD1D),
        started: Instant::now(),
    });
    let app = Router::new()
        .route("/s/{stamp}/v1/health", get(health))
        .route("/s/{stamp}/v1/tenants", get(tenants))
        .route(
            "/s/{stamp}/v1/upgrade",
            get(upgrade_status).post(start_upgrade),
        )
        .with_state(sim);
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{addr}")
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    drop(out);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("serve: {e}"))
}
