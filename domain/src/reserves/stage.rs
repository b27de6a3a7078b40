//! Funding stages a company moves through in the simulation.
use serde::{Deserialize, Deserializer, Serialize};

use crate::fund;
use crate::stage_name::{self, StageVisitor};

/// A company's current funding stage. The path simulation starts here and can graduate up to
/// `SeriesDPlus`, the last stage, which always ends in an exit or a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    PreSeed,
    Seed,
    SeriesA,
    SeriesB,
    SeriesC,
    SeriesDPlus,
}

/// Accepts the stage as people write it (see [`Stage::parse`]); serialises as the snake_case key.
impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StageVisitor(Stage::ALL))
    }
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

    /// Reads a stage as people write it: `C`, `series c`, `Series-C`, `series_c`, `SeriesC`, `D+`,
    /// `series_d_plus`, `pre-seed`, `Pre Seed`, … (case, spaces, `-`, `_` and "series" are ignored).
    pub fn parse(text: &str) -> Option<Stage> {
        stage_name::position(text).map(|i| Stage::ALL[i])
    }

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

/// The fund records the same six stages; a reserve run starts each company at its recorded one.
impl From<fund::Stage> for Stage {
    fn from(stage: fund::Stage) -> Self {
        match stage {
            fund::Stage::PreSeed => Stage::PreSeed,
            fund::Stage::Seed => Stage::Seed,
            fund::Stage::SeriesA => Stage::SeriesA,
            fund::Stage::SeriesB => Stage::SeriesB,
            fund::Stage::SeriesC => Stage::SeriesC,
            fund::Stage::SeriesDPlus => Stage::SeriesDPlus,
        }
    }
}
