//! The fund's allocation limits (docs/reserves-model.md, "Recommended allocation").
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::ReserveError;
use super::sourced::Sourced;

/// Most grid steps one company may have; beyond this the allocation increment is too fine to be
/// meaningful and the run would only get slower. Here rather than with the grid so a fund's
/// assumptions can be checked against it without the engine.
pub const MAX_STEPS_PER_COMPANY: usize = 4096;

const SEED_DEFAULT: &str = "seed default (docs/reserves-model.md, Recommended allocation)";

/// Limits on the recommended allocation. Shares and multiples are Decimal because they scale money.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    /// A company's cost plus reserve may not exceed this share of the fund size.
    pub max_fund_share_per_company: Sourced<Decimal>,
    /// A company's reserve may not exceed this share of the available reserves.
    pub max_reserve_share_per_company: Sourced<Decimal>,
    /// A company whose follow-on multiple clears the hurdle is first given follow-on capital
    /// (deployed + recommended) of this multiple of its initial cheque, caps and budget permitting.
    pub floor_initial_multiple: Sourced<Decimal>,
    /// The next increment is only allocated where its follow-on multiple is at least this.
    pub hurdle: Sourced<f64>,
    /// Size of one water-filling step.
    pub allocation_increment: Sourced<Decimal>,
}

impl Default for Constraints {
    fn default() -> Self {
        Constraints {
            max_fund_share_per_company: Sourced::cited(Decimal::new(15, 2), SEED_DEFAULT),
            max_reserve_share_per_company: Sourced::cited(Decimal::new(20, 2), SEED_DEFAULT),
            floor_initial_multiple: Sourced::cited(Decimal::new(15, 1), SEED_DEFAULT),
            hurdle: Sourced::cited(1.0, SEED_DEFAULT),
            allocation_increment: Sourced::cited(Decimal::from(250_000), SEED_DEFAULT),
        }
    }
}

impl Constraints {
    pub fn validate(&self) -> Result<(), ReserveError> {
        let share = |name: &str, v: Decimal| {
            if v > Decimal::ZERO && v <= Decimal::ONE {
                Ok(())
            } else {
                Err(ReserveError::invalid(
                    format!("constraints.{name}"),
                    "must be in (0, 1]",
                ))
            }
        };
        share(
            "max_fund_share_per_company",
            self.max_fund_share_per_company.value,
        )?;
        share(
            "max_reserve_share_per_company",
            self.max_reserve_share_per_company.value,
        )?;
        if self.floor_initial_multiple.value < Decimal::ZERO {
            return Err(ReserveError::invalid(
                "constraints.floor_initial_multiple",
                "must be zero or positive",
            ));
        }
        let hurdle = self.hurdle.value;
        if !(hurdle.is_finite() && hurdle >= 0.0) {
            return Err(ReserveError::invalid(
                "constraints.hurdle",
                "must be zero or positive",
            ));
        }
        if self.allocation_increment.value <= Decimal::ZERO {
            return Err(ReserveError::invalid(
                "constraints.allocation_increment",
                "must be positive",
            ));
        }
        Ok(())
    }
}
