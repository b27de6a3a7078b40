//! Funding stages a company moves through in the simulation.
use serde::{Deserialize, Serialize};

/// A company's current funding stage. The path simulation starts here and can graduate up to
/// `SeriesDPlus`, the last stage, which always ends in an exit or a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    #[serde(alias = "pre-seed", alias = "preseed")]
    PreSeed,
    Seed,
    #[serde(alias = "a", alias = "series-a")]
    SeriesA,
    #[serde(alias = "b", alias = "series-b")]
    SeriesB,
    #[serde(alias = "c", alias = "series-c")]
    SeriesC,
    #[serde(
        alias = "d",
        alias = "d+",
        alias = "series_d",
        alias = "series-d",
        alias = "series-d-plus"
    )]
    SeriesDPlus,
}

impl Stage {
    /// All stages in funding order.
    pub const ALL: [Stage; 6] = [
        Stage::PreSeed,
        Stage::Seed,
        Stage::SeriesA,
        Stage::SeriesB,
        Stage::SeriesC,
        Stage::SeriesDPlus,
    ];

    /// Position in funding order, used to index per-stage tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The key used in JSON (`model.stages.<key>`) and in error messages.
    pub fn key(self) -> &'static str {
        match self {
            Stage::PreSeed => "pre_seed",
            Stage::Seed => "seed",
            Stage::SeriesA => "series_a",
            Stage::SeriesB => "series_b",
            Stage::SeriesC => "series_c",
            Stage::SeriesDPlus => "series_d_plus",
        }
    }

    pub fn is_last(self) -> bool {
        self == Stage::SeriesDPlus
    }
}
