//! A fund's reserve-model assumptions, as recorded by the RESERVE_ASSUMPTIONS_SET event.
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::ReserveError;
use super::overrides::{ConstraintOverrides, ModelOverrides};
use super::run_params::RunParams;
use super::variance_adjustment::VarianceAdjustmentRule;

/// A fund's reserve-model assumptions: overrides of the model and constraints, and optionally an
/// explicit reserve budget.
///
/// Always a complete set: recording new assumptions replaces the old ones instead of merging, so what
/// is in force is exactly what the latest event says, readable without replaying earlier ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReserveAssumptions {
    pub model: ModelOverrides,
    pub constraints: ConstraintOverrides,
    /// Explicit reserve budget in dollars (an integer or a decimal string, as in the portfolio file);
    /// `None` = the documented default, the reserves the companies hold (docs/reserves-model.md,
    /// "Available reserves and exclusions"). Capped at the fund's uninvested capital at run time.
    #[serde(
        deserialize_with = "super::amount::deserialize_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub reserve_budget: Option<Decimal>,
    /// The opt-in variance adjustment (docs/reserves-model.md, "Variance adjustment"); `None`:
    /// off, the model's odds for every company.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance_adjustment: Option<VarianceAdjustmentRule>,
}

impl ReserveAssumptions {
    /// Applies the overrides to the defaults and checks the result, so an assumption set that would
    /// make every later run fail is refused when it is recorded. Errors name the field as in this
    /// struct: `model.stages.seed.graduation`, `constraints.hurdle`, `reserve_budget`.
    pub fn validate(&self) -> Result<(), ReserveError> {
        let mut params = RunParams::default();
        self.apply(&mut params);
        params.model.validate()?;
        params.constraints.validate()?;
        if self.reserve_budget.is_some_and(|b| b < Decimal::ZERO) {
            return Err(ReserveError::invalid(
                "reserve_budget",
                "must not be negative",
            ));
        }
        if let Some(rule) = &self.variance_adjustment {
            rule.validate()?;
        }
        Ok(())
    }

    /// Writes the model and constraint overrides into `params` (each replaced value's source becomes
    /// "fund override"). The budget is not a run parameter: it sets the portfolio's available reserves.
    /// Applying twice gives the same parameters.
    pub fn apply(&self, params: &mut RunParams) {
        self.model.apply(&mut params.model);
        self.constraints.apply(&mut params.constraints);
    }
}
