//! The fleet as placement sees it: a compact list of stamps with their region, isolation,
//! health and load, built once and reused for many decisions.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::ids::{RegionId, StampId, TemplateName};
use crate::overview::StampView;
use crate::region::Region;
use crate::stamp::StampStatus;
use crate::template::{Isolation, StampTemplate};
use crate::tenant::Tier;

/// What placement knows of a stamp's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum CandidateHealth {
    Healthy,
    Unhealthy,
    /// No health check yet: not placed on (placement never guesses).
    Unknown,
}

/// One stamp, as placement sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: StampId,
    pub region: RegionId,
    pub template: TemplateName,
    /// Index into [`PlacementFleet::regions`]; none when the region is unknown.
    pub region_index: Option<usize>,
    pub status: StampStatus,
    pub health: CandidateHealth,
    /// The stamp's template is for dedicated tenants.
    pub dedicated: bool,
    /// The tiers the stamp's template serves (see [`StampTemplate::tier_mask`]).
    pub tiers: u8,
    pub capacity: u32,
    pub used: u32,
    pub tenants: u32,
}

/// The fields a decision reads for every stamp, packed (16 bytes) so a scan over
/// 10,000 stamps stays in cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HotCandidate {
    /// Region index, or `u16::MAX` when the region is unknown.
    pub region: u16,
    /// Active and last seen healthy.
    pub open: bool,
    pub unhealthy_only: bool,
    pub dedicated: bool,
    pub tiers: u8,
    pub capacity: u32,
    pub used: u32,
    pub tenants: u32,
}

impl HotCandidate {
    fn of(c: &Candidate) -> Self {
        let active = c.status == StampStatus::Active;
        let healthy = c.health == CandidateHealth::Healthy;
        Self {
            region: c
                .region_index
                .map_or(u16::MAX, |r| u16::try_from(r).unwrap_or(u16::MAX)),
            open: active && healthy,
            unhealthy_only: active && !healthy,
            dedicated: c.dedicated,
            tiers: c.tiers,
            capacity: c.capacity,
            used: c.used,
            tenants: c.tenants,
        }
    }
}

const ALL_TIERS: u8 = (1 << Tier::ALL.len()) - 1;

/// Whether any stamp serves only some tiers (the batch placer then groups by tier too).
pub(super) fn tiers_restricted(fleet: &PlacementFleet) -> bool {
    fleet.candidates.iter().any(|c| c.tiers != ALL_TIERS)
}

/// Every stamp, region and template placement chooses from.
#[derive(Debug, Clone, Default)]
pub struct PlacementFleet {
    pub regions: Vec<Region>,
    pub templates: Vec<StampTemplate>,
    pub candidates: Vec<Candidate>,
    pub(super) hot: Vec<HotCandidate>,
    region_index: HashMap<RegionId, usize>,
    by_stamp: HashMap<StampId, usize>,
    /// Why a stamp's health is not good, in words, where the caller knows (a refusal
    /// then says "no admin token ..." rather than "no health check yet").
    health_notes: HashMap<StampId, String>,
}

impl PlacementFleet {
    /// Builds the fleet from stamps with their load and health, every known region and
    /// the templates (a stamp whose template is unknown counts as shared, for every tier).
    pub fn new(
        regions: Vec<Region>,
        templates: Vec<StampTemplate>,
        stamps: impl IntoIterator<Item = (StampView, CandidateHealth)>,
    ) -> Self {
        let region_index: HashMap<RegionId, usize> = regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let template_of = |view: &StampView| {
            templates
                .iter()
                .find(|t| t.name == view.stamp.template && t.version == view.stamp.template_version)
        };
        let mut candidates: Vec<Candidate> = stamps
            .into_iter()
            .map(|(view, health)| Candidate {
                region_index: region_index.get(&view.stamp.region).copied(),
                dedicated: template_of(&view).is_some_and(|t| t.isolation == Isolation::Dedicated),
                tiers: template_of(&view).map_or(ALL_TIERS, StampTemplate::tier_mask),
                template: view.stamp.template,
                id: view.stamp.id,
                region: view.stamp.region,
                status: view.stamp.status,
                health,
                capacity: view.capacity.total_units,
                used: view.capacity.used_units,
                tenants: view.tenant_count,
            })
            .collect();
        candidates.sort_by(|a, b| a.id.cmp(&b.id));
        let by_stamp = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let hot = candidates.iter().map(HotCandidate::of).collect();
        Self {
            regions,
            templates,
            candidates,
            hot,
            region_index,
            by_stamp,
            health_notes: HashMap::new(),
        }
    }

    /// Records why each of these stamps' health is not good, for the refusals.
    pub fn with_health_notes(mut self, notes: impl IntoIterator<Item = (StampId, String)>) -> Self {
        self.health_notes.extend(notes);
        self
    }

    /// The same fleet with `id` marked unhealthy (asked just now), saying why.
    pub fn with_unhealthy(mut self, id: &StampId, why: String) -> Self {
        if let Some(&i) = self.by_stamp.get(id) {
            self.candidates[i].health = CandidateHealth::Unhealthy;
            self.hot[i] = HotCandidate::of(&self.candidates[i]);
        }
        self.health_notes.insert(id.clone(), why);
        self
    }

    pub fn health_note(&self, id: &StampId) -> Option<&str> {
        self.health_notes.get(id).map(String::as_str)
    }

    pub fn region(&self, id: &RegionId) -> Option<&Region> {
        self.region_index.get(id).map(|&i| &self.regions[i])
    }

    pub fn candidate_index(&self, id: &StampId) -> Option<usize> {
        self.by_stamp.get(id).copied()
    }

    /// Takes stamp `index` out of placement as draining does (for planning its drain
    /// before it is marked draining).
    pub fn set_draining(&mut self, index: usize) {
        if let Some(c) = self.candidates.get_mut(index) {
            c.status = StampStatus::Draining;
            self.hot[index] = HotCandidate::of(c);
        }
    }

    /// Records a tenant of `size` units placed on stamp `index` (for decisions in a row).
    pub fn add_load(&mut self, index: usize, size: u32) {
        if let Some(c) = self.candidates.get_mut(index) {
            c.used = c.used.saturating_add(size);
            c.tenants += 1;
            self.hot[index] = HotCandidate::of(c);
        }
    }
}
