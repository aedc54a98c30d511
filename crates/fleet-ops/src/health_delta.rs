//! What the window is sent each health round: the stamps whose health changed since the
//! last message and the stamps no longer watched; a subscription's first message holds
//! every stamp. At 10,000 stamps a whole round is about 3 MB of JSON, and the page spent
//! a frame of about 290 ms taking it in every 20 s (when the pushing stamps all answer
//! "unchanged"), though nothing had changed.

use std::collections::{HashMap, HashSet};

use fleet_core::StampId;
use serde::Serialize;

use crate::StampHealth;

/// One health message to the window.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HealthUpdate {
    /// Every watched stamp is in `changed`: the page replaces what it holds.
    pub full: bool,
    /// The stamps whose health differs from the last message's (all of them when full).
    pub changed: Vec<StampHealth>,
    /// The stamps the last message had that are no longer watched (removed, inactive).
    pub gone: Vec<StampId>,
}

/// What the last messages of one subscription said, to send only what changed.
#[derive(Default)]
pub struct HealthDelta {
    sent: Option<HashMap<StampId, StampHealth>>,
}

impl HealthDelta {
    /// The message for `round` (every watched stamp's health now).
    pub fn next(&mut self, round: Vec<StampHealth>) -> HealthUpdate {
        let Some(sent) = &mut self.sent else {
            self.sent = Some(round.iter().map(|h| (h.stamp.clone(), h.clone())).collect());
            return HealthUpdate {
                full: true,
                changed: round,
                gone: Vec::new(),
            };
        };
        let watched: HashSet<StampId> = round.iter().map(|h| h.stamp.clone()).collect();
        let mut gone: Vec<StampId> = sent
            .keys()
            .filter(|id| !watched.contains(*id))
            .cloned()
            .collect();
        gone.sort();
        for id in &gone {
            sent.remove(id);
        }
        let mut changed = Vec::new();
        for health in round {
            if sent
                .get(&health.stamp)
                .is_none_or(|was| differs(was, &health))
            {
                sent.insert(health.stamp.clone(), health.clone());
                changed.push(health);
            }
        }
        HealthUpdate {
            full: false,
            changed,
            gone,
        }
    }
}

/// Whether the page should hear of `now`. A stamp that pushes answers "unchanged" every
/// 20 s, which only moves its answer's time: not a change (every stamp answered so at
/// once, and the message after named all 10,000 again). Its health is current while it
/// pushes; the page keeps the time of the last change it heard.
fn differs(was: &StampHealth, now: &StampHealth) -> bool {
    if was.pushed && now.pushed {
        let same_time = StampHealth {
            checked_at: was.checked_at,
            ..now.clone()
        };
        return *was != same_time;
    }
    was != now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HealthState;

    fn health(id: &str, state: HealthState, checked_at: u64) -> StampHealth {
        StampHealth {
            state,
            checked_at,
            pushed: true,
            ..crate::health_answer::blank(&StampId::new(id).unwrap())
        }
    }

    fn ids(update: &HealthUpdate) -> Vec<&str> {
        update.changed.iter().map(|h| h.stamp.as_str()).collect()
    }

    #[test]
    fn the_first_message_has_every_stamp_then_only_what_changed() {
        let mut delta = HealthDelta::default();
        let a = health("a-01", HealthState::Healthy, 100);
        let b = health("b-01", HealthState::Healthy, 100);
        let first = delta.next(vec![a.clone(), b.clone()]);
        assert!(first.full);
        assert_eq!(ids(&first), ["a-01", "b-01"]);

        // Nothing changed: an empty message (the page still hears the round).
        let same = delta.next(vec![a.clone(), b.clone()]);
        assert_eq!(
            same,
            HealthUpdate {
                full: false,
                changed: vec![],
                gone: vec![]
            }
        );

        // b turned degraded; a's answer is only later.
        let b_down = health("b-01", HealthState::Degraded, 100);
        let a_later = health("a-01", HealthState::Healthy, 105);
        let next = delta.next(vec![a_later.clone(), b_down.clone()]);
        assert!(!next.full);
        assert_eq!(ids(&next), ["b-01"]);
        assert_eq!(next.changed[0].state, HealthState::Degraded);

        // A pushing stamp's "unchanged" answer moves only its time: not a change. A
        // polled stamp's new time is one (the page says how long ago it was asked).
        let a_answered = health("a-01", HealthState::Healthy, 125);
        let mut c_polled = health("c-01", HealthState::Healthy, 100);
        c_polled.pushed = false;
        delta.next(vec![a_later.clone(), b_down.clone(), c_polled.clone()]);
        let quiet = delta.next(vec![a_answered, b_down.clone(), c_polled.clone()]);
        assert_eq!(ids(&quiet), Vec::<&str>::new());
        c_polled.checked_at = 130;
        let asked = delta.next(vec![a_later.clone(), b_down, c_polled]);
        assert_eq!(ids(&asked), ["c-01"]);

        // b is no longer watched, c is new (pushing now).
        let c = health("c-01", HealthState::Healthy, 106);
        let last = delta.next(vec![a_later, c]);
        assert_eq!(ids(&last), ["c-01"]);
        assert_eq!(last.gone, [StampId::new("b-01").unwrap()]);
    }
}
