//! The coming period of each company and metric, predicted before its actual arrives.
//!
//! A company and metric's *coming period* is the first period after its latest actual that has a
//! forecast known at the moment asked about and is not long over: one that ended more than
//! [`OVERDUE_AFTER_DAYS`] before that moment without an actual is overdue, not coming (a company
//! that stopped reporting, or was sold, is not predicted years on). Its prediction ([`predict`]) rests on the % errors of
//! every earlier period (each period's latest actual against the forecast known when it became
//! effective, as the variance table shows them): the same model, and the same moment (once the
//! previous period's actual is in), as the back-test in [`super::predict::back_test`], so the
//! back-tested figures describe what the heat map shows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::compare::VarianceLine;
use super::matching::{forecast_known_at, ForecastBasis, ForecastIndex};
use super::predict::{predict, Prediction};
use super::rules::RuleSpec;
use crate::fund::Metric;

/// The chance of an alert at which a coming period is flagged in the heat map. On the demo
/// history's back-test (`domain/tests/predictive_variance.rs`, figures in `docs/benchmarks.md`)
/// 20 of its 165 flagged predictions (12%) became real breaches, three times the base rate (4%);
/// of the 1,299 below it, 40 (3%) did.
pub const FLAG_CHANCE: f64 = 0.15;

/// Days after a period's end past which, still without an actual, it is no longer coming.
pub const OVERDUE_AFTER_DAYS: i64 = 120;

/// A period whose actual has not arrived, with its forecast and prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComingPeriod {
    pub company_id: Uuid,
    pub metric: Metric,
    pub period: NaiveDate,
    /// The latest forecast for the period known at the moment asked about.
    pub forecast: Decimal,
    pub prediction: Prediction,
}

/// For every company and metric in `lines` with enough history, its coming period as known at
/// `at`. `lines` are the variance lines of the actuals known at `at` (any order, revisions
/// included); `index` holds the forecasts known then. Unordered.
pub fn coming_periods(index: &ForecastIndex, lines: &[VarianceLine], rules: &[RuleSpec], at: DateTime<Utc>) -> Vec<ComingPeriod> {
    // Each period's latest actual: the one effective last, then the latest version.
    let mut latest: HashMap<(Uuid, Metric, NaiveDate), &VarianceLine> = HashMap::new();
    for l in lines {
        let slot = latest.entry((l.company_id, l.metric, l.period)).or_insert(l);
        if (l.effective_at, l.actual_version) > (slot.effective_at, slot.actual_version) {
            *slot = l;
        }
    }
    struct History {
        last_period: NaiveDate,
        errors: Vec<Decimal>,
    }
    let mut histories: HashMap<(Uuid, Metric), History> = HashMap::new();
    for ((company_id, metric, period), line) in latest {
        let h = histories.entry((company_id, metric)).or_insert(History { last_period: period, errors: Vec::new() });
        h.last_period = h.last_period.max(period);
        if !line.forecast.is_zero() {
            h.errors.extend(line.variance_pct);
        }
    }
    histories.retain(|_, h| h.errors.len() >= super::predict::MIN_HISTORY);
    // The first forecast period after each history's last actual, with a forecast known at `at`.
    let mut next: HashMap<(Uuid, Metric), (NaiveDate, Decimal)> = HashMap::new();
    let overdue_before = at.date_naive() - chrono::Duration::days(OVERDUE_AFTER_DAYS);
    for (company_id, metric, period, versions) in index.periods() {
        let Some(h) = histories.get(&(company_id, metric)) else { continue };
        if period <= h.last_period || period < overdue_before || next.get(&(company_id, metric)).is_some_and(|(p, _)| *p <= period) {
            continue;
        }
        if let Some((forecast, ForecastBasis::Known)) = forecast_known_at(versions, at) {
            next.insert((company_id, metric), (period, forecast.value));
        }
    }
    next.into_iter()
        .filter_map(|((company_id, metric), (period, forecast))| {
            let prediction = predict(&histories[&(company_id, metric)].errors, forecast, metric, rules)?;
            Some(ComingPeriod { company_id, metric, period, forecast, prediction })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::fund::ActualSource;
    use crate::variance::compare::compare_with;
    use crate::variance::facts::{ActualFact, ForecastVersion};
    use crate::variance::rules::{revenue_rule, Comparison, Severity, ThresholdUnit};

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    fn quarter_end(q: usize) -> NaiveDate {
        [(2025, 3, 31), (2025, 6, 30), (2025, 9, 30), (2025, 12, 31), (2026, 3, 31), (2026, 6, 30), (2026, 9, 30)]
            .map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())[q]
    }

    fn forecast(q: usize, value: i64, known: DateTime<Utc>, version: u64) -> ForecastVersion {
        ForecastVersion { company_id: Uuid::from_u128(1), metric: Metric::Revenue, period: quarter_end(q), value: Decimal::from(value), effective_at: known, recorded_at: known, version }
    }

    fn actual(q: usize, value: i64, version: u64) -> ActualFact {
        let at = Utc.from_utc_datetime(&quarter_end(q).and_hms_opt(0, 0, 0).unwrap()) + chrono::Duration::days(20);
        ActualFact { company_id: Uuid::from_u128(1), metric: Metric::Revenue, period: quarter_end(q), value: Decimal::from(value), source: ActualSource::Import, effective_at: at, recorded_at: at, version }
    }

    fn below_20() -> RuleSpec {
        revenue_rule(Comparison::Below, 20, ThresholdUnit::Percent)
    }

    #[test]
    fn given_four_quarters_of_misses_when_the_next_forecast_is_known_then_its_period_is_predicted_from_them() {
        // Forecasts of 100 for quarters 0–5, known at the start of 2025; the quarter-4 forecast
        // is revised to 200 in 2026-02. Actuals 70, 80, 70, 80 (errors −30, −20, −30, −20) and a
        // revision of quarter 3 to 75 (its latest: −25).
        let early = day(2025, 1, 1);
        let mut forecasts: Vec<ForecastVersion> = (0..6).map(|q| forecast(q, 100, early, q as u64 + 1)).collect();
        forecasts.push(forecast(4, 200, day(2026, 2, 1), 7));
        let mut actuals: Vec<ActualFact> = [70, 80, 70, 80].iter().enumerate().map(|(q, v)| actual(q, *v, 10 + q as u64)).collect();
        actuals.push(ActualFact { version: 20, effective_at: actuals[3].effective_at + chrono::Duration::days(5), ..actual(3, 75, 20) });
        let index = ForecastIndex::new(forecasts);
        let lines = compare_with(&index, &actuals);

        // In 2026-03: quarter 4 (2026-03-31) is next, at its revised forecast of 200.
        let coming = coming_periods(&index, &lines, &[below_20()], day(2026, 3, 1));
        assert_eq!(coming.len(), 1);
        let c = &coming[0];
        assert_eq!((c.period, c.forecast), (quarter_end(4), Decimal::from(200)));
        // Errors −30, −20, −30, −25: bias −26.25, sample sd = sqrt(68.75 / 3) = 4.7871.
        assert_eq!(c.prediction.expected_pct, Decimal::new(-2625, 2));
        assert_eq!(c.prediction.expected_actual, Decimal::new(14750, 2));
        assert_eq!((c.prediction.periods, c.prediction.likely_breach), (4, Some(Severity::Warning)));
        // P(error ≤ −20) = Φ(6.25 / 4.7871) = Φ(1.3056) = 0.9042.
        assert!((c.prediction.breach_chance - 0.9042).abs() < 0.001, "{}", c.prediction.breach_chance);

        // Before the revision was known, the original forecast of 100.
        let before = coming_periods(&index, &lines, &[below_20()], day(2026, 1, 15));
        assert_eq!(before[0].forecast, Decimal::from(100));
    }

    #[test]
    fn given_too_little_history_or_no_forecast_known_when_asked_then_there_is_no_coming_period() {
        let early = day(2025, 1, 1);
        let index = ForecastIndex::new((0..4).map(|q| forecast(q, 100, early, q as u64 + 1)));
        let three: Vec<ActualFact> = (0..3).map(|q| actual(q, 70, 10 + q as u64)).collect();
        assert!(coming_periods(&index, &compare_with(&index, &three), &[below_20()], day(2026, 1, 1)).is_empty(), "three periods of history");
        // Four periods of history and no forecast beyond them.
        let four: Vec<ActualFact> = (0..4).map(|q| actual(q, 70, 10 + q as u64)).collect();
        assert!(coming_periods(&index, &compare_with(&index, &four), &[below_20()], day(2026, 3, 1)).is_empty(), "nothing forecast after quarter 3");
        // A forecast for quarter 4 recorded only after the moment asked about.
        let late = ForecastIndex::new((0..4).map(|q| forecast(q, 100, early, q as u64 + 1)).chain([forecast(4, 100, day(2026, 2, 1), 9)]));
        assert!(coming_periods(&late, &compare_with(&late, &four), &[below_20()], day(2026, 1, 15)).is_empty(), "quarter 4's forecast not known yet");
        assert_eq!(coming_periods(&late, &compare_with(&late, &four), &[below_20()], day(2026, 2, 2)).len(), 1);
        // Quarter 4 (ends 2026-03-31) still without an actual 121 days after it ended: overdue.
        assert_eq!(coming_periods(&late, &compare_with(&late, &four), &[below_20()], day(2026, 7, 29)).len(), 1, "120 days on");
        assert!(coming_periods(&late, &compare_with(&late, &four), &[below_20()], day(2026, 7, 30)).is_empty(), "121 days on");
    }
}
