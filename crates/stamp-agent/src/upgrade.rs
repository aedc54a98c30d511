//! Template version upgrades (and downgrades): `POST /v1/upgrade` starts one, answered at
//! once; `GET /v1/upgrade` polls it. The stamp runs the migration step on its own data
//! in one transaction (recording the new version with it), then restarts into that
//! version: it stops taking new connections, lets the running requests end, closes its
//! store and opens it again under the new version on the same listening socket, so
//! requests arriving meanwhile wait in the socket's queue and none fails. A stamp
//! killed mid-way settles at its next start: the migration either committed (done) or
//! did not (failed, data untouched); asking again is safe.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use sqlx::SqlitePool;
use stamp_protocol::{StartUpgrade, UpgradePhase, UpgradeStatus};

use crate::agent::{Agent, Shared};
use crate::callers::AdminCaller;
use crate::error::Failure;
use crate::idempotency;
use crate::mutation::{mutate, MutationRequest};
use crate::request::{json_text, parse};
use crate::store::now_secs;

/// Test faults, named as such: `fail-upgrade=V` makes an upgrade to V fail in its
/// migration step; `unhealthy-after-upgrade=V` makes the stamp report itself degraded and
/// answer its tenants' requests with 500 while it runs V. A `STAMP_ID:` prefix limits a
/// fault to that stamp, so one variable can be given to a whole demo fleet.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    fail_upgrade_to: Vec<String>,
    unhealthy_on: Vec<String>,
}

impl Faults {
    /// Reads `--fault` values (comma-separated lists too) for stamp `stamp_id`.
    pub fn parse(values: &[String], stamp_id: &str) -> Result<Self, String> {
        let mut faults = Faults::default();
        for value in values.iter().flat_map(|v| v.split(',')).map(str::trim) {
            if value.is_empty() {
                continue;
            }
            let (target, fault) = match value.split_once(':') {
                Some((stamp, rest)) => (Some(stamp), rest),
                None => (None, value),
            };
            let Some((kind, version)) = fault.split_once('=') else {
                return Err(format!("--fault {value:?}: expected KIND=VERSION"));
            };
            fleet_core::TemplateVersion::new(version)
                .map_err(|e| format!("--fault {value:?}: {e}"))?;
            let list = match kind {
                "fail-upgrade" => &mut faults.fail_upgrade_to,
                "unhealthy-after-upgrade" => &mut faults.unhealthy_on,
                other => {
                    return Err(format!(
                        "--fault {value:?}: unknown fault {other:?} (fail-upgrade, unhealthy-after-upgrade)"
                    ))
                }
            };
            if target.is_none_or(|t| t == stamp_id) {
                list.push(version.to_owned());
            }
        }
        Ok(faults)
    }

    pub fn unhealthy_on(&self, version: &str) -> bool {
        self.unhealthy_on.iter().any(|v| v == version)
    }
}

/// The template version the stamp runs: the last one migrated to, else the one it was
/// provisioned from.
pub async fn running_version(pool: &SqlitePool, provisioned: &str) -> Result<String, String> {
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT value FROM meta WHERE key = 'template_version'")
            .fetch_optional(pool)
            .await
            .map_err(|e| format!("reading the stamp's version: {e}"))?;
    Ok(stored.map_or_else(|| provisioned.to_owned(), |(v,)| v))
}

/// At start: an upgrade left migrating or restarting by a restart or a kill ends here,
/// done when its migration committed, failed otherwise.
pub async fn settle(pool: &SqlitePool, running: &str) -> Result<(), String> {
    let err = |e: sqlx::Error| format!("settling the last upgrade: {e}");
    let open: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, target_version FROM upgrades WHERE phase IN ('migrating', 'restarting')",
    )
    .fetch_all(pool)
    .await
    .map_err(err)?;
    for (id, target) in open {
        let (phase, message) = if target == running {
            ("done", format!("running {target}"))
        } else {
            (
                "failed",
                "interrupted before its migration committed; nothing changed".to_owned(),
            )
        };
        sqlx::query("UPDATE upgrades SET phase = ?1, message = ?2, finished_at = ?3 WHERE id = ?4")
            .bind(phase)
            .bind(message)
            .bind(now_secs())
            .bind(id)
            .execute(pool)
            .await
            .map_err(err)?;
    }
    Ok(())
}

type Row = (String, String, String, String, i64, Option<i64>);
/// An upgrade's row with its id, as the store reads it.
type IdRow = (i64, String, String, String, String, i64, Option<i64>);

fn status(row: Option<Row>, running: &str) -> Result<UpgradeStatus, Failure> {
    let Some((from, target, phase, message, started_at, finished_at)) = row else {
        return Ok(UpgradeStatus {
            phase: UpgradePhase::Idle,
            running_version: running.to_owned(),
            from_version: running.to_owned(),
            target_version: running.to_owned(),
            message: String::new(),
            started_at: 0,
            finished_at: None,
        });
    };
    let phase = UpgradePhase::parse(&phase)
        .ok_or_else(|| Failure::internal(format!("stored upgrade phase {phase:?} is unknown")))?;
    Ok(UpgradeStatus {
        phase,
        running_version: running.to_owned(),
        from_version: from,
        target_version: target,
        message,
        started_at,
        finished_at,
    })
}

async fn latest(conn: &mut sqlx::SqliteConnection) -> Result<Option<(i64, Row)>, sqlx::Error> {
    let row: Option<IdRow> = sqlx::query_as(
        "SELECT id, from_version, target_version, phase, message, started_at, finished_at \
         FROM upgrades ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, a, b, c, d, e, f)| (id, (a, b, c, d, e, f))))
}

/// `GET /v1/upgrade?waitMs=N`: with `waitMs`, the answer waits (up to 30 s) until the
/// latest upgrade has ended, so a caller learns of the end at once without polling fast.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StatusQuery {
    wait_ms: Option<u64>,
}

const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
const WAIT_STEP: std::time::Duration = std::time::Duration::from_millis(10);

pub(crate) async fn upgrade_status(
    _: AdminCaller,
    State(agent): Shared,
    query: Result<axum::extract::Query<StatusQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let axum::extract::Query(query) = query.map_err(|e| Failure::invalid(e.body_text()))?;
    let wait_ms = query.wait_ms.unwrap_or(0);
    stamp_protocol::rules::check_wait_ms(wait_ms).map_err(Failure::rule)?;
    let wait = std::time::Duration::from_millis(wait_ms).min(MAX_WAIT);
    let started = tokio::time::Instant::now();
    loop {
        let mut conn = agent.pool.acquire().await?;
        let row = latest(&mut conn).await?.map(|(_, row)| row);
        drop(conn);
        // Read from the store: a restart into the new version may have happened since
        // this request began (this round's identity is then the old one).
        let running = running_version(&agent.pool, &agent.identity.template_version)
            .await
            .map_err(Failure::internal)?;
        let status = status(row, &running)?;
        if status.phase.finished() || started.elapsed() >= wait {
            return Ok(idempotency::respond(200, json_text(&status)?));
        }
        tokio::time::sleep(WAIT_STEP).await;
    }
}

pub(crate) async fn start_upgrade(
    _: AdminCaller,
    State(agent): Shared,
    req: MutationRequest,
    body: Bytes,
) -> Result<Response, Failure> {
    let request: StartUpgrade = parse(&body)?;
    stamp_protocol::rules::check_template_version("targetVersion", &request.target_version)
        .map_err(Failure::rule)?;
    let running = agent.identity.template_version.clone();
    let target = request.target_version.clone();
    let mut started = None;
    let started_ref = &mut started;
    let (code, text) = mutate(&agent, &req, &body, async move |conn| {
        if let Some((id, row)) = latest(conn).await? {
            let current = status(Some(row), &running)?;
            if !current.phase.finished() {
                if current.target_version == target {
                    return Ok((202, json_text(&current)?));
                }
                return Err(Failure::conflict(format!(
                    "upgrade {id} to {} is running; ask again when it ends",
                    current.target_version
                )));
            }
            if target == running && current.target_version == running {
                return Ok((200, json_text(&current)?));
            }
        }
        if target == running {
            return Ok((200, json_text(&status(None, &running)?)?));
        }
        let now = now_secs();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO upgrades (from_version, target_version, phase, message, started_at) \
             VALUES (?1, ?2, 'migrating', 'migrating the stamp''s data', ?3) RETURNING id",
        )
        .bind(&running)
        .bind(&target)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        *started_ref = Some(id);
        let row = latest(conn).await?.map(|(_, row)| row);
        Ok((202, json_text(&status(row, &running)?)?))
    })
    .await?;
    if let Some(id) = started {
        let agent = agent.clone();
        tokio::spawn(async move { run(&agent, id, request.target_version).await });
    }
    Ok(idempotency::respond(code, text))
}

/// The upgrade itself: the migration step, then the restart.
async fn run(agent: &Agent, id: i64, target: String) {
    if !agent.upgrade_delay.is_zero() {
        tokio::time::sleep(agent.upgrade_delay).await;
    }
    match migrate(agent, id, &target).await {
        Ok(()) => {
            tracing::info!(upgrade = id, %target, "migrated; restarting into it");
            // The next round settles this upgrade as done (its version is stored).
            match crate::rounds::restart(&agent.launch).await {
                Ok(version) => tracing::info!(upgrade = id, %version, "restarted into version"),
                Err(e) => tracing::error!(upgrade = id, "restarting into {target}: {e}"),
            }
        }
        Err(message) => {
            tracing::warn!(upgrade = id, %target, %message, "upgrade failed");
            let _writer = agent.writer.lock().await;
            let saved = sqlx::query(
                "UPDATE upgrades SET phase = 'failed', message = ?1, finished_at = ?2 WHERE id = ?3",
            )
            .bind(&message)
            .bind(now_secs())
            .bind(id)
            .execute(&agent.pool)
            .await;
            if let Err(e) = saved {
                tracing::error!(upgrade = id, "recording the upgrade's failure: {e}");
            }
        }
    }
}

/// The migration step, in one transaction: checks the data, records the version the
/// data is now at, and the version the stamp runs from its next start.
async fn migrate(agent: &Agent, id: i64, target: &str) -> Result<(), String> {
    let _writer = agent.writer.lock().await;
    let err = |e: sqlx::Error| format!("migration step: {e}");
    let mut tx = agent.pool.begin().await.map_err(err)?;
    let (check,): (String,) = sqlx::query_as("PRAGMA quick_check")
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
    if check != "ok" {
        return Err(format!("the stamp's data fails its check: {check}"));
    }
    let (tenants,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tenants")
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
    sqlx::query(
        "INSERT INTO version_history (upgrade, version, from_version, tenants, applied_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(id)
    .bind(target)
    .bind(&agent.identity.template_version)
    .bind(tenants)
    .bind(now_secs())
    .execute(&mut *tx)
    .await
    .map_err(err)?;
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('template_version', ?1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(target)
    .execute(&mut *tx)
    .await
    .map_err(err)?;
    sqlx::query("UPDATE upgrades SET phase = 'restarting', message = ?1 WHERE id = ?2")
        .bind(format!("restarting into {target}"))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(err)?;
    if agent.faults.fail_upgrade_to.iter().any(|v| v == target) {
        // Rolled back with the transaction: the data stays as it was.
        return Err(format!(
            "migration step to {target} failed (injected test fault fail-upgrade={target})"
        ));
    }
    tx.commit().await.map_err(err)?;
    Ok(())
}
