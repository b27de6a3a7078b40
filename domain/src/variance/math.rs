//! Variance figures.
//!
//! variance = actual − forecast; variance % = variance / |forecast| × 100 (a percentage, rounded
//! to 4 decimal places). When the forecast is 0 the percentage is undefined — `None`, shown
//! "n/a" — unless the actual is 0 too, which is exactly on target (0%). Rules with a percentage
//! threshold never fire on an undefined percentage; rules with an absolute threshold still do.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Above,
    Below,
    OnTarget,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Above => "above",
            Direction::Below => "below",
            Direction::OnTarget => "on_target",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarianceFigures {
    pub variance: Decimal,
    /// Percent of the forecast's magnitude (−25 means 25% below); `None` when undefined.
    pub variance_pct: Option<Decimal>,
    pub direction: Direction,
}

pub fn variance_of(actual: Decimal, forecast: Decimal) -> VarianceFigures {
    let variance = actual - forecast;
    let variance_pct = if forecast.is_zero() {
        variance.is_zero().then_some(Decimal::ZERO)
    } else {
        variance
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|v| v.checked_div(forecast.abs()))
            .map(|p| p.round_dp(4).normalize())
    };
    let direction = match variance.cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => Direction::Above,
        std::cmp::Ordering::Less => Direction::Below,
        std::cmp::Ordering::Equal => Direction::OnTarget,
    };
    VarianceFigures { variance: variance.normalize(), variance_pct, direction }
}
