//! Placing many tenants at once: best-fit decreasing over bucket queues, one queue per
//! distinct set of allowed regions. The same rules as a single decision (active,
//! healthy, residency, isolation, capacity under the reserve); the score is best fit.
//!
//! Best fit leaves one partly filled stamp per pool; the smallest tenants (the last
//! twentieth of the load) therefore go to the least loaded stamp already in use, which
//! levels those stamps up instead of topping up full ones.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::candidates::{tiers_restricted, CandidateHealth, PlacementFleet};
use super::PlacementPolicy;
use crate::stamp::StampStatus;
use crate::template::Isolation;
use crate::tenant::{Residency, Tenant};

/// A tenant for the batch placer (borrowed, so a million cost no copies).
pub type BatchTenant<'a> = &'a Tenant;

/// Where each tenant went: an index into the fleet's candidates, or none.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOutcome {
    pub assignments: Vec<Option<usize>>,
    pub unplaced: usize,
}

/// Stamps by usable units free, for best fit. Fleets of ordinary stamps use buckets
/// indexed by free units (a bitmap finds the next non-empty one: the fast path); a fleet
/// with a stamp of more than `DENSE_MAX_FREE` units free uses an ordered map instead, so
/// memory follows the stamps, never the units (a stamp of two billion units would
/// otherwise cost 48 GB of buckets).
enum FreeQueue {
    Dense(DenseQueue),
    Sparse(SparseQueue),
}

/// Up to this many units free per stamp, the bucket array (24 bytes a unit, per pool).
const DENSE_MAX_FREE: u32 = 1 << 16;

impl FreeQueue {
    fn new(max_free: u32) -> Self {
        if max_free <= DENSE_MAX_FREE {
            FreeQueue::Dense(DenseQueue::new(max_free))
        } else {
            FreeQueue::Sparse(SparseQueue::new())
        }
    }

    fn push(&mut self, stamp: u32, free: u32) {
        match self {
            FreeQueue::Dense(q) => q.push(stamp, free),
            FreeQueue::Sparse(q) => q.push(stamp, free),
        }
    }

    fn take(&mut self, size: u32, free: &[u32]) -> Option<u32> {
        match self {
            FreeQueue::Dense(q) => q.take(size, free),
            FreeQueue::Sparse(q) => q.take(size, free),
        }
    }

    fn take_most_free(&mut self, size: u32, free: &[u32]) -> Option<u32> {
        match self {
            FreeQueue::Dense(q) => q.take_most_free(size, free),
            FreeQueue::Sparse(q) => q.take_most_free(size, free),
        }
    }
}

/// Stamps by free units in buckets `0..=max_free`.
struct DenseQueue {
    buckets: Vec<Vec<u32>>,
    nonempty: Vec<u64>,
}

impl DenseQueue {
    fn new(max_free: u32) -> Self {
        let n = max_free as usize + 1;
        Self {
            buckets: vec![Vec::new(); n],
            nonempty: vec![0; n.div_ceil(64)],
        }
    }

    fn push(&mut self, stamp: u32, free: u32) {
        let f = free as usize;
        self.buckets[f].push(stamp);
        self.nonempty[f / 64] |= 1 << (f % 64);
    }

    /// The first bucket at or above `from` that may hold a stamp.
    fn next_bucket(&self, from: u32) -> Option<usize> {
        let from = from as usize;
        let mut word = from / 64;
        if word >= self.nonempty.len() {
            return None;
        }
        let mut bits = self.nonempty[word] & (!0u64 << (from % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + bits.trailing_zeros() as usize);
            }
            word += 1;
            if word >= self.nonempty.len() {
                return None;
            }
            bits = self.nonempty[word];
        }
    }

    /// The last bucket at or below `to` that may hold a stamp.
    fn prev_bucket(&self, to: usize) -> Option<usize> {
        let mut word = to / 64;
        let mut bits = self.nonempty.get(word).copied()? & (!0u64 >> (63 - to % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + 63 - bits.leading_zeros() as usize);
            }
            word = word.checked_sub(1)?;
            bits = self.nonempty[word];
        }
    }

    /// Pops bucket `b` until a stamp whose free units (`free`, the truth) are still `b`;
    /// stale entries are dropped, and the bucket is marked empty once it is.
    fn pop_current(&mut self, b: usize, free: &[u32]) -> Option<u32> {
        while let Some(stamp) = self.buckets[b].pop() {
            if free[stamp as usize] as usize == b {
                if self.buckets[b].is_empty() {
                    self.nonempty[b / 64] &= !(1 << (b % 64));
                }
                return Some(stamp);
            }
        }
        self.nonempty[b / 64] &= !(1 << (b % 64));
        None
    }

    /// Takes the stamp with the most free units, if it has at least `size` free.
    fn take_most_free(&mut self, size: u32, free: &[u32]) -> Option<u32> {
        let mut to = self.buckets.len() - 1;
        while let Some(b) = self.prev_bucket(to) {
            if b < size as usize {
                return None;
            }
            if let Some(stamp) = self.pop_current(b, free) {
                return Some(stamp);
            }
            to = b.checked_sub(1)?;
        }
        None
    }

    /// Takes the best-fitting stamp with at least `size` free (by `free`, the truth).
    fn take(&mut self, size: u32, free: &[u32]) -> Option<u32> {
        let mut from = size;
        while let Some(b) = self.next_bucket(from) {
            if let Some(stamp) = self.pop_current(b, free) {
                return Some(stamp);
            }
            from = b as u32 + 1;
        }
        None
    }
}

/// Stamps by usable units free, for best fit: the stamps with `f` units free under key
/// `f`. Memory grows with the stamps, never with the units (a stamp of two billion
/// units costs what one of a hundred does). Entries go stale when a stamp's free units
/// change; a stale entry is skipped on pop (free units only ever shrink, so a stamp
/// enters each bucket at most once).
struct SparseQueue {
    buckets: BTreeMap<u32, Vec<u32>>,
}

impl SparseQueue {
    fn new() -> Self {
        Self {
            buckets: BTreeMap::new(),
        }
    }

    fn push(&mut self, stamp: u32, free: u32) {
        self.buckets.entry(free).or_default().push(stamp);
    }

    /// Pops a stamp that still has exactly `b` free from bucket `b`, dropping stale
    /// entries, and the bucket once it is empty.
    fn pop_current(&mut self, b: u32, free: &[u32]) -> Option<u32> {
        let list = self.buckets.get_mut(&b)?;
        let mut found = None;
        while let Some(stamp) = list.pop() {
            if free[stamp as usize] == b {
                found = Some(stamp);
                break;
            }
        }
        if list.is_empty() {
            self.buckets.remove(&b);
        }
        found
    }

    /// Takes the stamp with the most free units, if it has at least `size` free.
    fn take_most_free(&mut self, size: u32, free: &[u32]) -> Option<u32> {
        loop {
            let b = *self.buckets.range(size..).next_back()?.0;
            if let Some(stamp) = self.pop_current(b, free) {
                return Some(stamp);
            }
        }
    }

    /// Takes the best-fitting stamp with at least `size` free (by `free`, the truth).
    fn take(&mut self, size: u32, free: &[u32]) -> Option<u32> {
        loop {
            let b = *self.buckets.range(size..).next()?.0;
            if let Some(stamp) = self.pop_current(b, free) {
                return Some(stamp);
            }
        }
    }
}

/// Places every tenant in `tenants` (all new: pinned tenants are the caller's to keep)
/// and records their load on `fleet`. Larger tenants go first; ties keep input order.
pub fn place_batch(
    fleet: &mut PlacementFleet,
    tenants: &[BatchTenant],
    policy: &PlacementPolicy,
) -> BatchOutcome {
    let n = fleet.candidates.len();
    let usable: Vec<u32> = fleet
        .candidates
        .iter()
        .map(|c| policy.usable(c.capacity))
        .collect();
    let mut free: Vec<u32> = fleet
        .candidates
        .iter()
        .zip(&usable)
        .map(|(c, u)| u.saturating_sub(c.used))
        .collect();
    let max_free = free.iter().copied().max().unwrap_or(0);
    let open: Vec<bool> = fleet
        .candidates
        .iter()
        .map(|c| c.status == StampStatus::Active && c.health == CandidateHealth::Healthy)
        .collect();

    // One queue per distinct allowed-region set (and tier, when some template serves
    // only some tiers) among the tenants.
    let by_tier = tiers_restricted(fleet);
    let tier_of = |t: &Tenant| if by_tier { t.tier.bit() } else { u8::MAX };
    let mut pool_of_residency: FxHashMap<(&Residency, u8), usize> = FxHashMap::default();
    let mut pool_of_regions: FxHashMap<(Vec<bool>, u8), usize> = FxHashMap::default();
    let mut pools: Vec<(Vec<bool>, u8, FreeQueue)> = Vec::new();
    let mut tenant_pool: Vec<usize> = Vec::with_capacity(tenants.len());
    let mut unconstrained_pool = None;
    for t in tenants {
        // Most tenants have no residency: skip hashing those.
        if t.residency.is_unconstrained() && !by_tier {
            if let Some(pool) = unconstrained_pool {
                tenant_pool.push(pool);
                continue;
            }
        }
        let tier = tier_of(t);
        let pool = *pool_of_residency
            .entry((&t.residency, tier))
            .or_insert_with(|| {
                let allowed: Vec<bool> = fleet
                    .regions
                    .iter()
                    .map(|r| t.residency.allows(r))
                    .collect();
                let next = pools.len();
                *pool_of_regions
                    .entry((allowed.clone(), tier))
                    .or_insert_with(|| {
                        pools.push((allowed, tier, FreeQueue::new(max_free)));
                        next
                    })
            });
        if t.residency.is_unconstrained() {
            unconstrained_pool = Some(pool);
        }
        tenant_pool.push(pool);
    }
    let mut pools_of_stamp: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (p, (allowed, tier, queue)) in pools.iter_mut().enumerate() {
        for i in 0..n {
            let c = &fleet.candidates[i];
            if open[i]
                && !c.dedicated
                && c.tiers & *tier != 0
                && c.region_index.is_some_and(|r| allowed[r])
            {
                queue.push(i as u32, free[i]);
                pools_of_stamp[i].push(p as u32);
            }
        }
    }

    // Largest first, ties in input order: one packed key per tenant (size inverted in
    // the high half, input index in the low half) sorts without touching the tenants.
    let mut order: Vec<u64> = tenants
        .iter()
        .enumerate()
        .map(|(i, t)| (u64::from(u32::MAX - t.size_units) << 32) | i as u64)
        .collect();
    order.sort_unstable();
    let dedicated: Vec<bool> = tenants
        .iter()
        .map(|t| t.isolation == Isolation::Dedicated)
        .collect();
    // Where the smallest twentieth of the load starts (by position in `order`).
    let total: u64 = tenants.iter().map(|t| u64::from(t.size_units)).sum();
    let mut tail = 0u64;
    let mut levelling_from = order.len();
    while levelling_from > 0 {
        let size = u64::from(u32::MAX - (order[levelling_from - 1] >> 32) as u32);
        if (tail + size) * 20 > total {
            break;
        }
        tail += size;
        levelling_from -= 1;
    }
    let mut in_use: Vec<FreeQueue> = Vec::new();
    let mut assignments = vec![None; tenants.len()];
    let mut unplaced = 0;
    for (position, key) in order.into_iter().enumerate() {
        let t = (key & u64::from(u32::MAX)) as usize;
        let size = u32::MAX - (key >> 32) as u32;
        if position == levelling_from {
            in_use = stamps_in_use(fleet, &pools_of_stamp, pools.len(), &free, max_free);
        }
        let levelled = if position >= levelling_from && !dedicated[t] {
            in_use[tenant_pool[t]].take_most_free(size, &free)
        } else {
            None
        };
        let chosen = if let Some(s) = levelled {
            Some(s as usize)
        } else if dedicated[t] {
            let (allowed, tier, _) = &pools[tenant_pool[t]];
            (0..n).find(|&i| {
                let c = &fleet.candidates[i];
                open[i]
                    && c.dedicated
                    && c.tiers & *tier != 0
                    && c.tenants == 0
                    && c.region_index.is_some_and(|r| allowed[r])
                    && free[i] >= size
            })
        } else {
            pools[tenant_pool[t]]
                .2
                .take(size, &free)
                .map(|s| s as usize)
        };
        let Some(i) = chosen else {
            unplaced += 1;
            continue;
        };
        free[i] -= size;
        fleet.add_load(i, size);
        assignments[t] = Some(i);
        for &p in &pools_of_stamp[i] {
            pools[p as usize].2.push(i as u32, free[i]);
            if let Some(queue) = in_use.get_mut(p as usize) {
                queue.push(i as u32, free[i]);
            }
        }
    }
    BatchOutcome {
        assignments,
        unplaced,
    }
}

/// Per pool, the stamps that hold at least one tenant, by free units.
fn stamps_in_use(
    fleet: &PlacementFleet,
    pools_of_stamp: &[Vec<u32>],
    pool_count: usize,
    free: &[u32],
    max_free: u32,
) -> Vec<FreeQueue> {
    let mut queues: Vec<FreeQueue> = (0..pool_count).map(|_| FreeQueue::new(max_free)).collect();
    for (i, c) in fleet.candidates.iter().enumerate() {
        if c.tenants > 0 {
            for &p in &pools_of_stamp[i] {
                queues[p as usize].push(i as u32, free[i]);
            }
        }
    }
    queues
}
