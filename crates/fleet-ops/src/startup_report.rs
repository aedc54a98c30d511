//! The window's start-up as the log tells it: when the page's milestones (its bundle
//! running, the overview arriving, the map's first painted frame) happened after this
//! process started. `.ci/bench-footprint` reads it; so can a user whose window opens
//! slowly.

use std::collections::BTreeMap;

use crate::{Fleet, OpsError, OpsResult};

/// At most this many milestones in one report, each name at most this long.
const MAX_MARKS: usize = 16;
const MAX_NAME: usize = 64;

/// This process's start, in milliseconds since the epoch: its start in clock ticks
/// after boot (/proc/self/stat; Linux's clock tick is 1/100 s) held against the time
/// since boot now (/proc/uptime), both on the boot clock, 10 ms apart at most. (The
/// boot time in /proc/stat is whole seconds: up to a second off.)
fn process_started_ms() -> OpsResult<f64> {
    let unreadable = |what: &str| OpsError::internal(format!("cannot read {what}"));
    let stat =
        std::fs::read_to_string("/proc/self/stat").map_err(|_| unreadable("/proc/self/stat"))?;
    let ticks: f64 = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().nth(19))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| unreadable("the start time in /proc/self/stat"))?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .map_err(|_| unreadable("/proc/uptime"))?
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| unreadable("/proc/uptime"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| unreadable("the clock"))?
        .as_secs_f64()
        * 1000.0;
    Ok(now - (uptime * 1000.0 - ticks * 10.0))
}

/// "name 123 ms, ..." : each milestone (ms since the epoch) after `started`, in time order.
fn describe(marks: &BTreeMap<String, f64>, started: f64) -> OpsResult<String> {
    if marks.len() > MAX_MARKS {
        return Err(OpsError::invalid(format!(
            "start-up report: {} milestones, at most {MAX_MARKS}",
            marks.len()
        )));
    }
    let mut timed = Vec::with_capacity(marks.len());
    for (name, at) in marks {
        if name.len() > MAX_NAME || !at.is_finite() {
            return Err(OpsError::invalid(format!(
                "start-up report: milestone {name:?} at {at}: names are at most {MAX_NAME} bytes, times finite"
            )));
        }
        timed.push((at - started, name));
    }
    timed.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(timed
        .iter()
        .map(|(ms, name)| format!("{name} {ms:.0} ms"))
        .collect::<Vec<_>>()
        .join(", "))
}

impl Fleet {
    /// Logs the page's start-up milestones (ms since the epoch) as times after launch.
    pub async fn report_startup(&self, marks: &BTreeMap<String, f64>) -> OpsResult<()> {
        let line = describe(marks, process_started_ms()?)?;
        tracing::info!("window start-up after launch: {line}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn milestones_in_time_order_after_the_start() {
        let marks = BTreeMap::from([
            ("map-painted".to_owned(), 1_400.4),
            ("overview-arrived".to_owned(), 1_250.0),
        ]);
        assert_eq!(
            describe(&marks, 1_000.0).unwrap(),
            "overview-arrived 250 ms, map-painted 400 ms"
        );
    }

    #[test]
    fn a_bad_report_is_refused_saying_why() {
        let marks = BTreeMap::from([("x".to_owned(), f64::NAN)]);
        let e = describe(&marks, 0.0).unwrap_err();
        assert!(e.message.contains("\"x\""), "{}", e.message);
        let many: BTreeMap<String, f64> = (0..17).map(|i| (i.to_string(), 1.0)).collect();
        assert!(describe(&many, 0.0)
            .unwrap_err()
            .message
            .contains("17 milestones"));
    }

    #[test]
    fn this_process_started_before_now() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1000.0;
        let started = process_started_ms().unwrap();
        assert!(
            started <= now + 10.0 && started > now - 3_600_000.0,
            "{started} vs {now}"
        );
    }
}
