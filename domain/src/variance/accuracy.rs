//! Forecast accuracy: how far a company's forecasts land from its actuals, per metric, over every
//! period with an actual. Bias (mean signed % error: below zero, the founder over-promises),
//! accuracy (mean absolute % error) and hit rate (share of periods within ±10%), overall and by how
//! early the forecast was made.
//!
//! Each period counts once, with its latest actual (a restated actual replaces the first). Overall,
//! the actual is compared with the forecast known when it became effective, as the variance table
//! does. By vintage, with the latest forecast made more than [`EARLY_DAYS`] before the period's end
//! (early), or within [`LATE_DAYS`] of it (late); a period without such a forecast is left out of
//! that vintage. Periods whose forecast is zero have no percentage and are left out.

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::facts::{ActualFact, ForecastVersion};
use super::matching::ForecastIndex;
use super::math::variance_of;
use crate::fund::Metric;

/// A forecast made more than this many days before its period ends is "early".
pub const EARLY_DAYS: i64 = 90;
/// A forecast made at most this many days before its period ends (or after) is "late".
pub const LATE_DAYS: i64 = 30;
/// A period is a hit when the actual lands within this many percent of the forecast.
pub const HIT_BAND_PCT: i64 = 10;

/// Error statistics over some periods; the figures are `None` without any period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccuracyStats {
    pub periods: usize,
    /// Mean signed error, % of the forecast (−12.5 = actuals 12.5% below plan on average).
    pub bias_pct: Option<Decimal>,
    /// Mean absolute error, % of the forecast.
    pub mean_abs_error_pct: Option<Decimal>,
    /// Share of periods within ±10% of the forecast, 0–1.
    pub hit_rate: Option<Decimal>,
}

/// One company and metric's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastAccuracy {
    pub company_id: Uuid,
    pub metric: Metric,
    pub overall: AccuracyStats,
    /// Forecasts made more than 90 days before the period's end.
    pub early: AccuracyStats,
    /// Forecasts made within 30 days of the period's end.
    pub late: AccuracyStats,
}

/// One actual's % errors: against the forecast it is compared with (overall), and against the
/// latest early and late forecast made by its date (see the module). A function of the actual and
/// the forecasts alone, so it can be computed once per set of forecasts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodErrors {
    pub overall: Option<Decimal>,
    pub early: Option<Decimal>,
    pub late: Option<Decimal>,
}

/// `actual`'s errors against the forecasts in `index`.
pub fn period_errors(index: &ForecastIndex, actual: &ActualFact) -> PeriodErrors {
    let versions = index.versions(actual.company_id, actual.metric, actual.period);
    let end = crate::dates::end_of(actual.period);
    let pct = |f: &ForecastVersion| variance_of(actual.value, f.value).variance_pct.filter(|_| !f.value.is_zero());
    // Latest forecast made (and known) by the actual's date in each vintage.
    let made_by_actual = |f: &&ForecastVersion| f.effective_at <= actual.effective_at && f.recorded_at <= actual.effective_at;
    PeriodErrors {
        overall: index.for_actual(actual).and_then(|(f, _)| pct(f)),
        early: versions.iter().filter(made_by_actual).filter(|f| f.effective_at < end - Duration::days(EARLY_DAYS)).last().and_then(pct),
        late: versions.iter().filter(made_by_actual).filter(|f| f.effective_at >= end - Duration::days(LATE_DAYS)).last().and_then(pct),
    }
}

/// The record of every company and metric with at least one compared period, by company then metric.
pub fn forecast_accuracy(index: &ForecastIndex, actuals: &[ActualFact]) -> Vec<ForecastAccuracy> {
    accuracy_from(actuals.iter().map(|a| (a, period_errors(index, a))))
}

/// [`forecast_accuracy`] from actuals with their [`period_errors`] computed already.
pub fn accuracy_from<'a>(actuals: impl IntoIterator<Item = (&'a ActualFact, PeriodErrors)>) -> Vec<ForecastAccuracy> {
    // The latest actual of each period.
    let mut latest: HashMap<(Uuid, Metric, chrono::NaiveDate), (&ActualFact, PeriodErrors)> = HashMap::new();
    for (a, e) in actuals {
        let key = (a.company_id, a.metric, a.period);
        if latest.get(&key).is_none_or(|(b, _)| (a.effective_at, a.version) >= (b.effective_at, b.version)) {
            latest.insert(key, (a, e));
        }
    }
    let mut errors: BTreeMap<(Uuid, Metric), [Vec<Decimal>; 3]> = BTreeMap::new();
    for ((company_id, metric, _), (_, e)) in latest {
        if e.overall.is_none() && e.early.is_none() && e.late.is_none() {
            continue;
        }
        let slot = errors.entry((company_id, metric)).or_default();
        for (i, e) in [e.overall, e.early, e.late].into_iter().enumerate() {
            slot[i].extend(e);
        }
    }
    errors
        .into_iter()
        .map(|((company_id, metric), [overall, early, late])| ForecastAccuracy {
            company_id,
            metric,
            overall: stats(&overall),
            early: stats(&early),
            late: stats(&late),
        })
        .collect()
}

fn stats(errors: &[Decimal]) -> AccuracyStats {
    if errors.is_empty() {
        return AccuracyStats { periods: 0, bias_pct: None, mean_abs_error_pct: None, hit_rate: None };
    }
    let n = Decimal::from(errors.len());
    let sum: Decimal = errors.iter().sum();
    let abs: Decimal = errors.iter().map(|e| e.abs()).sum();
    let hits = errors.iter().filter(|e| e.abs() <= Decimal::from(HIT_BAND_PCT)).count();
    AccuracyStats {
        periods: errors.len(),
        bias_pct: Some((sum / n).round_dp(2).normalize()),
        mean_abs_error_pct: Some((abs / n).round_dp(2).normalize()),
        hit_rate: Some((Decimal::from(hits) / n).round_dp(4).normalize()),
    }
}
