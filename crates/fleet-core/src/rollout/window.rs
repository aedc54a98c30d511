//! Maintenance windows: when a region's stamps may be upgraded, in the region's local
//! time, given as a fixed offset from UTC (no daylight-saving rules: the offset the
//! operator enters, by default the region's longitude rounded to whole hours).

use serde::{Deserialize, Serialize};

use crate::ids::RegionId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaintenanceWindow {
    pub region: RegionId,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`; earlier than the start: the window spans midnight.
    pub end: String,
    /// The region's local time minus UTC, in minutes.
    pub utc_offset_minutes: i32,
}

fn minutes(text: &str, field: &str) -> Result<i64, String> {
    let bad = || format!("maintenance window {field} {text:?}: expected HH:MM (00:00 to 23:59)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: i64 = h.parse().map_err(|_| bad())?;
    let m: i64 = m.parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl MaintenanceWindow {
    pub fn check(&self) -> Result<(), String> {
        let start = minutes(&self.start, "start").map_err(|e| format!("{}: {e}", self.region))?;
        let end = minutes(&self.end, "end").map_err(|e| format!("{}: {e}", self.region))?;
        if start == end {
            return Err(format!(
                "{}: maintenance window starts and ends at {}: it would never open",
                self.region, self.start
            ));
        }
        if self.utc_offset_minutes.abs() > 14 * 60 {
            return Err(format!(
                "{}: UTC offset {} minutes is beyond ±14 h",
                self.region, self.utc_offset_minutes
            ));
        }
        Ok(())
    }

    /// The offset a region at `longitude` gets by default: its nearest whole hour.
    pub fn default_offset(longitude: f64) -> i32 {
        ((longitude / 15.0).round() as i32) * 60
    }

    /// Whether the window is open at `now` (seconds since the Unix epoch, UTC).
    pub fn is_open(&self, now: i64) -> bool {
        let (Ok(start), Ok(end)) = (minutes(&self.start, "start"), minutes(&self.end, "end"))
        else {
            return false;
        };
        let local = (now.div_euclid(60) + i64::from(self.utc_offset_minutes)).rem_euclid(1440);
        if start < end {
            start <= local && local < end
        } else {
            local >= start || local < end
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: &str, end: &str, offset: i32) -> MaintenanceWindow {
        MaintenanceWindow {
            region: RegionId::new("azure-westeurope").unwrap(),
            start: start.into(),
            end: end.into(),
            utc_offset_minutes: offset,
        }
    }

    /// 2026-12-05 at `h:m` UTC.
    fn at(h: i64, m: i64) -> i64 {
        1_796_428_800 + h * 3600 + m * 60
    }

    #[test]
    fn a_window_opens_in_local_time() {
        let w = window("22:00", "23:30", 60);
        assert!(!w.is_open(at(20, 59)));
        assert!(w.is_open(at(21, 0)));
        assert!(w.is_open(at(22, 29)));
        assert!(!w.is_open(at(22, 30)));
    }

    #[test]
    fn a_window_spans_midnight() {
        let w = window("23:00", "02:00", -300);
        assert!(w.is_open(at(4, 0)));
        assert!(w.is_open(at(6, 59)));
        assert!(!w.is_open(at(7, 0)));
        assert!(!w.is_open(at(3, 59)));
    }

    #[test]
    fn bad_windows_say_what_is_wrong() {
        assert!(window("25:00", "01:00", 0)
            .check()
            .unwrap_err()
            .contains("start \"25:00\""));
        assert!(window("1:00", "02:00", 0)
            .check()
            .unwrap_err()
            .contains("HH:MM"));
        assert!(window("01:00", "01:00", 0)
            .check()
            .unwrap_err()
            .contains("never open"));
        assert!(window("01:00", "02:00", 900)
            .check()
            .unwrap_err()
            .contains("±14 h"));
        assert_eq!(MaintenanceWindow::default_offset(-73.9), -300);
        assert_eq!(MaintenanceWindow::default_offset(139.7), 540);
    }
}
