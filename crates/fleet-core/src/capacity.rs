//! Capacity maths: what a stamp holds, what it has left, how full it is.

use serde::{Deserialize, Serialize};

/// The largest capacity a stamp or template may declare, in units: far above any real
/// stamp, small enough that sums over a fleet stay exact and no structure is sized by
/// it. Documents, plans and provisioning refuse more.
pub const MAX_CAPACITY_UNITS: u32 = 1_000_000_000;

/// Checks a declared capacity: 1 to `MAX_CAPACITY_UNITS` units.
pub fn check_capacity_units(units: u32) -> Result<(), String> {
    match units {
        0 => Err("must be greater than 0".to_owned()),
        n if n > MAX_CAPACITY_UNITS => Err(format!(
            "{n} is over the limit of {MAX_CAPACITY_UNITS} units"
        )),
        _ => Ok(()),
    }
}

/// Capacity of one stamp (or a sum of stamps), in capacity units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Capacity {
    pub total_units: u32,
    pub used_units: u32,
}

impl Capacity {
    pub fn new(total_units: u32, used_units: u32) -> Self {
        Self {
            total_units,
            used_units,
        }
    }

    /// Units still free; negative when the stamp is over-committed.
    pub fn headroom(self) -> i64 {
        i64::from(self.total_units) - i64::from(self.used_units)
    }

    /// Used / total, 0.0 for a stamp with no capacity; may exceed 1.0 when over-committed.
    pub fn utilization(self) -> f64 {
        if self.total_units == 0 {
            0.0
        } else {
            f64::from(self.used_units) / f64::from(self.total_units)
        }
    }

    /// Whether `units` more fit while keeping `reserve` (0.0..1.0) of the total free.
    pub fn fits(self, units: u32, reserve: f64) -> bool {
        let usable = f64::from(self.total_units) * (1.0 - reserve.clamp(0.0, 1.0));
        f64::from(self.used_units) + f64::from(units) <= usable
    }

    /// Adds another stamp's capacity, saturating rather than wrapping.
    pub fn plus(self, other: Capacity) -> Capacity {
        Capacity {
            total_units: self.total_units.saturating_add(other.total_units),
            used_units: self.used_units.saturating_add(other.used_units),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn headroom_and_utilization() {
        let c = Capacity::new(1000, 250);
        assert_eq!(c.headroom(), 750);
        assert!((c.utilization() - 0.25).abs() < 1e-12);
        assert_eq!(Capacity::new(100, 130).headroom(), -30);
        assert_eq!(Capacity::new(0, 0).utilization(), 0.0);
    }

    #[test]
    fn fits_keeps_the_reserve_free() {
        let c = Capacity::new(1000, 700);
        assert!(c.fits(100, 0.2));
        assert!(!c.fits(101, 0.2));
        assert!(c.fits(300, 0.0));
    }

    proptest! {
        #[test]
        fn sums_never_wrap(a in any::<u32>(), b in any::<u32>(), c in any::<u32>(), d in any::<u32>()) {
            let s = Capacity::new(a, b).plus(Capacity::new(c, d));
            prop_assert!(s.total_units >= a.max(c));
            prop_assert!(s.used_units >= b.max(d));
        }

        #[test]
        fn headroom_is_total_minus_used(t in any::<u32>(), u in any::<u32>()) {
            let c = Capacity::new(t, u);
            prop_assert_eq!(c.headroom() + i64::from(u), i64::from(t));
        }
    }
}
