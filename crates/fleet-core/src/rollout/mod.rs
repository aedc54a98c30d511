//! Rollouts: a template version taken across the fleet's stamps in waves (a canary
//! first, then rings), with bake time, health gates, approvals and maintenance windows
//! between them. Here: the values and their rules. Running one is fleet-ops' `rollout`.

mod waves;
mod window;

use serde::{Deserialize, Serialize};

use crate::ids::{RegionId, StampId, TemplateName};
use crate::template::TemplateVersion;

pub use waves::{propose_waves, RingBy, WaveCandidate, WaveOptions};
pub use window::MaintenanceWindow;

/// One wave: stamps upgraded together, at most `parallelism` at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutWave {
    /// "canary", or the ring's name (e.g. its regions).
    pub name: String,
    pub stamps: Vec<StampId>,
    pub parallelism: u32,
}

/// What a rollout does: which version, over which waves, with what between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutSpec {
    pub template: TemplateName,
    pub target_version: TemplateVersion,
    pub waves: Vec<RolloutWave>,
    /// Seconds to watch a finished wave before the next one starts.
    pub bake_secs: u32,
    /// Whether an operator approves each next wave.
    pub approval: bool,
    /// The health gate: a stamp whose share of failed tenant requests is above this
    /// (0 to 1) fails it, as does any stamp not answering healthy.
    pub max_error_rate: f64,
    /// When stamps of a region may be upgraded (regions without one: any time).
    #[serde(default)]
    pub windows: Vec<MaintenanceWindow>,
}

impl RolloutSpec {
    /// Every stamp of the rollout, wave by wave.
    pub fn stamps(&self) -> impl Iterator<Item = (u32, &StampId)> {
        self.waves
            .iter()
            .enumerate()
            .flat_map(|(i, w)| w.stamps.iter().map(move |s| (i as u32, s)))
    }

    /// The rules a spec keeps on its own (the fleet's are checked where it is known):
    /// waves not empty, no stamp twice, parallelism at least 1, a sane error rate and
    /// windows that parse, at most one per region.
    pub fn check(&self) -> Result<(), String> {
        if self.waves.is_empty() || self.waves.iter().all(|w| w.stamps.is_empty()) {
            return Err("the rollout has no stamp to upgrade".to_owned());
        }
        let mut seen = std::collections::HashSet::new();
        for (i, wave) in self.waves.iter().enumerate() {
            if wave.stamps.is_empty() {
                return Err(format!("wave {} ({}) has no stamp", i + 1, wave.name));
            }
            if wave.parallelism == 0 {
                return Err(format!(
                    "wave {} ({}): parallelism must be at least 1",
                    i + 1,
                    wave.name
                ));
            }
            for stamp in &wave.stamps {
                if !seen.insert(stamp) {
                    return Err(format!("stamp {stamp} is in more than one wave"));
                }
            }
        }
        if !(0.0..=1.0).contains(&self.max_error_rate) {
            return Err(format!(
                "maxErrorRate {} must be between 0 and 1",
                self.max_error_rate
            ));
        }
        let mut regions = std::collections::HashSet::new();
        for w in &self.windows {
            w.check()?;
            if !regions.insert(&w.region) {
                return Err(format!(
                    "region {} has more than one maintenance window",
                    w.region
                ));
            }
        }
        Ok(())
    }

    /// The maintenance window of `region`, if it has one.
    pub fn window_of(&self, region: &RegionId) -> Option<&MaintenanceWindow> {
        self.windows.iter().find(|w| &w.region == region)
    }

    /// The rollout in words, as plan lists show it.
    pub fn describe(&self) -> String {
        let stamps = self.stamps().count();
        format!(
            "roll out {}@{} to {stamps} stamp(s) in {} wave(s)",
            self.template,
            self.target_version,
            self.waves.len()
        )
    }
}

/// Where a rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum RolloutPhase {
    /// Upgrading the current wave's stamps.
    Running,
    /// The current wave's pending stamps wait for their regions' maintenance windows.
    WaitingForWindow,
    /// The current wave is done: watching it before the next.
    Baking,
    /// The next wave waits for an operator's approval.
    AwaitingApproval,
    /// Stopped by an operator; resume goes on.
    Paused,
    /// A stamp failed its upgrade or its health gate: the failed stamps were rolled back.
    Halted,
    /// Stopped for good by an operator; upgraded stamps keep their version.
    Aborted,
    /// Every stamp runs the target version.
    Done,
}

impl RolloutPhase {
    /// Whether a runner works on the rollout in this phase (a killed one resumes it).
    pub fn runs(self) -> bool {
        matches!(self, Self::Running | Self::WaitingForWindow | Self::Baking)
    }

    /// Whether the rollout has ended for good.
    pub fn ended(self) -> bool {
        matches!(self, Self::Halted | Self::Aborted | Self::Done)
    }
}

/// Where one stamp of a rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum StampRolloutState {
    Pending,
    Upgrading,
    Upgraded,
    /// Its upgrade or its health gate failed.
    Failed,
    /// Taken back to the version it ran before (after failing).
    RolledBack,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutStamp {
    pub stamp: StampId,
    pub region: RegionId,
    pub wave: u32,
    /// The version it ran when the rollout started.
    pub from_version: TemplateVersion,
    pub state: StampRolloutState,
    /// What happened, in words (why it failed).
    pub message: String,
}

/// A rollout as the journal keeps it: its spec and where each stamp stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutState {
    pub spec: RolloutSpec,
    pub phase: RolloutPhase,
    /// The wave being worked on (0-based; the number of waves once done).
    pub wave: u32,
    pub stamps: Vec<RolloutStamp>,
    /// Why it halted, waits or stopped, in words.
    pub reason: String,
    /// Milliseconds since the Unix epoch when the current bake ends.
    #[ts(type = "number | null")]
    pub bake_until_ms: Option<i64>,
}

impl RolloutState {
    /// A new rollout: every stamp pending at the version it runs (`from`).
    pub fn new(spec: RolloutSpec, from: impl Fn(&StampId) -> (RegionId, TemplateVersion)) -> Self {
        let stamps = spec
            .stamps()
            .map(|(wave, stamp)| {
                let (region, from_version) = from(stamp);
                RolloutStamp {
                    stamp: stamp.clone(),
                    region,
                    wave,
                    from_version,
                    state: StampRolloutState::Pending,
                    message: String::new(),
                }
            })
            .collect();
        Self {
            spec,
            phase: RolloutPhase::Running,
            wave: 0,
            stamps,
            reason: String::new(),
            bake_until_ms: None,
        }
    }

    /// Stamps upgraded (and kept) over all stamps: the progress bar's numbers.
    pub fn progress(&self) -> (u32, u32) {
        let done = self
            .stamps
            .iter()
            .filter(|s| s.state == StampRolloutState::Upgraded)
            .count();
        (done as u32, self.stamps.len() as u32)
    }

    pub fn stamp(&self, id: &StampId) -> Option<&RolloutStamp> {
        self.stamps.iter().find(|s| &s.stamp == id)
    }

    pub fn stamp_mut(&mut self, id: &StampId) -> Option<&mut RolloutStamp> {
        self.stamps.iter_mut().find(|s| &s.stamp == id)
    }
}
