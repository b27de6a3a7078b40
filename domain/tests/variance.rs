//! Variance rules, given/when/then: forecast matching, figures, alert rules, cooldown, CSV rows.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::fund::{ActualSource, Metric};
use domain::variance::csv_rows::CsvContext;
use domain::variance::*;
use rust_decimal::Decimal;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::days(day as i64)
}

const ACME: Uuid = Uuid::from_u128(1);
fn period() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
}

fn forecast(version: u64, value: &str, effective: DateTime<Utc>, recorded: DateTime<Utc>) -> ForecastVersion {
    ForecastVersion { company_id: ACME, metric: Metric::Revenue, period: period(), value: d(value), effective_at: effective, recorded_at: recorded, version }
}

fn actual(version: u64, value: &str, effective: DateTime<Utc>) -> ActualFact {
    ActualFact {
        company_id: ACME,
        metric: Metric::Revenue,
        period: period(),
        value: d(value),
        source: ActualSource::Manual,
        effective_at: effective,
        recorded_at: effective,
        version,
    }
}

#[test]
fn given_a_reforecast_recorded_after_the_actual_when_compared_then_the_earlier_forecast_is_used() {
    let forecasts = vec![forecast(1, "100", at(0), at(0)), forecast(3, "50", at(1), at(40))];
    let lines = compare_all(forecasts, &[actual(2, "80", at(31))]);
    assert_eq!(lines[0].forecast, d("100"));
    assert_eq!(lines[0].forecast_basis, ForecastBasis::Known);
    assert_eq!(lines[0].variance, d("-20"));
    assert_eq!(lines[0].variance_pct, Some(d("-20")));
}

#[test]
fn given_a_backdated_forecast_recorded_after_the_actual_when_compared_then_it_is_not_known() {
    // Effective before the actual but recorded after it: nobody knew it at the time.
    let forecasts = vec![forecast(1, "100", at(0), at(0)), forecast(3, "90", at(10), at(50))];
    let line = &compare_all(forecasts, &[actual(2, "80", at(31))])[0];
    assert_eq!((line.forecast, line.forecast_version), (d("100"), 1));
}

#[test]
fn given_two_known_versions_when_compared_then_the_latest_known_wins() {
    let forecasts = vec![forecast(1, "100", at(0), at(0)), forecast(2, "90", at(20), at(20))];
    let line = &compare_all(forecasts, &[actual(3, "81", at(31))])[0];
    assert_eq!((line.forecast, line.variance_pct), (d("90"), Some(d("-10"))));
}

#[test]
fn given_only_forecasts_recorded_later_when_compared_then_the_earliest_recorded_is_used_and_marked() {
    let forecasts = vec![forecast(5, "120", at(0), at(60)), forecast(4, "100", at(0), at(45))];
    let line = &compare_all(forecasts, &[actual(2, "80", at(31))])[0];
    assert_eq!(line.forecast, d("100"));
    assert_eq!(line.forecast_basis, ForecastBasis::RecordedLater);
    assert_eq!(line.forecast_basis.as_str(), "recorded_later");
}

#[test]
fn given_no_forecast_for_the_period_when_compared_then_the_actual_is_left_out() {
    let mut f = forecast(1, "100", at(0), at(0));
    f.period = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    assert!(compare_all(vec![f], &[actual(2, "80", at(31))]).is_empty());
}

#[test]
fn variance_pct_is_relative_to_the_forecasts_magnitude() {
    let v = variance_of(d("-150"), d("-100"));
    assert_eq!((v.variance, v.variance_pct, v.direction), (d("-50"), Some(d("-50")), Direction::Below));
    let v = variance_of(d("125"), d("100"));
    assert_eq!((v.variance_pct, v.direction), (Some(d("25")), Direction::Above));
}

#[test]
fn a_zero_forecast_has_no_percentage_unless_the_actual_is_zero_too() {
    assert_eq!(variance_of(d("10"), d("0")).variance_pct, None);
    let v = variance_of(d("0"), d("0"));
    assert_eq!((v.variance_pct, v.direction), (Some(Decimal::ZERO), Direction::OnTarget));
}

fn rule(comparison: Comparison, threshold: &str, unit: ThresholdUnit) -> RuleSpec {
    RuleSpec {
        metric: Some(Metric::Revenue),
        comparison,
        threshold: d(threshold),
        unit,
        severity: Severity::Warning,
        channels: vec![Channel::InApp],
        cooldown_days: 30,
        enabled: true,
        adaptive: false,
    }
}

#[test]
fn given_a_below_20_percent_rule_then_it_fires_at_exactly_minus_20_and_not_at_minus_19() {
    let r = rule(Comparison::Below, "20", ThresholdUnit::Percent);
    assert!(r.breached_by(Metric::Revenue, &variance_of(d("80"), d("100"))));
    assert!(!r.breached_by(Metric::Revenue, &variance_of(d("81"), d("100"))));
    assert!(!r.breached_by(Metric::Revenue, &variance_of(d("130"), d("100"))));
    assert!(!r.breached_by(Metric::Ebitda, &variance_of(d("10"), d("100"))), "other metric");
}

#[test]
fn given_a_zero_forecast_then_percent_rules_stay_quiet_and_absolute_rules_fire() {
    let v = variance_of(d("500"), d("0"));
    assert!(!rule(Comparison::Outside, "10", ThresholdUnit::Percent).breached_by(Metric::Revenue, &v));
    assert!(rule(Comparison::Above, "100", ThresholdUnit::Absolute).breached_by(Metric::Revenue, &v));
    assert!(rule(Comparison::Outside, "100", ThresholdUnit::Absolute).breached_by(Metric::Revenue, &v));
}

#[test]
fn given_a_disabled_or_all_metric_rule_then_applies_to_follows() {
    let mut r = rule(Comparison::Outside, "5", ThresholdUnit::Percent);
    r.metric = None;
    assert!(r.breached_by(Metric::Arr, &variance_of(d("94"), d("100"))));
    r.enabled = false;
    assert!(!r.breached_by(Metric::Arr, &variance_of(d("94"), d("100"))));
}

#[test]
fn default_rules_grade_revenue_shortfalls_and_cash_burn_overruns() {
    let rules = RuleSpec::defaults();
    let line = |metric, actual: &str| {
        let mut f = forecast(1, "100", at(0), at(0));
        f.metric = metric;
        let mut a = actual_fact(metric, actual);
        a.metric = metric;
        compare_all(vec![f], &[a]).remove(0)
    };
    assert_eq!(line(Metric::Revenue, "79").severity(&rules), Some(Severity::Warning));
    assert_eq!(line(Metric::Revenue, "60").severity(&rules), Some(Severity::Critical));
    assert_eq!(line(Metric::Revenue, "95").severity(&rules), None);
    assert_eq!(line(Metric::CashBurn, "125").severity(&rules), Some(Severity::Warning));
    assert_eq!(line(Metric::CashBurn, "60").severity(&rules), None);
}

fn actual_fact(metric: Metric, value: &str) -> ActualFact {
    let mut a = actual(2, value, at(31));
    a.metric = metric;
    a
}

#[test]
fn invalid_rules_name_the_field() {
    let mut r = rule(Comparison::Below, "0", ThresholdUnit::Percent);
    assert_eq!(r.validate().unwrap_err().field(), "threshold");
    r.threshold = d("10");
    r.channels = vec![];
    assert_eq!(r.validate().unwrap_err().field(), "channels");
    r.channels = vec![Channel::Email, Channel::Email];
    assert_eq!(r.validate().unwrap_err().field(), "channels");
    r.channels = vec![Channel::Email];
    r.cooldown_days = 100_000;
    assert_eq!(r.validate().unwrap_err().field(), "cooldown_days");
}

#[test]
fn cooldown_is_measured_between_effective_dates_either_side() {
    assert!(in_cooldown(&[at(10)], at(20), 30));
    assert!(in_cooldown(&[at(40)], at(20), 30), "a back-filled earlier actual is within the window too");
    assert!(!in_cooldown(&[at(10)], at(40), 30));
    assert!(!in_cooldown(&[at(10)], at(10), 0));
    assert!(!in_cooldown(&[], at(10), 30));
}

fn directory() -> CompanyDirectory {
    CompanyDirectory::new([(ACME, "Acme Robotics"), (Uuid::from_u128(2), "Beta"), (Uuid::from_u128(3), "Beta")])
}

fn parse(text: &str) -> Result<Vec<CsvActual>, Vec<RowError>> {
    let dir = directory();
    parse_actuals_csv(text.as_bytes(), &CsvContext { companies: &dir, fund_start: Some(at(0) - Duration::days(400)), now: at(100) })
}

#[test]
fn given_a_valid_file_then_every_row_is_parsed_with_its_line() {
    let rows = parse(
        "company,metric,value,effective_date,period,source\n\
         Acme Robotics,REVENUE,1250000.00,2026-03-31,2026-03-31,import\n\
         00000000-0000-0000-0000-000000000001,cash burn,310000,2026-03-31T12:00:00Z,,\n",
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].line, rows[0].company_id, rows[0].period), (2, ACME, Some(period())));
    assert_eq!((rows[1].line, rows[1].metric, rows[1].source, rows[1].period), (3, Metric::CashBurn, ActualSource::Import, None));
}

#[test]
fn given_several_bad_rows_then_every_one_is_reported_with_line_column_and_reason() {
    let errors = parse(
        "company,metric,value,effective_date\n\
         Acme Robotics,REVENUE,100,2026-03-31\n\
         Nobody,REVENUE,100,2026-03-31\n\
         Acme Robotics,PROFIT,abc,2026-03-31\n\
         Acme Robotics,REVENUE,-5,2031-01-01\n\
         Beta,REVENUE,5,2026-03-31\n\
         Acme Robotics,REVENUE\n",
    )
    .unwrap_err();
    let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(
        got,
        vec![(3, "company"), (4, "metric"), (4, "value"), (5, "value"), (5, "effective_date"), (6, "company"), (7, "row")]
    );
    assert!(errors[0].reason.contains("Nobody"));
    assert!(errors[5].reason.contains("several companies"));
}

#[test]
fn given_a_bad_header_then_line_1_names_the_columns() {
    let errors = parse("company,metric,amount\nAcme Robotics,REVENUE,1\n").unwrap_err();
    let cols: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(cols, vec!["amount", "value", "effective_date"]);
    assert!(errors.iter().all(|e| e.line == 1));
    assert_eq!(parse("company,metric,value,effective_date\n").unwrap_err()[0].reason, "the file has no data rows");
}

#[test]
fn the_served_template_parses_against_its_own_companies() {
    let dir = CompanyDirectory::new([(ACME, "Acme Robotics"), ("6f1d1f1e-0000-4000-8000-000000000001".parse().unwrap(), "Other")]);
    let ctx = CsvContext { companies: &dir, fund_start: None, now: at(100) };
    assert_eq!(parse_actuals_csv(CSV_TEMPLATE.as_bytes(), &ctx).unwrap().len(), 3);
}
