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

use std::time::Instant;

use catalogue::MovePhase;
use fleet_core::{StampId, TenantId};
use serde::{Deserialize, Serialize};
use stamp_client::ClientError;
use stamp_protocol::ImportSync;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::move_pull::Pull;
use crate::test_hooks::crash_point;

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
    pub phase: MovePhase,
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
    /// Random per operation, in every Idempotency-Key it sends: nobody can guess the
    /// keys ahead and take them (a tenant of the same stamp could otherwise block the
    /// move's steps). Journaled with the move, so a retry or a resume sends the same
    /// keys. Moves journaled before it existed have none.
    #[serde(default)]
    pub nonce: String,
}

impl MoveParams {
    /// The Idempotency-Key of this move's `step`.
    pub(crate) fn key(&self, op: i64, step: &str) -> String {
        if self.nonce.is_empty() {
            format!("move-{op}-{step}")
        } else {
            format!("move-{op}-{}-{step}", self.nonce)
        }
    }
}

/// Lag (changes) below which the source is frozen for the final catch-up.
const FREEZE_AT_LAG: u64 = 200;
/// How long a freeze lasts unless renewed (by a catch-up round): a move whose
/// process went away leaves the tenant writable again after this.
pub(crate) const FREEZE_LEASE_SECS: u32 = 30;
/// Rounds of catch-up without a new smallest lag after which the move freezes anyway.
const STALLED_ROUNDS: u32 = 5;

pub(crate) fn stamp_error(stamp: &StampId, e: ClientError) -> OpsError {
    OpsError::conflict(format!("stamp {stamp}: {e}"))
}

/// Held while a process runs a move or a plan apply: another process (a resume, a
/// cancel, another operator) can tell a live run from one a killed process left behind.
/// A lock file beside a catalogue file, or a lease in a team catalogue's database; the
/// OS, or the server, lets it go with the process.
pub(crate) enum RunLock {
    File(#[allow(dead_code)] std::fs::File),
    Lease(#[allow(dead_code)] catalogue::RunLease),
}

impl Fleet {
    pub(crate) async fn try_lock_move(&self, operation: i64) -> OpsResult<Option<RunLock>> {
        self.try_run_lock(&format!("move-{operation}")).await
    }

    /// Takes run `name`'s lock; None while another run (any process) holds it.
    pub(crate) async fn try_run_lock(&self, name: &str) -> OpsResult<Option<RunLock>> {
        if self.catalogue.backend() == catalogue::Backend::Postgres {
            let lease = self.catalogue.try_run_lease(name).await?;
            return Ok(lease.map(RunLock::Lease));
        }
        let path = self.home.join("locks").join(format!("{name}.lock"));
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
            Ok(()) => Ok(Some(RunLock::File(file))),
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
        self.refuse_in_snapshot("move a tenant").await?;
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
            nonce: String::new(),
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
        let params = &MoveParams {
            nonce: crate::secrets::new_token()?[..32].to_owned(),
            ..params.clone()
        };
        let text = serde_json::to_string(&params).map_err(|e| OpsError::internal(e.to_string()))?;
        let op = self
            .catalogue
            .begin_move(&params.tenant, &params.from, &params.to, version, &text)
            .await?;
        crash_point("planned");
        let Some(_lock) = self.try_lock_move(op).await? else {
            return Err(OpsError::conflict(format!(
                "move {op} is run by another process"
            )));
        };
        self.run_move(op, params, progress).await
    }

    /// The target passes placement for this tenant (health checked now).
    async fn check_move_target(&self, tenant: &fleet_core::Tenant, to: &StampId) -> OpsResult<()> {
        let fleet = self.placement_fleet().await?;
        let request = fleet_core::placement::PlacementRequest::new(tenant.clone());
        let policy = fleet_core::placement::PlacementPolicy::default();
        fleet_core::placement::check_target(&fleet, &request, to, &policy).map_err(|why| {
            if fleet.candidate_index(to).is_none() {
                OpsError::invalid(why)
            } else {
                OpsError::conflict(why)
            }
        })
    }

    pub(crate) async fn step(&self, op: i64, step: MovePhase, detail: &str) -> OpsResult<()> {
        self.catalogue
            .journal(
                op,
                catalogue::OperationState::Running,
                step.as_str(),
                detail,
            )
            .await?;
        crash_point(step.as_str());
        Ok(())
    }

    pub(crate) async fn run_move(
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
            phase: MovePhase::Importing,
            percent: 5,
            copied_keys: 0,
            copied_bytes: 0,
            lag: 0,
            freeze_ms: None,
        };
        let mut frozen_since = None;
        let mut cut_over_turn = None;
        let on_target = self.catalogue.binding(&p.tenant).await?.map(|b| b.0);
        // Fenced already (a run stopped between the fence and the flip): past the point
        // of no return, the flip is only bookkeeping left to do.
        let sealed = on_target.as_ref() != Some(&p.to) && self.source_fenced(p).await;
        if sealed {
            self.catalogue
                .flip_binding(op, &p.tenant, &p.from, &p.to, p.version, "move")
                .await?;
        } else if on_target.as_ref() != Some(&p.to) {
            self.step(op, MovePhase::Importing, "").await?;
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
            // The source's key count (kept current, so free to ask) scales the bar.
            let total_keys = source
                .checksum(p.tenant.as_str())
                .await
                .map_err(|e| stamp_error(&p.from, e))?
                .keys;
            let mut pull = Pull {
                target: &target,
                sync: &sync,
                round: 0,
                total_keys,
                leased_at: None,
            };
            // Freeze once the lag is small, or once it has stopped shrinking: a writer
            // faster than the copy (large values) would otherwise keep the move here for
            // ever; the freeze holds that writer back while the rest is copied.
            use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
            let best = AtomicU64::new(u64::MAX);
            let stalled = AtomicU32::new(0);
            let importing_since = Instant::now();
            self.pull_until(
                op,
                p,
                &mut pull,
                &mut report,
                progress,
                true,
                None,
                |got, lag| {
                    if !got.snapshot_done {
                        return false; // the catch-up is counted from the snapshot's end
                    }
                    if crate::test_hooks::held_in_importing(importing_since) {
                        return false;
                    }
                    if lag < best.load(Relaxed) {
                        best.store(lag, Relaxed);
                        stalled.store(0, Relaxed);
                    } else {
                        stalled.fetch_add(1, Relaxed);
                    }
                    lag <= FREEZE_AT_LAG || stalled.load(Relaxed) >= STALLED_ROUNDS
                },
            )
            .await?;
            // Writes pause from the freeze to the activation: wait for a turn first (the
            // tenant still takes writes), then catch up on what it took meanwhile.
            let (turn, waited) = self.cut_over_turns.take(&p.from).await;
            cut_over_turn = turn;
            if waited {
                self.pull_until(
                    op,
                    p,
                    &mut pull,
                    &mut report,
                    progress,
                    true,
                    None,
                    |_, _| true,
                )
                .await?;
            }
            self.check_cancel(op).await?;
            self.step(op, MovePhase::Freezing, "").await?;
            let frozen_at = Instant::now();
            // A lease: if this process goes away, the source takes writes again by itself.
            source
                .freeze(p.tenant.as_str(), FREEZE_LEASE_SECS, &p.key(op, "freeze"))
                .await
                .map_err(|e| stamp_error(&p.from, e))?;
            pull.leased_at = Some(frozen_at);
            self.step(op, MovePhase::CatchingUp, "").await?;
            report.phase = MovePhase::CatchingUp;
            report.percent = 75;
            self.pull_until(
                op,
                p,
                &mut pull,
                &mut report,
                progress,
                false,
                Some(&source),
                |got, lag| got.source_frozen && got.snapshot_done && lag == 0,
            )
            .await?;
            self.step(op, MovePhase::Verifying, "").await?;
            report.phase = MovePhase::Verifying;
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
            // The source stops for good before the binding flips: fenced, it redirects
            // to the target, and it can only be fenced while its freeze lease runs.
            self.step(op, MovePhase::Fencing, "").await?;
            source
                .fence(p.tenant.as_str(), target.endpoint(), &p.key(op, "fence"))
                .await
                .map_err(|e| stamp_error(&p.from, e))?;
            if let Err(e) = self
                .catalogue
                .flip_binding(op, &p.tenant, &p.from, &p.to, p.version, "move")
                .await
            {
                // Past the fence there is only forward: the target takes the writes even
                // though the catalogue could not record the flip (the source redirects
                // there); a resume records it.
                let e = OpsError::from(e);
                let forward = self.finish_cut_over(op, p, &source, &target, true).await;
                return Err(OpsError::new(
                    e.code,
                    format!(
                        "{} is fenced on {} and {} on {}, but the catalogue could not record the cut-over: {}; `stampctl resume` records it",
                        p.tenant,
                        p.from,
                        if forward.is_ok() { "active" } else { "not yet active" },
                        p.to,
                        e.message
                    ),
                ));
            }
            crash_point("flipped");
            frozen_since = Some(frozen_at);
        }
        let activated = self
            .finish_cut_over(op, p, &source, &target, frozen_since.is_some())
            .await?;
        drop(cut_over_turn);
        // Writes were refused from the freeze until the target took them (activation).
        report.freeze_ms = frozen_since.map(|t| activated.duration_since(t).as_millis() as u64);
        report.phase = MovePhase::Done;
        report.percent = 100;
        report.lag = 0;
        progress(report.clone());
        Ok(report)
    }
}
