//! The portfolio a reserve run looks at: the fund's size and reserves, and its companies.
use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::ReserveError;
use super::stage::Stage;
use super::variance_adjustment::{check_factor, GraduationAdjustment};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioInput {
    pub fund: FundInput,
    pub companies: Vec<CompanyInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundInput {
    /// Committed capital: the base of the per-company concentration cap.
    #[serde(deserialize_with = "super::amount::deserialize")]
    pub size: Decimal,
    /// Reserves the allocation may split among active companies (including what they hold today).
    #[serde(deserialize_with = "super::amount::deserialize")]
    pub available_reserves: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    /// Stable identifier; also keys the company's random streams, so its results do not depend on
    /// its position in the list.
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub stage: Stage,
    /// Total cost to date, deployed reserves included.
    #[serde(deserialize_with = "super::amount::deserialize")]
    pub invested: Decimal,
    /// Fully diluted ownership, a fraction in (0, 1].
    pub ownership: f64,
    /// Post-money valuation of the last round.
    #[serde(deserialize_with = "super::amount::deserialize")]
    pub post_money: Decimal,
    /// Follow-on capital earmarked for the company over its life, deployed part included.
    #[serde(default, deserialize_with = "super::amount::deserialize")]
    pub planned_reserves: Decimal,
    /// Follow-on capital already invested (part of `invested`).
    #[serde(default, deserialize_with = "super::amount::deserialize")]
    pub deployed_reserves: Decimal,
    /// Exited or written-off companies take no reserves and are not ranked.
    #[serde(default = "active_by_default")]
    pub active: bool,
    /// The fund's variance adjustment for this company (its rule named it), if any: the odds of
    /// each further round are multiplied by the factor (docs/reserves-model.md, "Variance adjustment").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<GraduationAdjustment>,
}

fn active_by_default() -> bool {
    true
}

impl CompanyInput {
    /// Reserve still held for the company: planned less deployed.
    pub fn current_reserve(&self) -> Decimal {
        self.planned_reserves - self.deployed_reserves
    }

    /// The first cheque: cost to date less follow-ons.
    pub fn initial_cheque(&self) -> Decimal {
        self.invested - self.deployed_reserves
    }
}

impl FundInput {
    /// The fund half of `PortfolioInput::validate`, for a fund whose companies were all excluded.
    pub fn validate(&self) -> Result<(), ReserveError> {
        if self.size <= Decimal::ZERO {
            return Err(ReserveError::invalid("fund.size", "must be positive"));
        }
        if self.available_reserves < Decimal::ZERO {
            return Err(ReserveError::invalid(
                "fund.available_reserves",
                "must not be negative",
            ));
        }
        Ok(())
    }
}

impl PortfolioInput {
    /// Checks ranges and consistency; the error names the field as in the JSON portfolio.
    pub fn validate(&self) -> Result<(), ReserveError> {
        self.fund.validate()?;
        if self.companies.is_empty() {
            return Err(ReserveError::invalid(
                "companies",
                "must list at least one company",
            ));
        }
        let mut ids = HashSet::new();
        for (i, c) in self.companies.iter().enumerate() {
            let field = |name: &str| format!("companies[{i}].{name}");
            if c.id.trim().is_empty() {
                return Err(ReserveError::invalid(field("id"), "must not be empty"));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(ReserveError::invalid(
                    field("id"),
                    format!("\"{}\" appears more than once", c.id),
                ));
            }
            if c.invested <= Decimal::ZERO {
                return Err(ReserveError::invalid(field("invested"), "must be positive"));
            }
            if !(c.ownership > 0.0 && c.ownership <= 1.0) {
                return Err(ReserveError::invalid(
                    field("ownership"),
                    "must be in (0, 1]",
                ));
            }
            if c.post_money <= Decimal::ZERO {
                return Err(ReserveError::invalid(
                    field("post_money"),
                    "must be positive",
                ));
            }
            if c.planned_reserves < Decimal::ZERO {
                return Err(ReserveError::invalid(
                    field("planned_reserves"),
                    "must not be negative",
                ));
            }
            if c.deployed_reserves < Decimal::ZERO {
                return Err(ReserveError::invalid(
                    field("deployed_reserves"),
                    "must not be negative",
                ));
            }
            if c.deployed_reserves > c.planned_reserves {
                return Err(ReserveError::invalid(
                    field("deployed_reserves"),
                    "must not exceed planned_reserves",
                ));
            }
            if c.deployed_reserves >= c.invested {
                return Err(ReserveError::invalid(
                    field("deployed_reserves"),
                    "must be below invested, which includes it along with the initial cheque",
                ));
            }
            if let Some(adjustment) = &c.adjustment {
                check_factor(&field("adjustment.factor"), adjustment.factor)?;
            }
        }
        Ok(())
    }
}
