//! Distribution of a single cheque's multiple with no reserves, to check the model against
//! published outcome spreads (docs/reserves-model.md, "Calibration check").
use serde::{Deserialize, Serialize};

use super::model::ModelParams;
use super::path::{draw_path, proceeds, CompiledModel};
use super::rng::{company_key, PathStreams};
use super::stage::Stage;

/// Share of outcomes in each multiple bucket, in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MoicSpread {
    pub below_1x: f64,
    pub from_1x_to_5x: f64,
    pub from_5x_to_10x: f64,
    pub at_least_10x: f64,
}

/// Published spread of venture deal outcomes (Correlation Ventures, ~21K financings 2004–13).
pub const CORRELATION_VENTURES: MoicSpread = MoicSpread {
    below_1x: 0.65,
    from_1x_to_5x: 0.25,
    from_5x_to_10x: 0.06,
    at_least_10x: 0.04,
};

/// Simulates `iterations` cheques into a company at `stage` that never follows on, and buckets
/// proceeds / cost. Ownership and valuation do not matter: without follow-ons the multiple is the
/// product of step-ups and the exit multiple.
pub fn moic_spread(stage: Stage, model: &ModelParams, iterations: u32, seed: u64) -> MoicSpread {
    let compiled = CompiledModel::new(model);
    let (ownership, post_money) = (0.1, 10_000_000.0);
    let cost = ownership * post_money;
    let key = company_key("calibration");
    let mut buckets = [0u32; 4];
    for iteration in 0..iterations {
        let mut streams = PathStreams::new(seed, key, u64::from(iteration));
        let path = draw_path(&compiled, stage, post_money, &mut streams);
        let diluted: f64 = path.rounds[..path.n_rounds]
            .iter()
            .map(|r| 1.0 - r.dilution)
            .product();
        let moic = if path.exit_value > 0.0 {
            proceeds(
                path.exit_value,
                ownership * diluted,
                cost,
                compiled.liquidation_preference,
            ) / cost
        } else {
            0.0
        };
        let bucket = match moic {
            m if m < 1.0 => 0,
            m if m < 5.0 => 1,
            m if m < 10.0 => 2,
            _ => 3,
        };
        buckets[bucket] += 1;
    }
    let share = |b: u32| f64::from(b) / f64::from(iterations);
    MoicSpread {
        below_1x: share(buckets[0]),
        from_1x_to_5x: share(buckets[1]),
        from_5x_to_10x: share(buckets[2]),
        at_least_10x: share(buckets[3]),
    }
}
