//! Forecast accuracy per company and metric: bias, mean absolute error, hit rate, by vintage.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::fund::{ActualSource, Metric};
use domain::variance::{forecast_accuracy, ActualFact, ForecastIndex, ForecastVersion};
use rust_decimal::Decimal;
use uuid::Uuid;

const ACME: Uuid = Uuid::from_u128(1);
const BOLT: Uuid = Uuid::from_u128(2);

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn quarter_end(q: u32) -> NaiveDate {
    [NaiveDate::from_ymd_opt(2025, 3, 31), NaiveDate::from_ymd_opt(2025, 6, 30), NaiveDate::from_ymd_opt(2025, 9, 30), NaiveDate::from_ymd_opt(2025, 12, 31)][q as usize].unwrap()
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
}

fn forecast(company: Uuid, version: u64, period: NaiveDate, days_before_end: i64, value: &str) -> ForecastVersion {
    let at = midnight(period) - Duration::days(days_before_end);
    ForecastVersion { company_id: company, metric: Metric::Revenue, period, value: d(value), effective_at: at, recorded_at: at, version }
}

fn actual(company: Uuid, version: u64, period: NaiveDate, days_after_end: i64, value: &str) -> ActualFact {
    let at = midnight(period) + Duration::days(days_after_end);
    ActualFact { company_id: company, metric: Metric::Revenue, period, value: d(value), source: ActualSource::Import, effective_at: at, recorded_at: at, version }
}

#[test]
fn a_founder_who_over_promises_has_a_negative_bias_and_early_plans_miss_more_than_late_ones() {
    let mut forecasts = Vec::new();
    let mut actuals = Vec::new();
    let mut v = 0;
    let mut next = || {
        v += 1;
        v
    };
    // Acme: plans 100 early (120 days out), 90 late (20 days out); actuals 80, 85, 90, 95.
    for (q, value) in ["80", "85", "90", "95"].into_iter().enumerate() {
        let p = quarter_end(q as u32);
        forecasts.push(forecast(ACME, next(), p, 120, "100"));
        forecasts.push(forecast(ACME, next(), p, 20, "90"));
        actuals.push(actual(ACME, next(), p, 15, value));
    }
    // Bolt: one period, a restated actual (the latest counts), and a forecast of zero elsewhere.
    forecasts.push(forecast(BOLT, next(), quarter_end(0), 60, "200"));
    actuals.push(actual(BOLT, next(), quarter_end(0), 10, "100"));
    actuals.push(actual(BOLT, next(), quarter_end(0), 40, "210"));
    forecasts.push(forecast(BOLT, next(), quarter_end(1), 60, "0"));
    actuals.push(actual(BOLT, next(), quarter_end(1), 10, "50"));

    let records = forecast_accuracy(&ForecastIndex::new(forecasts), &actuals);
    assert_eq!(records.len(), 2);
    let acme = &records[0];
    assert_eq!((acme.company_id, acme.metric), (ACME, Metric::Revenue));
    // Overall, the forecast known at each actual's date is the late one (90): errors −11.11, −5.56, 0, +5.56.
    assert_eq!(acme.overall.periods, 4);
    assert_eq!(acme.overall.bias_pct, Some(d("-2.78")));
    assert_eq!(acme.overall.mean_abs_error_pct, Some(d("5.56")));
    assert_eq!(acme.overall.hit_rate, Some(d("0.75")));
    // Early (100): errors −20, −15, −10, −5 → bias −12.5, hit rate 50% (−10 counts as a hit).
    assert_eq!(acme.early.periods, 4);
    assert_eq!(acme.early.bias_pct, Some(d("-12.5")));
    assert_eq!(acme.early.mean_abs_error_pct, Some(d("12.5")));
    assert_eq!(acme.early.hit_rate, Some(d("0.5")));
    assert_eq!(acme.late.periods, 4);

    let bolt = &records[1];
    // 210 against 200 (the restated actual), +5%; the zero forecast has no percentage.
    assert_eq!(bolt.overall.periods, 1);
    assert_eq!(bolt.overall.bias_pct, Some(d("5")));
    assert_eq!(bolt.overall.hit_rate, Some(d("1")));
    // 60 days out is neither early nor late.
    assert_eq!(bolt.early.periods, 0);
    assert_eq!(bolt.early.bias_pct, None);
    assert_eq!(bolt.late.periods, 0);
}

#[test]
fn a_forecast_recorded_after_the_actual_does_not_count_in_a_vintage() {
    let p = quarter_end(0);
    let mut late = forecast(ACME, 2, p, 10, "150");
    late.recorded_at = midnight(p) + Duration::days(30);
    let records = forecast_accuracy(&ForecastIndex::new([forecast(ACME, 1, p, 100, "100"), late]), &[actual(ACME, 3, p, 5, "100")]);
    assert_eq!(records[0].early.bias_pct, Some(d("0")));
    assert_eq!(records[0].late.periods, 0, "the late forecast was not known when the actual came in");
    assert_eq!(records[0].overall.bias_pct, Some(d("0")));
}

#[test]
fn no_actual_no_record() {
    assert!(forecast_accuracy(&ForecastIndex::new([forecast(ACME, 1, quarter_end(0), 100, "100")]), &[]).is_empty());
}
