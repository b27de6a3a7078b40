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

#[test]
fn back_test_on_the_demo_history() {
    let events: Vec<FundEvent> = generate(&DemoSpec::demo_fund(seeded_on()))
        .into_iter()
        .enumerate()
        .map(|(i, e)| FundEvent { version: i as u64 + 1, effective_at: e.effective_at, recorded_at: e.recorded_at, payload: e.payload })
        .collect();
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

