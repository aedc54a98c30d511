//! Draining a stamp: mark it draining (placement then skips it), choose a target for
//! every tenant on it with placement (as one batch, so targets are not overfilled), and
//! move them, several at once under a concurrency limit. Pinned tenants and tenants no
//! stamp can take stay, and are reported.

use std::sync::Mutex;

use fleet_core::placement::{place, Outcome, PlacementPolicy, PlacementRequest};
use fleet_core::{StampId, StampStatus, TenantId, TenantQuery};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::moves::{MoveParams, MoveProgress};

/// Drain a stamp, `concurrency` moves at a time (default 4).
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DrainStamp {
    pub stamp: StampId,
    #[serde(default)]
    pub concurrency: Option<u32>,
    /// Tenants the operator keeps on the stamp (unticked in the preview); they stay.
    #[serde(default)]
    #[ts(as = "Option<Vec<TenantId>>", optional)]
    pub keep: Vec<TenantId>,
}

/// One tenant's place in a drain.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DrainItem {
    pub tenant: TenantId,
    /// Where placement sent it; none when nothing can take it.
    pub to: Option<StampId>,
    /// planned | moving | moved | failed | stays
    pub state: String,
    pub message: String,
}

/// A drain's progress: every tenant's state, and the latest move event.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DrainProgress {
    pub stamp: StampId,
    pub items: Vec<DrainItem>,
    pub moved: u32,
    pub failed: u32,
    pub stays: u32,
    pub last: Option<MoveProgress>,
}

impl DrainProgress {
    fn set(&mut self, tenant: &TenantId, state: &str, message: String) {
        if let Some(item) = self.items.iter_mut().find(|i| &i.tenant == tenant) {
            item.state = state.to_owned();
            item.message = message;
        }
        let count = |s: &str| self.items.iter().filter(|i| i.state == s).count() as u32;
        self.moved = count("moved");
        self.failed = count("failed");
        self.stays = count("stays");
    }
}

pub type DrainProgressFn<'a> = &'a (dyn Fn(DrainProgress) + Send + Sync);

impl Fleet {
    /// Where a drain of `stamp` would send each tenant, and who would stay and why,
    /// without changing anything: what the window shows before "Start".
    pub async fn preview_drain(&self, stamp: &StampId) -> OpsResult<DrainProgress> {
        let found = self
            .catalogue
            .stamp(stamp)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no stamp {stamp}")))?;
        if !matches!(found.status, StampStatus::Active | StampStatus::Draining) {
            return Err(OpsError::conflict(format!(
                "stamp {stamp} is {}: only an active or draining stamp can be drained",
                found.status.as_str()
            )));
        }
        self.plan_drain(stamp).await
    }

    /// Moves every tenant off `stamp`; the stamp stays draining (retire it once empty).
    pub async fn drain_stamp(
        &self,
        request: &DrainStamp,
        progress: DrainProgressFn<'_>,
    ) -> OpsResult<DrainProgress> {
        self.refuse_in_snapshot("drain a stamp").await?;
        let stamp = self
            .catalogue
            .stamp(&request.stamp)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no stamp {}", request.stamp)))?;
        if stamp.status == StampStatus::Active {
            self.set_stamp_status(&stamp.id, StampStatus::Draining)
                .await?;
        } else if stamp.status != StampStatus::Draining {
            return Err(OpsError::conflict(format!(
                "stamp {} is {}: only an active or draining stamp can be drained",
                stamp.id,
                stamp.status.as_str()
            )));
        }
        let mut plan = self.plan_drain(&stamp.id).await?;
        for item in plan.items.iter_mut() {
            if item.to.is_some() && request.keep.contains(&item.tenant) {
                item.to = None;
                item.state = "stays".to_owned();
                item.message = format!("kept on {} by the operator", stamp.id);
            }
        }
        plan.stays = plan.items.iter().filter(|i| i.state == "stays").count() as u32;
        let state = Mutex::new(plan);
        let snapshot = |s: &Mutex<DrainProgress>| s.lock().map(|g| g.clone()).ok();
        if let Some(p) = snapshot(&state) {
            progress(p);
        }
        let planned: Vec<(TenantId, StampId)> = snapshot(&state)
            .map(|p| {
                p.items
                    .iter()
                    .filter_map(|i| i.to.clone().map(|to| (i.tenant.clone(), to)))
                    .collect()
            })
            .unwrap_or_default();
        let concurrency = request.concurrency.unwrap_or(4).clamp(1, 32) as usize;
        let state_ref = &state;
        let from = &stamp.id;
        futures_util::stream::iter(planned)
            .map(|(tenant, to)| async move {
                let update =
                    |tenant: &TenantId, s: &str, message: String, last: Option<MoveProgress>| {
                        if let Ok(mut g) = state_ref.lock() {
                            g.set(tenant, s, message);
                            if last.is_some() {
                                g.last = last;
                            }
                            progress(g.clone());
                        }
                    };
                update(&tenant, "moving", String::new(), None);
                let result = self
                    .move_one_off(&tenant, from, &to, &|p| {
                        let message = format!("{} {}%", p.phase, p.percent);
                        let who = p.tenant.clone();
                        update(&who, "moving", message, Some(p));
                    })
                    .await;
                match result {
                    Ok(done) => update(&tenant, "moved", format!("moved to {to}"), Some(done)),
                    Err(e) => update(&tenant, "failed", e.message, None),
                }
            })
            .buffer_unordered(concurrency)
            .collect::<Vec<()>>()
            .await;
        let done = state
            .into_inner()
            .map_err(|_| OpsError::internal("drain state poisoned"))?;
        Ok(done)
    }

    /// Targets for every tenant on `stamp`, largest first, chosen as one batch.
    async fn plan_drain(&self, stamp: &StampId) -> OpsResult<DrainProgress> {
        let mut tenants = Vec::new();
        let mut query = TenantQuery {
            stamp: Some(stamp.clone()),
            limit: TenantQuery::MAX_LIMIT,
            ..TenantQuery::default()
        };
        loop {
            let page = self.tenants(&query).await?;
            let got = page.tenants.len() as u32;
            tenants.extend(page.tenants);
            if got < query.limit {
                break;
            }
            query.offset += got;
        }
        tenants.sort_by(|a, b| {
            b.tenant
                .size_units
                .cmp(&a.tenant.size_units)
                .then(a.tenant.id.cmp(&b.tenant.id))
        });
        let mut fleet = self.placement_fleet().await?;
        if let Some(i) = fleet.candidate_index(stamp) {
            fleet.set_draining(i);
        }
        let policy = PlacementPolicy::default();
        let mut items = Vec::new();
        for view in tenants {
            let t = view.tenant;
            if t.pinned {
                items.push(DrainItem {
                    tenant: t.id,
                    to: None,
                    state: "stays".to_owned(),
                    message: format!("pinned to {stamp}"),
                });
                continue;
            }
            // Its region first (a drain keeps tenants near their users), then the
            // nearest region; no stamp pushed past the high band while another stays below.
            let request = PlacementRequest {
                lives_on: Some(stamp.clone()),
                ..PlacementRequest::new(t.clone())
            };
            let decision = place(&fleet, &request, &policy);
            let (to, message) = match decision.outcome {
                Outcome::Place { stamp: to, reason } => (Some(to), reason),
                Outcome::NewStamp { reason, .. } | Outcome::Refuse { reason } => (None, reason),
                Outcome::Stay { reason, .. } => (None, reason),
            };
            if let Some(i) = to.as_ref().and_then(|s| fleet.candidate_index(s)) {
                fleet.add_load(i, t.size_units);
            }
            items.push(DrainItem {
                tenant: t.id,
                state: if to.is_some() { "planned" } else { "stays" }.to_owned(),
                to,
                message,
            });
        }
        let mut progress = DrainProgress {
            stamp: stamp.clone(),
            items,
            moved: 0,
            failed: 0,
            stays: 0,
            last: None,
        };
        progress.stays = progress.items.iter().filter(|i| i.state == "stays").count() as u32;
        Ok(progress)
    }

    async fn move_one_off(
        &self,
        tenant: &TenantId,
        from: &StampId,
        to: &StampId,
        progress: crate::moves::MoveProgressFn<'_>,
    ) -> OpsResult<MoveProgress> {
        let view = self
            .tenant(tenant)
            .await?
            .ok_or_else(|| OpsError::invalid(format!("no tenant {tenant}")))?;
        let (on, version) = self
            .catalogue
            .binding(tenant)
            .await?
            .ok_or_else(|| OpsError::conflict(format!("{tenant} lives on no stamp")))?;
        if &on != from {
            return Err(OpsError::conflict(format!(
                "{tenant} moved to {on} meanwhile"
            )));
        }
        let params = MoveParams {
            tenant: tenant.clone(),
            from: from.clone(),
            to: to.clone(),
            version,
            display_name: view.tenant.display_name,
            size_units: view.tenant.size_units,
            nonce: String::new(),
        };
        self.start_move(&params, progress).await
    }
}
