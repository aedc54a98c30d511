//! The waves Stampfleet proposes: a canary (the stamp with the fewest enterprise
//! tenants, then the fewest tenants), then rings of whole groups (regions, providers or
//! geographies), smallest groups first, each ring about the same number of stamps.

use serde::{Deserialize, Serialize};

use super::RolloutWave;
use crate::ids::StampId;

/// What groups stamps into rings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum RingBy {
    Region,
    Provider,
    Geography,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WaveOptions {
    pub ring_by: RingBy,
    /// Rings after the canary (at most one per group).
    pub rings: u32,
    /// Stamps upgraded at once within a wave.
    pub parallelism: u32,
    /// Whether one stamp goes first on its own.
    pub canary: bool,
}

/// A stamp the rollout may take, with what the proposal weighs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveCandidate {
    pub stamp: StampId,
    /// Its group's name (region id, provider or geography).
    pub group: String,
    pub enterprise_tenants: u32,
    pub tenants: u32,
}

/// Proposes waves over `candidates`. Deterministic: the same fleet gives the same waves.
pub fn propose_waves(
    candidates: &[WaveCandidate],
    options: &WaveOptions,
) -> Result<Vec<RolloutWave>, String> {
    if candidates.is_empty() {
        return Err("no stamp needs this version: every stamp of the template runs it".to_owned());
    }
    if options.parallelism == 0 {
        return Err("parallelism must be at least 1".to_owned());
    }
    if options.rings == 0 {
        return Err("rings must be at least 1".to_owned());
    }
    let mut rest: Vec<&WaveCandidate> = candidates.iter().collect();
    let mut waves = Vec::new();
    if options.canary {
        let (i, canary) = rest
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| {
                (a.enterprise_tenants, a.tenants, &a.stamp).cmp(&(
                    b.enterprise_tenants,
                    b.tenants,
                    &b.stamp,
                ))
            })
            .map(|(i, c)| (i, (*c).clone()))
            .ok_or("no stamp for a canary")?;
        rest.remove(i);
        waves.push(RolloutWave {
            name: format!("canary ({})", canary.group),
            stamps: vec![canary.stamp],
            parallelism: 1,
        });
    }
    if rest.is_empty() {
        return Ok(waves);
    }
    // Whole groups, smallest first (then by name), filled into rings of about equal size.
    let mut groups: std::collections::BTreeMap<&str, Vec<&StampId>> = Default::default();
    for c in &rest {
        groups.entry(c.group.as_str()).or_default().push(&c.stamp);
    }
    let mut groups: Vec<(&str, Vec<&StampId>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| (a.1.len(), a.0).cmp(&(b.1.len(), b.0)));
    let rings = (options.rings as usize).min(groups.len());
    let mut left = rest.len();
    let mut rings_left = rings;
    let groups_total = groups.len();
    let mut ring: Vec<(&str, Vec<&StampId>)> = Vec::new();
    let mut size = 0usize;
    for (n, group) in groups.into_iter().enumerate() {
        if !ring.is_empty() && rings_left > 1 {
            let target = left.div_ceil(rings_left) as i64;
            let (now, with) = (size as i64, (size + group.1.len()) as i64);
            // Close the ring when this group would take it further from an even share,
            // or when each later ring needs one of the groups left.
            if (with - target).abs() >= (now - target).abs() || groups_total - n < rings_left {
                left -= size;
                rings_left -= 1;
                waves.push(ring_wave(std::mem::take(&mut ring), options.parallelism));
                size = 0;
            }
        }
        size += group.1.len();
        ring.push(group);
    }
    if !ring.is_empty() {
        waves.push(ring_wave(ring, options.parallelism));
    }
    Ok(waves)
}

fn ring_wave(groups: Vec<(&str, Vec<&StampId>)>, parallelism: u32) -> RolloutWave {
    let names: Vec<&str> = groups.iter().map(|g| g.0).collect();
    let mut stamps: Vec<StampId> = groups
        .into_iter()
        .flat_map(|g| g.1.into_iter().cloned())
        .collect();
    stamps.sort();
    RolloutWave {
        name: names.join(", "),
        stamps,
        parallelism,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(stamp: &str, group: &str, enterprise: u32, tenants: u32) -> WaveCandidate {
        WaveCandidate {
            stamp: StampId::new(stamp).unwrap(),
            group: group.into(),
            enterprise_tenants: enterprise,
            tenants,
        }
    }

    fn options(rings: u32) -> WaveOptions {
        WaveOptions {
            ring_by: RingBy::Region,
            rings,
            parallelism: 2,
            canary: true,
        }
    }

    fn ids(wave: &RolloutWave) -> Vec<&str> {
        wave.stamps.iter().map(|s| s.as_str()).collect()
    }

    #[test]
    fn the_canary_has_the_fewest_enterprise_tenants_then_rings_of_whole_regions() {
        let fleet = [
            c("eu-1", "eu", 3, 10),
            c("eu-2", "eu", 1, 10),
            c("us-1", "us", 0, 40),
            c("us-2", "us", 2, 5),
            c("us-3", "us", 0, 9),
            c("ap-1", "ap", 5, 5),
            c("ap-2", "ap", 5, 5),
            c("sa-1", "sa", 1, 1),
        ];
        let waves = propose_waves(&fleet, &options(2)).unwrap();
        assert_eq!(waves.len(), 3);
        assert_eq!(ids(&waves[0]), ["us-3"]);
        assert_eq!(waves[0].parallelism, 1);
        // Left: sa (1), ap (2), eu (2), us (2): two rings of about 4 stamps, smallest
        // groups first, no group split.
        assert_eq!(ids(&waves[1]), ["ap-1", "ap-2", "sa-1"]);
        assert_eq!(ids(&waves[2]), ["eu-1", "eu-2", "us-1", "us-2"]);
        assert!(waves.iter().skip(1).all(|w| w.parallelism == 2));
        let every: usize = waves.iter().map(|w| w.stamps.len()).sum();
        assert_eq!(every, fleet.len());
    }

    #[test]
    fn more_rings_than_groups_gives_one_ring_per_group() {
        let fleet = [
            c("a-1", "a", 0, 1),
            c("a-2", "a", 0, 2),
            c("b-1", "b", 0, 3),
        ];
        let waves = propose_waves(&fleet, &options(5)).unwrap();
        assert_eq!(
            waves.iter().map(|w| w.stamps.len()).collect::<Vec<_>>(),
            [1, 1, 1]
        );
    }

    #[test]
    fn nothing_to_upgrade_says_so() {
        let e = propose_waves(&[], &options(2)).unwrap_err();
        assert!(e.contains("no stamp needs this version"), "{e}");
    }
}
