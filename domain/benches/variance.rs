//! Variance for a whole fund: 50 companies × 5 metrics × 40 quarters (10,000 actuals against
//! 20,000 forecast versions — each period forecast twice), plus rule severities (budget ≤ 50 ms);
//! forecast accuracy over the same fund, forecasts indexed once as the page does (budget ≤ 20 ms);
//! and the heat map's latest cells.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use domain::fund::{ActualSource, Metric};
use domain::variance::{compare_all, forecast_accuracy, heat_cells, ActualFact, ForecastIndex, ForecastVersion, RuleSpec};
use rust_decimal::Decimal;
use uuid::Uuid;

fn fund() -> (Vec<ForecastVersion>, Vec<ActualFact>) {
    let start = Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).unwrap();
    let mut forecasts = Vec::new();
    let mut actuals = Vec::new();
    let mut version = 0u64;
    for c in 0..50u128 {
        let company_id = Uuid::from_u128(c + 1);
        for metric in Metric::ALL {
            for q in 0..40i64 {
                let period_end = start + Duration::days(91 * (q + 1));
                let period: NaiveDate = period_end.date_naive();
                for (made, bump) in [(period_end - Duration::days(120), 0i64), (period_end - Duration::days(30), 7)] {
                    version += 1;
                    forecasts.push(ForecastVersion {
                        company_id,
                        metric,
                        period,
                        value: Decimal::from(1_000_000 + q * 10_000 + bump * 1_000),
                        effective_at: made,
                        recorded_at: made,
                        version,
                    });
                }
                version += 1;
                let at = period_end + Duration::days(15);
                actuals.push(ActualFact {
                    company_id,
                    metric,
                    period,
                    value: Decimal::from(700_000 + (c as i64 * 7_919 + q * 104_729) % 700_000),
                    source: ActualSource::Import,
                    effective_at: at,
                    recorded_at: at,
                    version,
                });
            }
        }
    }
    (forecasts, actuals)
}

fn variance(c: &mut Criterion) {
    let (forecasts, actuals) = fund();
    let rules = RuleSpec::defaults();
    c.bench_function("variance/50x5x40_with_severity", |b| {
        b.iter(|| {
            let lines = compare_all(forecasts.iter().cloned(), &actuals);
            let breaches = lines.iter().filter(|l| l.severity(&rules).is_some()).count();
            assert_eq!(lines.len(), 10_000);
            std::hint::black_box(breaches)
        })
    });
}

fn accuracy(c: &mut Criterion) {
    let (forecasts, actuals) = fund();
    c.bench_function("variance/accuracy_50x5x40", |b| {
        b.iter(|| {
            let index = ForecastIndex::new(forecasts.iter().cloned());
            let records = forecast_accuracy(&index, &actuals);
            assert_eq!(records.len(), 250);
            std::hint::black_box(records)
        })
    });
}

fn heat_map(c: &mut Criterion) {
    let (forecasts, actuals) = fund();
    let rules = RuleSpec::defaults();
    let lines = compare_all(forecasts, &actuals);
    c.bench_function("variance/heat_map_50x5x40", |b| {
        b.iter(|| {
            let cells = heat_cells(&lines, &rules);
            assert_eq!(cells.len(), 250);
            std::hint::black_box(cells)
        })
    });
}

criterion_group!(benches, variance, accuracy, heat_map);
criterion_main!(benches);
