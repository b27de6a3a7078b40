//! How one reserve run is carried out: sample size, seed, ranking increment, model and limits.
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::constraints::Constraints;
use super::error::ReserveError;
use super::model::ModelParams;

/// How the two arms of the follow-on comparison draw their paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ArmPairing {
    /// Both arms replay the same random path (common random numbers): the estimate's noise is only
    /// the extra cheque's effect. The engine's method.
    #[default]
    Common,
    /// Each arm draws its own paths. Only for measuring how much `Common` narrows the interval.
    Independent,
}

/// Largest accepted sample, to keep a mistyped figure from tying up the machine for hours.
pub const MAX_ITERATIONS: u32 = 10_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunParams {
    /// Simulated paths per company (and per arm).
    pub iterations: u32,
    /// Root of every random stream; the same seed and input give byte-identical reports.
    pub seed: u64,
    /// The follow-on increment Δ whose multiple ranks the companies (default $1M, the model doc).
    pub increment: Decimal,
    pub model: ModelParams,
    pub constraints: Constraints,
    pub pairing: ArmPairing,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            iterations: 10_000,
            seed: 42,
            increment: Decimal::from(1_000_000),
            model: ModelParams::default(),
            constraints: Constraints::default(),
            pairing: ArmPairing::Common,
        }
    }
}

impl RunParams {
    pub fn validate(&self) -> Result<(), ReserveError> {
        if !(2..=MAX_ITERATIONS).contains(&self.iterations) {
            return Err(ReserveError::invalid(
                "iterations",
                format!("must be between 2 and {MAX_ITERATIONS}"),
            ));
        }
        if self.increment <= Decimal::ZERO {
            return Err(ReserveError::invalid("increment", "must be positive"));
        }
        self.model.validate()?;
        self.constraints.validate()
    }
}
