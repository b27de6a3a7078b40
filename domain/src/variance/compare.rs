//! Every actual of a fund against its forecast, in one pass.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::facts::{ActualFact, ForecastVersion};
use super::matching::{ForecastBasis, ForecastIndex};
use super::math::{variance_of, Direction, VarianceFigures};
use super::rules::{RuleSpec, Severity};
use crate::fund::{ActualSource, Metric};

/// One actual compared with the forecast known at its effective date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarianceLine {
    pub company_id: Uuid,
    pub metric: Metric,
    pub period: NaiveDate,
    pub actual: Decimal,
    pub forecast: Decimal,
    pub forecast_version: u64,
    pub forecast_basis: ForecastBasis,
    pub variance: Decimal,
    pub variance_pct: Option<Decimal>,
    pub direction: Direction,
    pub source: ActualSource,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub actual_version: u64,
}

impl VarianceLine {
    pub fn new(actual: &ActualFact, forecast: &ForecastVersion, basis: ForecastBasis) -> Self {
        let VarianceFigures { variance, variance_pct, direction } = variance_of(actual.value, forecast.value);
        VarianceLine {
            company_id: actual.company_id,
            metric: actual.metric,
            period: actual.period,
            actual: actual.value,
            forecast: forecast.value,
            forecast_version: forecast.version,
            forecast_basis: basis,
            variance,
            variance_pct,
            direction,
            source: actual.source,
            effective_at: actual.effective_at,
            recorded_at: actual.recorded_at,
            actual_version: actual.version,
        }
    }

    pub fn figures(&self) -> VarianceFigures {
        VarianceFigures { variance: self.variance, variance_pct: self.variance_pct, direction: self.direction }
    }

    /// The highest severity among the rules this line breaches (cooldown aside), if any.
    pub fn severity(&self, rules: &[RuleSpec]) -> Option<Severity> {
        let figures = self.figures();
        rules.iter().filter(|r| r.breached_by(self.metric, &figures)).map(|r| r.severity).max()
    }
}

/// Compares every actual with its forecast; actuals without any forecast for their period are
/// left out (there is nothing to compare). Output is in the actuals' order.
pub fn compare_all(forecasts: impl IntoIterator<Item = ForecastVersion>, actuals: &[ActualFact]) -> Vec<VarianceLine> {
    compare_with(&ForecastIndex::new(forecasts), actuals)
}

/// `compare_all` with the forecasts indexed already (when the index serves other figures too).
pub fn compare_with(index: &ForecastIndex, actuals: &[ActualFact]) -> Vec<VarianceLine> {
    actuals
        .iter()
        .filter_map(|a| index.for_actual(a).map(|(f, basis)| VarianceLine::new(a, f, basis)))
        .collect()
}
