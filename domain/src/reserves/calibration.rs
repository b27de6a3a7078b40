//! Distribution of a single cheque's multiple with no reserves, to check the model against
//! published outcome spreads (docs/reserves-model.md, "Calibration check" and "Calibration by
//! entry stage"). The types compile without the `engine` feature so the browser can show the table.
use serde::{Deserialize, Serialize};

#[cfg(feature = "engine")]
use super::model::ModelParams;
#[cfg(feature = "engine")]
use super::path::{draw_path, proceeds, CompiledModel};
#[cfg(feature = "engine")]
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

/// What the model gives a cheque entering at one stage and never following on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StageSpread {
    pub stage: Stage,
    pub spread: MoicSpread,
    /// Mean multiple (proceeds / cost) over the simulated cheques.
    pub mean_multiple: f64,
}

/// A published share of deals returning less than 1× for one entry stage, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PublishedLossRate {
    pub stage: Stage,
    pub below_1x: f64,
    pub source: &'static str,
}

const CORRELATION_SOURCE: &str = "Correlation Ventures, ~21,000 U.S. venture financings 2004–13, \
all stages, by number of financings (as reported by Seth Levine, \"Venture Outcomes are Even More \
Skewed Than You Think\", 2014); the model applies it to a seed cheque";
const LEMKIN_SOURCE: &str = "practitioner rule of thumb by number of investments — Series A ~60%, \
Series B ~40%, later stage ~33% lose money, \"very few lose all\" — Jason Lemkin, SaaStr (reposted \
Quora answer on VC loss ratios by stage); not a dataset";

/// Published loss rates by entry stage the defaults are calibrated to (docs/reserves-model.md).
/// Only the seed row has a full spread ([`CORRELATION_VENTURES`]); later stages publish only the
/// share below 1×. Series C and D+ both take the "later stage" figure.
pub const PUBLISHED_LOSS_RATES: [PublishedLossRate; 5] = [
    PublishedLossRate {
        stage: Stage::Seed,
        below_1x: 0.65,
        source: CORRELATION_SOURCE,
    },
    PublishedLossRate {
        stage: Stage::SeriesA,
        below_1x: 0.60,
        source: LEMKIN_SOURCE,
    },
    PublishedLossRate {
        stage: Stage::SeriesB,
        below_1x: 0.40,
        source: LEMKIN_SOURCE,
    },
    PublishedLossRate {
        stage: Stage::SeriesC,
        below_1x: 0.33,
        source: LEMKIN_SOURCE,
    },
    PublishedLossRate {
        stage: Stage::SeriesDPlus,
        below_1x: 0.33,
        source: LEMKIN_SOURCE,
    },
];

/// Simulates `iterations` cheques into a company at `stage` that never follows on, and buckets
/// proceeds / cost. Ownership and valuation do not matter: without follow-ons the multiple is the
/// product of step-ups and the exit multiple.
#[cfg(feature = "engine")]
pub fn moic_spread(stage: Stage, model: &ModelParams, iterations: u32, seed: u64) -> MoicSpread {
    stage_spread(stage, &CompiledModel::new(model), iterations, seed).spread
}

/// [`moic_spread`] and the mean multiple for a cheque entering at every stage from seed to D+ (in
/// funding order), each on its own paths of the same seed: the model's side of the calibration
/// table in docs/reserves-model.md.
#[cfg(feature = "engine")]
pub fn outcome_spread_by_stage(
    model: &ModelParams,
    iterations: u32,
    seed: u64,
) -> Vec<StageSpread> {
    let compiled = CompiledModel::new(model);
    Stage::ALL
        .into_iter()
        .filter(|&s| s != Stage::PreSeed)
        .map(|stage| stage_spread(stage, &compiled, iterations, seed))
        .collect()
}

#[cfg(feature = "engine")]
fn stage_spread(stage: Stage, compiled: &CompiledModel, iterations: u32, seed: u64) -> StageSpread {
    let (ownership, post_money) = (0.1, 10_000_000.0);
    let cost = ownership * post_money;
    let key = company_key("calibration");
    let mut buckets = [0u32; 4];
    let mut total = 0.0;
    for iteration in 0..iterations {
        let mut streams = PathStreams::new(seed, key, u64::from(iteration));
        let path = draw_path(compiled, stage, post_money, 1.0, &mut streams);
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
        total += moic;
        let bucket = match moic {
            m if m < 1.0 => 0,
            m if m < 5.0 => 1,
            m if m < 10.0 => 2,
            _ => 3,
        };
        buckets[bucket] += 1;
    }
    let n = f64::from(iterations.max(1));
    let share = |b: u32| f64::from(b) / n;
    StageSpread {
        stage,
        spread: MoicSpread {
            below_1x: share(buckets[0]),
            from_1x_to_5x: share(buckets[1]),
            from_5x_to_10x: share(buckets[2]),
            at_least_10x: share(buckets[3]),
        },
        mean_multiple: total / n,
    }
}
