//! Monte-Carlo reserve engine (docs/reserves-model.md).
//!
//! For each active company the engine simulates company paths (graduate / exit / fail per stage,
//! lognormal step-ups, dilution, pro-rata cheques capped by the company's reserve), estimates the
//! follow-on multiple of the next increment from paired arms on common random numbers, ranks the
//! companies by it, and water-fills the fund's reserves where the next dollar earns most.
//!
//! Entry points: [`run`] for a portfolio, [`parse_portfolio`] for the JSON format of the model
//! document, [`moic_spread`] and [`outcome_spread_by_stage`] for the calibration checks. Money is
//! `Decimal` at the edges and f64 only inside the simulation.

//! The parameter, override, input and report types compile without the `engine` feature, so the
//! browser build can show and edit a fund's assumptions; the simulation (random streams, rayon) needs
//! `engine`.

mod amount;
mod assumptions;
mod calibration;
mod constraints;
mod error;
mod input;
mod model;
mod model_validation;
mod overrides;
mod portfolio_file;
mod report;
mod run_params;
mod sourced;
mod stage;
mod variance_adjustment;

#[cfg(feature = "engine")]
mod allocation;
#[cfg(feature = "engine")]
mod company_sums;
#[cfg(feature = "engine")]
mod estimate;
#[cfg(feature = "engine")]
mod from_state;
#[cfg(feature = "engine")]
mod grid;
#[cfg(feature = "engine")]
mod path;
#[cfg(feature = "engine")]
mod rng;
#[cfg(feature = "engine")]
mod run;
#[cfg(feature = "engine")]
mod simulate;
#[cfg(feature = "engine")]
mod top_two;

pub use assumptions::ReserveAssumptions;
pub use calibration::{
    MoicSpread, PublishedLossRate, StageSpread, CORRELATION_VENTURES, PUBLISHED_LOSS_RATES,
};
pub use constraints::{Constraints, MAX_STEPS_PER_COMPANY};
pub use error::ReserveError;
pub use input::{CompanyInput, FundInput, PortfolioInput};
pub use model::{ModelParams, StageParams, StageTable};
pub use overrides::{ConstraintOverrides, ModelOverrides, StageOverride, StageOverrides};
pub use portfolio_file::parse_portfolio;
pub use report::{CompanyReport, CurvePoint, ExcludedCompany, FundTotals, ReserveReport, TopTwo};
pub use run_params::{ArmPairing, RunParams, MAX_ITERATIONS};
pub use sourced::{Sourced, FUND_OVERRIDE};
pub use stage::Stage;
pub use variance_adjustment::{
    apply_adjustments, GraduationAdjustment, VarianceAdjustmentRule, MAX_ADJUSTMENT_PERIODS,
    MIN_GRADUATION_FACTOR, RECENT_DAYS,
};

#[cfg(feature = "engine")]
pub use calibration::{moic_spread, outcome_spread_by_stage};
#[cfg(feature = "engine")]
pub use from_state::{available_reserves, portfolio_from_state, run_fund, FundPortfolio};
#[cfg(feature = "engine")]
pub use run::run;
