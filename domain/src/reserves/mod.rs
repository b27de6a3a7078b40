//! Monte-Carlo reserve engine (docs/reserves-model.md).
//!
//! For each active company the engine simulates company paths (graduate / exit / fail per stage,
//! lognormal step-ups, dilution, pro-rata cheques capped by the company's reserve), estimates the
//! follow-on multiple of the next increment from paired arms on common random numbers, ranks the
//! companies by it, and water-fills the fund's reserves where the next dollar earns most.
//!
//! Entry points: [`run`] for a portfolio, [`parse_portfolio`] for the JSON format of the model
//! document, [`moic_spread`] for the calibration check. Money is `Decimal` at the edges and f64 only
//! inside the simulation.

mod allocation;
mod amount;
mod calibration;
mod company_sums;
mod constraints;
mod error;
mod estimate;
mod grid;
mod input;
mod model;
mod model_validation;
mod overrides;
mod path;
mod portfolio_file;
mod report;
mod rng;
mod run;
mod run_params;
mod simulate;
mod sourced;
mod stage;

pub use calibration::{moic_spread, MoicSpread, CORRELATION_VENTURES};
pub use constraints::Constraints;
pub use error::ReserveError;
pub use grid::MAX_STEPS_PER_COMPANY;
pub use input::{CompanyInput, FundInput, PortfolioInput};
pub use model::{ModelParams, StageParams, StageTable};
pub use overrides::{ConstraintOverrides, ModelOverrides, StageOverride, StageOverrides};
pub use portfolio_file::parse_portfolio;
pub use report::{CompanyReport, ExcludedCompany, FundTotals, ReserveReport};
pub use run::run;
pub use run_params::{ArmPairing, RunParams, MAX_ITERATIONS};
pub use sourced::{Sourced, FUND_OVERRIDE};
pub use stage::Stage;
