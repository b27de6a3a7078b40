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
    for b in &result.by_chance {
        println!(
            "  chance {:>2}–{:>3}%: {:>4} periods, mean chance {:>5.1}%, {:>3} breached ({:.1}%)",
            b.from_pct,
            b.to_pct,
            b.periods,
            100.0 * b.mean_chance().unwrap_or(f64::NAN),
            b.breaches,
            100.0 * b.breach_rate().unwrap_or(f64::NAN),
        );
    }
    let brier_of_base = {
        let base = result.actual_breaches as f64 / result.predicted_periods as f64;
        base * (1.0 - base)
    };
    println!("  base rate {:.3}; Brier score of always saying the base rate {:.4}", result.actual_breaches as f64 / result.predicted_periods as f64, brier_of_base);
    assert_eq!(result.by_chance.iter().map(|b| b.periods).sum::<usize>(), result.predicted_periods, "every prediction is in one bucket");
    assert_eq!(result.by_chance.iter().map(|b| b.breaches).sum::<usize>(), result.actual_breaches);
    // The history is long enough to test on, and has both kinds of outcome.
    assert!(result.predicted_periods > 500, "{result:?}");
    assert!(result.actual_breaches > 0 && result.predicted_breaches > 0, "{result:?}");
    assert!(result.confirmed <= result.predicted_breaches && result.foreseen <= result.actual_breaches);
    assert_eq!(result.confirmed, result.foreseen, "a confirmed prediction is a foreseen breach");
}


/// What adaptive rules (fire only outside the company's usual error band, bias ± 2 × its spread,
/// from at least four earlier actuals) do to the demo inbox: the default rules, fixed and then
/// adaptive, planned one actual at a time in recorded order. An in-memory approximation: the
/// store's seeding folds whole import batches, so its own count differs (4 unread on 2026-12-02).
#[test]
fn adaptive_thresholds_on_the_demo_history() {
    use domain::variance::{compare_with, AlertPlan, BreachBook, BreachRule};
    use std::collections::HashMap;

    let events = demo_events();
    let (forecasts, mut actuals) = facts_from_events(&events);
    actuals.sort_by_key(|a| (a.recorded_at, a.version));
    let index = ForecastIndex::new(forecasts);
    let counts = |adaptive: bool| {
        let specs: Vec<RuleSpec> = RuleSpec::defaults().into_iter().map(|s| RuleSpec { adaptive, ..s }).collect();
        let descriptions: Vec<String> = specs.iter().map(|s| s.describe()).collect();
        let rules: Vec<BreachRule<'_>> = specs
            .iter()
            .zip(&descriptions)
            .enumerate()
            .map(|(i, (spec, d))| BreachRule { id: uuid::Uuid::from_u128(i as u128 + 1), description: d, spec })
            .collect();
        let mut book = BreachBook::new();
        let mut open: HashMap<uuid::Uuid, bool> = HashMap::new();
        let mut n = 0u128;
        for line in compare_with(&index, &actuals) {
            for plan in book.plan(std::slice::from_ref(&line), &rules, &mut || {
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
        (open.len(), open.values().filter(|o| **o).count())
    };
    let ((fixed_raised, fixed_open), (adaptive_raised, adaptive_open)) = (counts(false), counts(true));
    println!(
        "demo history, one alert per breach: fixed rules raise {fixed_raised} alerts, {fixed_open} open at the end; adaptive rules raise {adaptive_raised}, {adaptive_open} open"
    );
    assert!(adaptive_raised <= fixed_raised);
}

/// What the heat map flags on the demo fund as seeded: each company and metric's coming period,
/// predicted as known on the seeding day, flagged at `FLAG_CHANCE`.
#[test]
fn the_demo_heat_map_flags_some_coming_periods() {
    use domain::variance::{coming_periods, compare_with, FLAG_CHANCE};

    let events = demo_events();
    let (forecasts, actuals) = facts_from_events(&events);
    let index = ForecastIndex::new(forecasts);
    let lines = compare_with(&index, &actuals);
    let coming = coming_periods(&index, &lines, &RuleSpec::defaults(), seeded_on());
    let flagged: Vec<_> = coming.iter().filter(|c| c.prediction.breach_chance >= FLAG_CHANCE).collect();
    println!("demo heat map on the seeding day: {} coming periods predicted, {} flagged", coming.len(), flagged.len());
    for c in &flagged {
        println!("  {} {:?} {}: expected {}% ({}% to {}%), chance {:.0}%", c.company_id, c.metric, c.period, c.prediction.expected_pct, c.prediction.low_pct, c.prediction.high_pct, 100.0 * c.prediction.breach_chance);
    }
    assert!(!coming.is_empty(), "the demo has forecasts beyond its latest actuals");
    assert!(coming.iter().all(|c| c.prediction.periods >= domain::variance::MIN_HISTORY));
    assert!(!flagged.is_empty() && flagged.len() < coming.len(), "some, not all, are flagged: {} of {}", flagged.len(), coming.len());
}
