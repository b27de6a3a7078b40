use serde::{Deserialize, Serialize};

/// Which features this deployment offers (FF_TIME_MACHINE, FF_VARIANCE, FF_OPTIMAL_RESERVES).
/// A disabled feature's routes answer 404 and its tab is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Features {
    pub time_machine: bool,
    pub variance: bool,
    pub optimal_reserves: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features { time_machine: true, variance: true, optimal_reserves: true }
    }
}
