//! Offline planning over the catalogue alone (no stamp is asked): the rebalance planner.

use fleet_core::rebalance::{plan_rebalance, RebalancePlan};

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;

impl Fleet {
    /// The moves that bring every active stamp to at most `limit_percent` utilization.
    pub async fn plan_rebalance(&self, limit_percent: u8) -> OpsResult<RebalancePlan> {
        if !(1..=100).contains(&limit_percent) {
            return Err(OpsError::invalid(format!(
                "limit {limit_percent}%: must be between 1 and 100"
            )));
        }
        let doc = self.export().await?;
        let regions = self.regions().await?;
        Ok(plan_rebalance(&doc, &regions, limit_percent))
    }
}
