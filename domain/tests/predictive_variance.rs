//! Predictive variance back-tested on the demo fund's history (seeded on a fixed day, so the
//! figures are reproducible): for every period with an actual and four earlier ones, a prediction
//! made when the previous period's actual arrived, against the fund's default rules.
//! `cargo test -p domain --test predictive_variance -- --nocapture` prints the figures that
//! `docs/benchmarks.md` records.

use chrono::{DateTime, TimeZone, Utc};
use domain::demo::{generate, DemoSpec};
use domain::fund::FundEvent;
use domain::variance::{back_test, facts_from_events, ForecastIndex, RuleSpec};

fn seeded_on() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 14, 30, 0).unwrap()
}

/// The demo fund's history as the store would number it.
fn demo_events() -> Vec<FundEvent> {
    generate(&DemoSpec::demo_fund(seeded_on()))
        .into_iter()
        .enumerate()
        .map(|(i, e)| FundEvent { version: i as u64 + 1, effective_at: e.effective_at, recorded_at: e.recorded_at, payload: e.payload })
        .collect()
}

#[test]
fn back_test_on_the_demo_history() {
    let events = demo_events();
    let (forecasts, actuals) = facts_from_events(&events);
    let result = back_test(&ForecastIndex::new(forecasts), &actuals, &RuleSpec::defaults());
    println!(
        "demo back-test: {} periods predicted, {} predicted breaches, {} came true (precision {:.3}); {} real breaches, {} foreseen (recall {:.3})",
        result.predicted_periods,
        result.predicted_breaches,
        result.confirmed,
        result.precision().unwrap_or(f64::NAN),
        result.actual_breaches,
        result.foreseen,
        result.recall().unwrap_or(f64::NAN),
    );
    // The history is long enough to test on, and has both kinds of outcome.
    assert!(result.predicted_periods > 500, "{result:?}");
    assert!(result.actual_breaches > 0 && result.predicted_breaches > 0, "{result:?}");
    assert!(result.confirmed <= result.predicted_breaches && result.foreseen <= result.actual_breaches);
    assert_eq!(result.confirmed, result.foreseen, "a confirmed prediction is a foreseen breach");
}


/// What "adaptive" thresholds (fire only outside the company's usual error band, bias ± 2 × its
/// spread, from at least four earlier periods known by then) would do to the demo inbox: alerts
/// planned one actual at a time in recorded order, one alert per breach, with and without the
/// band. An in-memory approximation for deciding whether to build the rule option: the store's
/// seeding folds whole import batches, so its own count differs (83 unread on 2026-12-02).
#[test]
fn adaptive_thresholds_on_the_demo_history() {
    use domain::variance::{compare_with, AlertPlan, BreachBook, BreachRule, ErrorBand};
    use std::collections::HashMap;

    let events = demo_events();
    let (forecasts, mut actuals) = facts_from_events(&events);
    actuals.sort_by_key(|a| (a.recorded_at, a.version));
    let index = ForecastIndex::new(forecasts);
    let specs = RuleSpec::defaults();
    let descriptions: Vec<String> = specs.iter().map(|s| s.describe()).collect();
    let rules: Vec<BreachRule<'_>> = specs
        .iter()
        .zip(&descriptions)
        .enumerate()
        .map(|(i, (spec, d))| BreachRule { id: uuid::Uuid::from_u128(i as u128 + 1), description: d, spec })
        .collect();
    let open_after = |adaptive: bool| {
        let mut book = BreachBook::new();
        let mut open: HashMap<uuid::Uuid, bool> = HashMap::new();
        let mut history: HashMap<(uuid::Uuid, domain::fund::Metric), Vec<rust_decimal::Decimal>> = HashMap::new();
        let mut n = 0u128;
        for line in compare_with(&index, &actuals) {
            let key = (line.company_id, line.metric);
            let errors = history.entry(key).or_default();
            let usual = line.variance_pct.is_some_and(|p| ErrorBand::of(errors).is_some_and(|b| b.is_usual(p)));
            if let Some(p) = line.variance_pct {
                errors.push(p);
            }
            // Within the company's usual band, an adaptive rule does not fire: as if within plan.
            let in_force: &[BreachRule<'_>] = if adaptive && usual { &[] } else { &rules };
            for plan in book.plan(std::slice::from_ref(&line), in_force, &mut || {
                n += 1;
                uuid::Uuid::from_u128(n)
            }) {
                match plan {
                    AlertPlan::Raise { alert_id, resolution, .. } => {
                        open.insert(alert_id, resolution.is_none());
                    }
                    AlertPlan::Update { alert_id, .. } => {
                        open.insert(alert_id, true);
                    }
                    AlertPlan::Resolve { alert_id, .. } => {
                        open.insert(alert_id, false);
                    }
                }
            }
        }
        open.values().filter(|o| **o).count()
    };
    let (fixed, adaptive) = (open_after(false), open_after(true));
    println!("demo inbox, one alert per breach: fixed thresholds {fixed} open alerts, adaptive {adaptive}");
    assert!(adaptive <= fixed);
}
