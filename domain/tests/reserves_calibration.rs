//! The default model against the published spread of venture outcomes (docs/reserves-model.md,
//! "Calibration check").
#![cfg(feature = "engine")]

use domain::reserves::{
    moic_spread, outcome_spread_by_stage, ModelParams, MoicSpread, Stage, CORRELATION_VENTURES,
    PUBLISHED_LOSS_RATES,
};

/// 200K cheques: the sampling error of each share is below 0.12 points, far inside the 3-point band.
const CHEQUES: u32 = 200_000;
const TOLERANCE: f64 = 0.03;

fn buckets(s: &MoicSpread) -> [(&'static str, f64); 4] {
    [
        ("< 1x", s.below_1x),
        ("1-5x", s.from_1x_to_5x),
        ("5-10x", s.from_5x_to_10x),
        (">= 10x", s.at_least_10x),
    ]
}

#[test]
fn given_default_model_when_seed_cheque_has_no_reserves_then_outcomes_match_correlation_ventures_within_3_points(
) {
    let spread = moic_spread(Stage::Seed, &ModelParams::default(), CHEQUES, 2024);
    println!("seed cheque, no reserves, {CHEQUES} paths: {spread:?}");
    for ((name, got), (_, want)) in buckets(&spread)
        .into_iter()
        .zip(buckets(&CORRELATION_VENTURES))
    {
        assert!(
            (got - want).abs() <= TOLERANCE,
            "{name}: simulated {:.1}% vs published {:.1}%",
            got * 100.0,
            want * 100.0
        );
    }
}

/// A cheque entering at `stage` with no reserves loses money as often as the published loss rate for
/// that stage says, within 3 points.
fn assert_loss_rate_matches_published(stage: Stage) {
    let published = PUBLISHED_LOSS_RATES
        .iter()
        .find(|p| p.stage == stage)
        .expect("a published figure for the stage");
    let spread = moic_spread(stage, &ModelParams::default(), CHEQUES, 2024);
    println!("{stage:?} cheque, no reserves, {CHEQUES} paths: {spread:?}");
    assert!(
        (spread.below_1x - published.below_1x).abs() <= TOLERANCE,
        "{stage:?} < 1x: simulated {:.1}% vs published {:.1}% ({})",
        spread.below_1x * 100.0,
        published.below_1x * 100.0,
        published.source
    );
}

#[test]
fn given_default_model_when_series_a_cheque_has_no_reserves_then_it_loses_money_as_often_as_published_within_3_points(
) {
    assert_loss_rate_matches_published(Stage::SeriesA);
}

#[test]
fn given_default_model_when_series_b_cheque_has_no_reserves_then_it_loses_money_as_often_as_published_within_3_points(
) {
    assert_loss_rate_matches_published(Stage::SeriesB);
}

#[test]
fn given_default_model_when_series_c_cheque_has_no_reserves_then_it_loses_money_as_often_as_published_within_3_points(
) {
    assert_loss_rate_matches_published(Stage::SeriesC);
}

#[test]
fn given_default_model_when_series_d_plus_cheque_has_no_reserves_then_it_loses_money_as_often_as_published_within_3_points(
) {
    assert_loss_rate_matches_published(Stage::SeriesDPlus);
}

#[test]
fn given_default_model_when_spread_by_stage_is_computed_then_it_covers_seed_to_d_plus_and_risk_and_mean_fall_with_stage(
) {
    let rows = outcome_spread_by_stage(&ModelParams::default(), CHEQUES, 2024);
    let stages: Vec<Stage> = rows.iter().map(|r| r.stage).collect();
    assert_eq!(
        stages,
        [
            Stage::Seed,
            Stage::SeriesA,
            Stage::SeriesB,
            Stage::SeriesC,
            Stage::SeriesDPlus
        ]
    );
    for r in &rows {
        println!(
            "{:?}: {:.1}% / {:.1}% / {:.1}% / {:.1}%, mean {:.2}x",
            r.stage,
            r.spread.below_1x * 100.0,
            r.spread.from_1x_to_5x * 100.0,
            r.spread.from_5x_to_10x * 100.0,
            r.spread.at_least_10x * 100.0,
            r.mean_multiple
        );
    }
    assert!(rows
        .windows(2)
        .all(|w| w[0].spread.below_1x > w[1].spread.below_1x));
    assert!(rows
        .windows(2)
        .all(|w| w[0].mean_multiple > w[1].mean_multiple));
    // Each row is the single-stage spread on the same seed.
    assert_eq!(
        rows[2].spread,
        moic_spread(Stage::SeriesB, &ModelParams::default(), CHEQUES, 2024)
    );
}

#[test]
fn given_published_loss_rates_then_every_row_names_its_source_and_seed_agrees_with_correlation_ventures(
) {
    for p in &PUBLISHED_LOSS_RATES {
        assert!(p.source.len() > 20, "{:?} has no source", p.stage);
    }
    assert_eq!(PUBLISHED_LOSS_RATES[0].stage, Stage::Seed);
    assert_eq!(
        PUBLISHED_LOSS_RATES[0].below_1x,
        CORRELATION_VENTURES.below_1x
    );
}

#[test]
fn given_default_model_when_spread_is_computed_then_shares_sum_to_one() {
    let s = moic_spread(Stage::Seed, &ModelParams::default(), 10_000, 7);
    let total = s.below_1x + s.from_1x_to_5x + s.from_5x_to_10x + s.at_least_10x;
    assert!((total - 1.0).abs() < 1e-12);
}

#[test]
fn given_documented_uncalibrated_exit_rates_when_seed_cheque_is_simulated_then_losses_exceed_the_band(
) {
    // Why the exit rates were calibrated: with the model document's 0.05/0.08/0.10/0.12/0.20 (and the
    // exit multiple it names) far more than 65% + 3 points of seed cheques lose money.
    let mut model = ModelParams::default();
    for (stage, exit) in [
        (Stage::PreSeed, 0.05),
        (Stage::Seed, 0.08),
        (Stage::SeriesA, 0.10),
        (Stage::SeriesB, 0.12),
        (Stage::SeriesC, 0.20),
    ] {
        let p = model.stages.get_mut(stage);
        p.exit.value = exit;
        p.exit_multiple_sigma.value = 1.0;
    }
    let spread = moic_spread(Stage::Seed, &model, 50_000, 2024);
    println!("documented exit rates: {spread:?}");
    assert!(spread.below_1x > CORRELATION_VENTURES.below_1x + TOLERANCE);
}

#[test]
fn given_default_model_then_every_parameter_names_its_source() {
    let model = ModelParams::default();
    for stage in Stage::ALL {
        let p = model.stages.get(stage);
        for source in [
            &p.graduation.source,
            &p.exit.source,
            &p.step_up_median.source,
            &p.step_up_sigma.source,
            &p.dilution_min.source,
            &p.dilution_max.source,
            &p.exit_multiple_median.source,
            &p.exit_multiple_sigma.source,
            &p.years.source,
        ] {
            assert!(
                source.len() > 10,
                "{stage:?} has a parameter without a source"
            );
        }
    }
    assert!(!model.liquidation_preference.source.is_empty());
}
