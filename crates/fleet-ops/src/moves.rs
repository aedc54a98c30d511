//! Moving a tenant between stamps with no acknowledged write lost. The target pulls the
//! tenant straight from the source (a transfer token authorizes it); this side steers
//! and journals every step before it runs:
//!
//! planned -> importing -> freezing -> catching-up -> verifying -> flipped (binding
//! compare-and-swap, same transaction as the journal) -> activating -> fencing -> done
//!
//! Before `flipped` the source is the tenant's home: a move killed there is rolled back
//! at the next start (target copy dropped, source unfrozen), or resumed on request.
//! From `flipped` on the target is the home: the move always goes forward. At every
//! instant at most one stamp accepts the tenant's writes: the source stops (freeze)
//! before the target starts (activate, after the flip).

use std::path::PathBuf;
use std::time::Instant;

use catalogue::MOVE_KIND;
use fleet_core::{StampId, TenantId};
use serde::{Deserialize, Serialize};
use stamp_client::{ClientError, StampClient};
use stamp_protocol::ImportSync;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

/// Move a tenant to another stamp.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveTenant {
    pub tenant: TenantId,
    pub to: StampId,
}

/// Where a move stands, for the progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveProgress {
    #[ts(type = "number")]
    pub operation: i64,
    pub tenant: TenantId,
    pub from: StampId,
    pub to: StampId,
    pub phase: String,
    pub percent: u8,
    #[ts(type = "number")]
    pub copied_keys: u64,
    #[ts(type = "number")]
    pub copied_bytes: u64,
    /// Changes the target is behind the source.
    #[ts(type = "number")]
    pub lag: u64,
    /// How long writes were refused (freeze to fence), once the cut-over is done.
    #[ts(type = "number | null")]
    pub freeze_ms: Option<u64>,
}

pub type MoveProgressFn<'a> = &'a (dyn Fn(MoveProgress) + Send + Sync);

/// What a move needs to resume.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MoveParams {
    pub tenant: TenantId,
    pub from: StampId,
    pub to: StampId,
    pub version: i64,
    pub display_name: String,
    pub size_units: u32,
}

/// Lag (changes) below which the source is frozen for the final catch-up.
const FREEZE_AT_LAG: u64 = 200;

/// Test hook, named as such: `STAMPFLEET_CRASH_AT=<step>` aborts the process right after
/// that step is journaled, as a `kill -9` at that instant would (the fault suite's way
/// of killing the orchestrator at every journal step).
fn crash_point(step: &str) {
    if std::env::var("STAMPFLEET_CRASH_AT").is_ok_and(|s| s == step) {
        std::process::abort();
    }
}

fn stamp_error(stamp: &StampId, e: ClientError) -> OpsError {
    OpsError::conflict(format!("stamp {stamp}: {e}"))
}

/// Held while a process runs a move: another process (a resume, a cancel) can tell a
/// live run from one a killed process left behind. The OS drops it with the process.
struct RunLock(#[allow(dead_code)] std::fs::File);

impl Fleet {
    fn move_lock_path(&self, operation: i64) -> PathBuf {
        self.home
            .join("locks")
            .join(format!("move-{operation}.lock"))
    }

    fn try_lock_move(&self, operation: i64) -> OpsResult<Option<RunLock>> {
        let path = self.move_lock_path(operation);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| OpsError::internal(format!("{}: {e}", dir.display())))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| OpsError::internal(format!("{}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(RunLock(file))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(OpsError::internal(format!("{}: {e}", path.display())))
            }
        }
    }

    /// Starts and runs a move; the target must pass placement.
    pub async fn move_tenant(
        &self,
        request: &MoveTenant,
        progress: MoveProgressFn<'_>,
    ) -> OpsResult<MoveProgress> {
        let view = self
            .tenant(&request.tenant)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no tenant {}", request.tenant)))?;
        let (from, version) = self
            .catalogue
            .binding(&request.tenant)
            .await?
            .ok_or_else(|| OpsError::conflict(format!("{} lives on no stamp", request.tenant)))?;
        if from == request.to {
            return Err(OpsError::invalid(format!(
                "{} already lives on {from}",
                request.tenant
            )));
        }
        if view.tenant.pinned {
            return Err(OpsError::conflict(format!(
                "{} is pinned to {from}: unpin it before moving it",
                request.tenant
            )));
        }
        self.check_move_target(&view.tenant, &request.to).await?;
        let params = MoveParams {
            tenant: request.tenant.clone(),
            from,
            to: request.to.clone(),
            version,
            display_name: view.tenant.display_name.clone(),
            size_units: view.tenant.size_units,
        };
        self.start_move(&params, progress).await
    }

    /// Journals and runs a move whose target was already chosen by placement.
    pub(crate) async fn start_move(
        &self,
        params: &MoveParams,
        progress: MoveProgressFn<'_>,
    ) -> OpsResult<MoveProgress> {
        let version = params.version;
        let text = serde_json::to_string(&params).map_err(|e| OpsError::internal(e.to_string()))?;
        let op = self
            .catalogue
            .begin_move(&params.tenant, &params.from, &params.to, version, &text)
            .await?;
        crash_point("planned");
        let Some(_lock) = self.try_lock_move(op)? else {
            return Err(OpsError::conflict(format!(
                "move {op} is run by another process"
            )));
        };
        self.run_move(op, params, progress).await
    }

    /// The target passes placement for this tenant (health checked now).
    async fn check_move_target(&self, tenant: &fleet_core::Tenant, to: &StampId) -> OpsResult<()> {
        let fleet = self.placement_fleet().await?;
        let policy = fleet_core::placement::PlacementPolicy::default();
        let request = fleet_core::placement::PlacementRequest::new(tenant.clone());
        let decision = fleet_core::placement::place(&fleet, &request, &policy);
        if let Some(r) = decision.rejected.iter().find(|r| &r.stamp == to) {
            return Err(OpsError::conflict(format!(
                "{to} cannot take {}: {}",
                tenant.id, r.reason
            )));
        }
        if fleet.candidate_index(to).is_none() {
            return Err(OpsError::invalid(format!("no stamp {to}")));
        }
        Ok(())
    }

    async fn step(&self, op: i64, step: &str, detail: &str) -> OpsResult<()> {
        self.catalogue.journal(op, "running", step, detail).await?;
        crash_point(step);
        Ok(())
    }

    async fn run_move(
        &self,
        op: i64,
        p: &MoveParams,
        progress: MoveProgressFn<'_>,
    ) -> OpsResult<MoveProgress> {
        match self.copy_and_cut_over(op, p, progress).await {
            Ok(done) => Ok(done),
            Err(e) => {
                // Past the flip there is no way back: leave it running for a resume.
                if self
                    .catalogue
                    .binding(&p.tenant)
                    .await?
                    .map(|b| b.0)
                    .as_ref()
                    == Some(&p.to)
                {
                    return Err(e);
                }
                let why = e.message.clone();
                match self.roll_back(op, p, &why).await {
                    Ok(()) => Err(OpsError::conflict(format!(
                        "move of {} rolled back: {why}",
                        p.tenant
                    ))),
                    Err(r) => Err(OpsError::conflict(format!(
                        "move of {} failed ({why}) and could not be rolled back yet ({}); it is retried at the next start",
                        p.tenant, r.message
                    ))),
                }
            }
        }
    }

    async fn copy_and_cut_over(
        &self,
        op: i64,
        p: &MoveParams,
        progress: MoveProgressFn<'_>,
    ) -> OpsResult<MoveProgress> {
        let source = self.stamp_client(&p.from).await?;
        let target = self.stamp_client(&p.to).await?;
        let mut report = MoveProgress {
            operation: op,
            tenant: p.tenant.clone(),
            from: p.from.clone(),
            to: p.to.clone(),
            phase: "importing".to_owned(),
            percent: 5,
            copied_keys: 0,
            copied_bytes: 0,
            lag: 0,
            freeze_ms: None,
        };
        let mut frozen_since = None;
        let on_target = self.catalogue.binding(&p.tenant).await?.map(|b| b.0);
        if on_target.as_ref() != Some(&p.to) {
            self.step(op, "importing", "").await?;
            progress(report.clone());
            let grant = source
                .transfer_grant(p.tenant.as_str())
                .await
                .map_err(|e| stamp_error(&p.from, e))?;
            let sync = ImportSync {
                source: source.endpoint().to_owned(),
                transfer_token: grant.token,
                display_name: p.display_name.clone(),
                size_units: p.size_units,
            };
            let mut round = 0u32;
            loop {
                self.check_cancel(op).await?;
                round += 1;
                let got = target
                    .import_sync(p.tenant.as_str(), &sync, &format!("move-{op}-sync-{round}"))
                    .await
                    .map_err(|e| stamp_error(&p.to, e))?;
                report.copied_keys += got.copied_keys;
                report.copied_bytes += got.copied_bytes;
                report.lag = got.source_seq.saturating_sub(got.applied_seq);
                report.percent = if got.snapshot_done { 60 } else { 30 };
                progress(report.clone());
                if got.snapshot_done && report.lag <= FREEZE_AT_LAG {
                    break;
                }
            }
            self.check_cancel(op).await?;
            self.step(op, "freezing", "").await?;
            let frozen_at = Instant::now();
            source
                .tenant_step(p.tenant.as_str(), "freeze", &format!("move-{op}-freeze"))
                .await
                .map_err(|e| stamp_error(&p.from, e))?;
            self.step(op, "catching-up", "").await?;
            report.phase = "catching-up".to_owned();
            report.percent = 75;
            loop {
                round += 1;
                let got = target
                    .import_sync(p.tenant.as_str(), &sync, &format!("move-{op}-sync-{round}"))
                    .await
                    .map_err(|e| stamp_error(&p.to, e))?;
                report.copied_keys += got.copied_keys;
                report.copied_bytes += got.copied_bytes;
                report.lag = got.source_seq.saturating_sub(got.applied_seq);
                progress(report.clone());
                if got.source_frozen && got.snapshot_done && report.lag == 0 {
                    break;
                }
            }
            self.step(op, "verifying", "").await?;
            report.phase = "verifying".to_owned();
            report.percent = 85;
            progress(report.clone());
            let a = source
                .checksum(p.tenant.as_str())
                .await
                .map_err(|e| stamp_error(&p.from, e))?;
            let b = target
                .checksum(p.tenant.as_str())
                .await
                .map_err(|e| stamp_error(&p.to, e))?;
            if (a.keys, a.seq, &a.digest) != (b.keys, b.seq, &b.digest) {
                return Err(OpsError::conflict(format!(
                    "the copies differ: source {} keys at {} ({}), target {} keys at {} ({})",
                    a.keys, a.seq, a.digest, b.keys, b.seq, b.digest
                )));
            }
            self.check_cancel(op).await?;
            self.catalogue
                .flip_binding(op, &p.tenant, &p.from, &p.to, p.version, "move")
                .await?;
            crash_point("flipped");
            frozen_since = Some(frozen_at);
        }
        self.finish_cut_over(op, p, &source, &target).await?;
        // Writes were refused from the freeze until the source redirects (the fence).
        report.freeze_ms = frozen_since.map(|t| t.elapsed().as_millis() as u64);
        report.phase = "done".to_owned();
        report.percent = 100;
        report.lag = 0;
        progress(report.clone());
        Ok(report)
    }

    /// After the flip: the target takes writes, the source redirects to it.
    async fn finish_cut_over(
        &self,
        op: i64,
        p: &MoveParams,
        source: &StampClient,
        target: &StampClient,
    ) -> OpsResult<()> {
        self.step(op, "activating", "").await?;
        target
            .tenant_step(
                p.tenant.as_str(),
                "activate",
                &format!("move-{op}-activate"),
            )
            .await
            .map_err(|e| stamp_error(&p.to, e))?;
        self.step(op, "fencing", "").await?;
        source
            .fence(
                p.tenant.as_str(),
                target.endpoint(),
                &format!("move-{op}-fence"),
            )
            .await
            .map_err(|e| stamp_error(&p.from, e))?;
        self.catalogue
            .journal(
                op,
                "succeeded",
                "done",
                &format!("{} moved from {} to {}", p.tenant, p.from, p.to),
            )
            .await?;
        Ok(())
    }

    async fn check_cancel(&self, op: i64) -> OpsResult<()> {
        if self.catalogue.cancel_requested(op).await? {
            return Err(OpsError::conflict("cancelled by the operator"));
        }
        Ok(())
    }

    /// Before the flip: drop the target's copy, unfreeze the source. Repeatable.
    async fn roll_back(&self, op: i64, p: &MoveParams, why: &str) -> OpsResult<()> {
        self.catalogue
            .journal(op, "running", "rolling-back", why)
            .await?;
        crash_point("rolling-back");
        let target = self.stamp_client(&p.to).await?;
        let source = self.stamp_client(&p.from).await?;
        let copies = target.tenants().await.map_err(|e| stamp_error(&p.to, e))?;
        let here = copies.iter().find(|t| t.id == p.tenant.as_str());
        if here.is_some_and(|t| t.state == stamp_protocol::TenantState::Importing) {
            target
                .deprovision_tenant(p.tenant.as_str(), &format!("move-{op}-drop"))
                .await
                .map_err(|e| stamp_error(&p.to, e))?;
        }
        source
            .tenant_step(
                p.tenant.as_str(),
                "unfreeze",
                &format!("move-{op}-unfreeze"),
            )
            .await
            .map_err(|e| stamp_error(&p.from, e))?;
        self.catalogue
            .journal(
                op,
                "failed",
                "rolled-back",
                "source unfrozen, target copy dropped",
            )
            .await?;
        Ok(())
    }

    /// Finishes the moves a killed process left: forward past the flip, back before it
    /// (or forward when `resume` asks). Moves another live process runs are left alone.
    pub async fn recover_moves(&self, resume: bool) -> OpsResult<Vec<String>> {
        let mut outcomes = Vec::new();
        for op in self.catalogue.running_operations().await? {
            if op.kind != MOVE_KIND {
                continue;
            }
            let Some(_lock) = self.try_lock_move(op.id)? else {
                continue;
            };
            let p: MoveParams = match serde_json::from_str(&op.params) {
                Ok(p) => p,
                Err(e) => {
                    let why = format!("unreadable move parameters: {e}");
                    self.catalogue
                        .journal(op.id, "failed", "failed", &why)
                        .await?;
                    outcomes.push(format!("move {}: {why}", op.id));
                    continue;
                }
            };
            let flipped =
                self.catalogue.binding(&p.tenant).await?.map(|b| b.0) == Some(p.to.clone());
            let cancelled = self.catalogue.cancel_requested(op.id).await?;
            let result = if flipped || (resume && !cancelled) {
                self.run_move(op.id, &p, &|_| {})
                    .await
                    .map(|_| "finished".to_owned())
            } else {
                self.roll_back(op.id, &p, "interrupted before the cut-over")
                    .await
                    .map(|()| "rolled back".to_owned())
            };
            outcomes.push(match result {
                Ok(how) => format!("move {} of {}: {how}", op.id, p.tenant),
                Err(e) => format!("move {} of {}: {}", op.id, p.tenant, e.message),
            });
        }
        Ok(outcomes)
    }

    /// Asks a move to stop before its cut-over; when no process runs it, rolls it back now.
    pub async fn cancel_move(&self, operation: i64) -> OpsResult<String> {
        let op = self
            .catalogue
            .operation(operation)
            .await?
            .filter(|o| o.kind == MOVE_KIND)
            .ok_or_else(|| OpsError::invalid(format!("no move {operation}")))?;
        if op.state != "running" {
            return Err(OpsError::conflict(format!(
                "move {operation} is {}",
                op.state
            )));
        }
        let p: MoveParams =
            serde_json::from_str(&op.params).map_err(|e| OpsError::internal(e.to_string()))?;
        if self.catalogue.binding(&p.tenant).await?.map(|b| b.0) == Some(p.to.clone()) {
            return Err(OpsError::conflict(format!(
                "move {operation} has cut over to {}: move the tenant back instead",
                p.to
            )));
        }
        self.catalogue.request_cancel(operation).await?;
        match self.try_lock_move(operation)? {
            None => Ok(format!(
                "move {operation}: cancel requested; the running move stops before its cut-over"
            )),
            Some(_lock) => {
                self.roll_back(operation, &p, "cancelled by the operator")
                    .await?;
                Ok(format!("move {operation}: rolled back"))
            }
        }
    }
}
