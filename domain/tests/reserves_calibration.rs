//! The default model against the published spread of venture outcomes (docs/reserves-model.md,
//! "Calibration check").
#![cfg(feature = "engine")]

use domain::reserves::{moic_spread, ModelParams, MoicSpread, Stage, CORRELATION_VENTURES};

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
