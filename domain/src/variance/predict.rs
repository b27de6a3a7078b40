//! Predictive variance: from a company's record of forecast errors for a metric, the likely actual
//! of a period whose actual has not arrived yet, and whether it is likely to breach a rule.
//!
//! **The model.** The errors are the % variances of earlier periods (each period's latest
//! actual against the forecast known when it became effective, as the variance table shows them).
//! With at least [`MIN_HISTORY`] of them, the expected error is their mean (the company's
//! *bias*), and the interval is bias ± 2 × their sample standard deviation (its *spread*). The
//! expected actual is the forecast corrected by the bias. A period is a **likely breach** when the
//! expected error itself breaches a rule, at that rule's severity.
//!
//! **The back-test** ([`back_test`]) replays a history without looking ahead. For each period with
//! an actual, it predicts at the moment the *previous* period's actual arrived (was recorded). It uses only the
//! errors known by then, and the latest forecast for the period known by then. It then compares
//! the predicted breach with the breach that actually happened.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::chance::breach_chance;
use super::facts::ActualFact;
use super::matching::{forecast_known_at, ForecastBasis, ForecastIndex};
use super::math::{variance_of, VarianceFigures};
use super::rules::{RuleSpec, Severity};
use crate::fund::Metric;

/// Fewest earlier periods a prediction is made from.
pub const MIN_HISTORY: usize = 4;

/// The likely outcome of one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The company's mean % error (bias) over the history used.
    pub expected_pct: Decimal,
    /// bias ± 2 × spread, in % of the forecast.
    pub low_pct: Decimal,
    pub high_pct: Decimal,
    /// The forecast corrected by the bias.
    pub expected_actual: Decimal,
    /// How many earlier periods it rests on.
    pub periods: usize,
    /// The highest severity the expected error reaches under the rules, if any.
    pub likely_breach: Option<Severity>,
    /// The chance (0 to 1) that the actual breaches at least one rule, with the errors normal
    /// around the bias ([`breach_chance`]).
    pub breach_chance: f64,
}

/// The prediction for a period forecast at `forecast`, from earlier % errors (any order); `None`
/// with fewer than [`MIN_HISTORY`] errors.
pub fn predict(errors_pct: &[Decimal], forecast: Decimal, metric: Metric, rules: &[RuleSpec]) -> Option<Prediction> {
    let band = ErrorBand::of(errors_pct)?;
    let ErrorBand { bias, spread, .. } = band;
    let expected_actual = forecast + forecast.abs() * bias / Decimal::ONE_HUNDRED;
    let figures = variance_of(expected_actual, forecast);
    let likely_breach = rules.iter().filter(|r| r.breached_by(metric, &figures)).map(|r| r.severity).max();
    Some(Prediction {
        expected_pct: bias.round_dp(2),
        low_pct: (bias - Decimal::TWO * spread).round_dp(2),
        high_pct: (bias + Decimal::TWO * spread).round_dp(2),
        expected_actual: expected_actual.round_dp(2),
        periods: errors_pct.len(),
        likely_breach,
        breach_chance: breach_chance(&band, forecast, metric, rules),
    })
}

/// A company's usual error for a metric: the mean and sample standard deviation of its earlier
/// % errors, from at least [`MIN_HISTORY`] of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorBand {
    pub bias: Decimal,
    pub spread: Decimal,
    pub periods: usize,
}

impl ErrorBand {
    pub fn of(errors_pct: &[Decimal]) -> Option<ErrorBand> {
        if errors_pct.len() < MIN_HISTORY {
            return None;
        }
        let n = Decimal::from(errors_pct.len());
        let bias = errors_pct.iter().sum::<Decimal>() / n;
        let variance = errors_pct.iter().map(|e| (e - bias) * (e - bias)).sum::<Decimal>() / (n - Decimal::ONE);
        let spread = Decimal::from_f64_retain(variance.to_f64().unwrap_or(0.0).sqrt()).unwrap_or_default();
        Some(ErrorBand { bias, spread, periods: errors_pct.len() })
    }

    /// Whether `pct` lies within bias ± 2 × spread: an error this company usually makes.
    pub fn is_usual(&self, pct: Decimal) -> bool {
        (pct - self.bias).abs() <= Decimal::TWO * self.spread
    }
}

/// How often predicted breaches came true over a history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackTest {
    /// Periods a prediction could be made for (enough history and a forecast known in time).
    pub predicted_periods: usize,
    /// Of those, predicted to breach a rule.
    pub predicted_breaches: usize,
    /// Predicted breaches whose actual did breach a rule.
    pub confirmed: usize,
    /// Periods among `predicted_periods` whose actual breached a rule.
    pub actual_breaches: usize,
    /// Actual breaches that had been predicted.
    pub foreseen: usize,
    /// The predictions by their breach chance ([`CHANCE_BUCKETS`]): how many, and how many of
    /// them breached. A well-calibrated chance breaches about as often as it says.
    pub by_chance: Vec<ChanceBucket>,
}

/// Bounds, in whole percent, of the back-test's chance buckets: 0–5, 5–15, 15–30, 30–50, 50–100.
pub const CHANCE_BUCKETS: [u32; 6] = [0, 5, 15, 30, 50, 100];

/// Predictions whose breach chance was at least `from_pct` and below `to_pct` (up to 100 included).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChanceBucket {
    pub from_pct: u32,
    pub to_pct: u32,
    pub periods: usize,
    pub breaches: usize,
    /// The sum of the chances given, in basis points (so the mean chance is exact to 0.01%).
    pub chance_bp: u64,
}

impl ChanceBucket {
    fn buckets() -> Vec<ChanceBucket> {
        CHANCE_BUCKETS.windows(2).map(|w| ChanceBucket { from_pct: w[0], to_pct: w[1], ..ChanceBucket::default() }).collect()
    }

    /// The mean chance given, 0 to 1.
    pub fn mean_chance(&self) -> Option<f64> {
        (self.periods > 0).then(|| self.chance_bp as f64 / 10_000.0 / self.periods as f64)
    }

    /// How often these predictions breached, 0 to 1.
    pub fn breach_rate(&self) -> Option<f64> {
        (self.periods > 0).then(|| self.breaches as f64 / self.periods as f64)
    }
}

impl BackTest {
    /// Share of predicted breaches that became real ones.
    pub fn precision(&self) -> Option<f64> {
        (self.predicted_breaches > 0).then(|| self.confirmed as f64 / self.predicted_breaches as f64)
    }

    /// Share of real breaches that had been predicted.
    pub fn recall(&self) -> Option<f64> {
        (self.actual_breaches > 0).then(|| self.foreseen as f64 / self.actual_breaches as f64)
    }
}

/// One period of a company and metric, with its latest actual and the error against the forecast
/// known when that actual became effective.
struct Outcome<'a> {
    period: NaiveDate,
    actual: &'a ActualFact,
    /// `None` without a forecast to compare with (or a forecast of zero).
    figures: Option<VarianceFigures>,
}

impl Outcome<'_> {
    fn error_pct(&self) -> Option<Decimal> {
        self.figures.as_ref().and_then(|f| f.variance_pct)
    }
}

/// Replays the history of `actuals` against `index` (see the module documentation).
pub fn back_test(index: &ForecastIndex, actuals: &[ActualFact], rules: &[RuleSpec]) -> BackTest {
    let mut latest: BTreeMap<(Uuid, Metric, NaiveDate), &ActualFact> = BTreeMap::new();
    for a in actuals {
        let key = (a.company_id, a.metric, a.period);
        if latest.get(&key).is_none_or(|b| (a.effective_at, a.version) >= (b.effective_at, b.version)) {
            latest.insert(key, a);
        }
    }
    let mut series: BTreeMap<(Uuid, Metric), Vec<Outcome<'_>>> = BTreeMap::new();
    for ((company_id, metric, period), actual) in latest {
        let figures = index.for_actual(actual).filter(|(f, _)| !f.value.is_zero()).map(|(f, _)| variance_of(actual.value, f.value));
        series.entry((company_id, metric)).or_default().push(Outcome { period, actual, figures });
    }
    let mut result = BackTest { by_chance: ChanceBucket::buckets(), ..BackTest::default() };
    for ((company_id, metric), outcomes) in &series {
        // BTreeMap order: periods ascending.
        for i in 1..outcomes.len() {
            let target = &outcomes[i];
            let Some(truth) = target.figures.as_ref() else { continue };
            // When the previous period's actual was known: effective, and recorded.
            let previous = outcomes[i - 1].actual;
            let moment: DateTime<Utc> = previous.effective_at.max(previous.recorded_at);
            let known: Vec<Decimal> =
                outcomes[..i].iter().filter(|o| o.actual.effective_at <= moment && o.actual.recorded_at <= moment).filter_map(Outcome::error_pct).collect();
            let versions = index.versions(*company_id, *metric, target.period);
            let Some((forecast, basis)) = forecast_known_at(versions, moment) else { continue };
            if basis != ForecastBasis::Known {
                continue;
            }
            let Some(prediction) = predict(&known, forecast.value, *metric, rules) else { continue };
            let real = rules.iter().any(|r| r.breached_by(*metric, truth));
            result.predicted_periods += 1;
            let pct = prediction.breach_chance * 100.0;
            if let Some(bucket) = result.by_chance.iter_mut().find(|b| pct < f64::from(b.to_pct) || b.to_pct == 100) {
                bucket.periods += 1;
                bucket.breaches += usize::from(real);
                bucket.chance_bp += (prediction.breach_chance * 10_000.0).round() as u64;
            }
            if prediction.likely_breach.is_some() {
                result.predicted_breaches += 1;
                result.confirmed += usize::from(real);
            }
            if real {
                result.actual_breaches += 1;
                result.foreseen += usize::from(prediction.likely_breach.is_some());
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::fund::ActualSource;
    use crate::variance::facts::ForecastVersion;
    use crate::variance::rules::{revenue_rule, Comparison, ThresholdUnit};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn below(threshold: i64, severity: Severity) -> RuleSpec {
        RuleSpec { severity, ..revenue_rule(Comparison::Below, threshold, ThresholdUnit::Percent) }
    }

    #[test]
    fn given_a_founder_who_misses_by_20_to_30_percent_when_predicting_then_the_forecast_is_cut_by_the_bias() {
        // Errors −20, −30, −20, −30: bias −25, sample sd = sqrt(100/3) = 5.7735.
        let errors = [d("-20"), d("-30"), d("-20"), d("-30")];
        let p = predict(&errors, d("1000000"), Metric::Revenue, &[below(20, Severity::Warning), below(40, Severity::Critical)]).unwrap();
        assert_eq!(p.expected_pct, d("-25"));
        assert_eq!(p.expected_actual, d("750000"));
        assert_eq!((p.low_pct, p.high_pct), (d("-36.55"), d("-13.45")));
        assert_eq!((p.periods, p.likely_breach), (4, Some(Severity::Warning)));
    }

    #[test]
    fn given_fewer_than_four_periods_when_predicting_then_there_is_no_prediction() {
        assert_eq!(predict(&[d("-50"), d("-50"), d("-50")], d("100"), Metric::Revenue, &[below(20, Severity::Warning)]), None);
    }

    #[test]
    fn given_a_history_when_back_tested_then_each_period_is_predicted_only_from_what_was_known_before_it() {
        // Six quarters, forecasts of 100 known 100 days ahead; actuals 30 days after each quarter:
        // 70, 75, 70, 75 (a chronic −25% to −30%), then 72 (a breach, foreseen) and 100 (not a
        // breach, but predicted as one: a false alarm).
        let company = Uuid::from_u128(1);
        let quarter = |q: i64| NaiveDate::from_ymd_opt(2025, 3, 31).unwrap() + Duration::days(91 * q);
        let at = |day: NaiveDate, offset: i64| Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap()) + Duration::days(offset);
        let mut forecasts = Vec::new();
        let mut actuals = Vec::new();
        for (q, value) in ["70", "75", "70", "75", "72", "100"].into_iter().enumerate() {
            let period = quarter(q as i64);
            let v = 10 * q as u64;
            forecasts.push(ForecastVersion { company_id: company, metric: Metric::Revenue, period, value: d("100"), effective_at: at(period, -100), recorded_at: at(period, -100), version: v + 1 });
            actuals.push(ActualFact { company_id: company, metric: Metric::Revenue, period, value: d(value), source: ActualSource::Import, effective_at: at(period, 30), recorded_at: at(period, 30), version: v + 2 });
        }
        let result = back_test(&ForecastIndex::new(forecasts), &actuals, &[below(20, Severity::Warning)]);
        assert_eq!(
            (result.predicted_periods, result.predicted_breaches, result.confirmed, result.actual_breaches, result.foreseen),
            (2, 2, 1, 1, 1),
            "quarters 5 and 6 have four earlier periods"
        );
        // Quarter 5 from errors −30, −25, −30, −25 (bias −27.5, sd 2.887): P(≤ −20) = Φ(2.598) =
        // 0.9953; quarter 6 adds −28 (bias −27.6, sd 2.510): Φ(3.028) = 0.9988. Both in 50–100,
        // where one of the two breached.
        let top = result.by_chance.last().unwrap();
        assert_eq!((top.from_pct, top.periods, top.breaches), (50, 2, 1));
        assert!((top.mean_chance().unwrap() - 0.997).abs() < 0.001, "{top:?}");
        assert!(result.by_chance[..4].iter().all(|b| b.periods == 0));
        assert_eq!((result.precision(), result.recall()), (Some(0.5), Some(1.0)));
    }
}
