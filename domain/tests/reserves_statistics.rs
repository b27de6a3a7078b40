//! The follow-on estimate against hand-computed values, and the variance common random numbers save.
#![cfg(feature = "engine")]

use std::sync::atomic::AtomicBool;

use domain::reserves::{
    parse_portfolio, run, ArmPairing, CompanyInput, FundInput, ModelParams, PortfolioInput,
    ReserveReport, RunParams, Stage,
};
use rust_decimal::Decimal;

fn run_quietly(input: &PortfolioInput, params: &RunParams) -> ReserveReport {
    run(input, params, &|_| {}, &AtomicBool::new(false)).expect("valid run")
}

/// A Series B company whose path is fixed except where a test adds randomness: B → C and C → D+ rounds
/// at step-up 2 and dilution 20%, then an exit at 3× the last post-money.
///
/// By hand, with 10% of a $10M post: round C posts at 10M·2/0.8 = $25M (full pro-rata $0.5M), round
/// D+ at $62.5M (pro-rata $1.25M), exit value $187.5M. A dollar in round C buys 1/25M, diluted 20% by
/// round D+, so it returns 187.5·0.8/25 = 6×; a dollar in round D+ returns 3×.
fn fixed_path_model() -> ModelParams {
    let mut model = ModelParams::default();
    for stage in [Stage::SeriesB, Stage::SeriesC] {
        let p = model.stages.get_mut(stage);
        p.graduation.value = 1.0;
        p.exit.value = 0.0;
        p.step_up_median.value = 2.0;
        p.step_up_sigma.value = 0.0;
        p.dilution_min.value = 0.2;
        p.dilution_max.value = 0.2;
    }
    let last = model.stages.get_mut(Stage::SeriesDPlus);
    last.exit.value = 1.0;
    last.exit_multiple_median.value = 3.0;
    last.exit_multiple_sigma.value = 0.0;
    model
}

fn one_company(planned_reserves: i64) -> PortfolioInput {
    PortfolioInput {
        fund: FundInput {
            size: Decimal::from(100_000_000),
            available_reserves: Decimal::from(10_000_000),
        },
        companies: vec![CompanyInput {
            id: "fixed".into(),
            name: "Fixed Path".into(),
            stage: Stage::SeriesB,
            invested: Decimal::from(1_000_000),
            ownership: 0.1,
            post_money: Decimal::from(10_000_000),
            planned_reserves: Decimal::from(planned_reserves),
            deployed_reserves: Decimal::ZERO,
            active: true,
            adjustment: None,
        }],
    }
}

/// No reserve, then an increment that funds round C in full ($0.5M) and half of round D+ ($0.625M).
fn params(model: ModelParams, iterations: u32, seed: u64) -> RunParams {
    RunParams {
        iterations,
        seed,
        increment: Decimal::from(1_125_000),
        model,
        ..RunParams::default()
    }
}

#[test]
fn given_fixed_path_when_increment_spans_two_rounds_then_multiple_is_the_hand_computed_13_over_3() {
    // $0.5M at 6× and $0.625M at 3×: 4.875M / 1.125M = 13/3.
    let report = run_quietly(&one_company(0), &params(fixed_path_model(), 1_000, 1));
    let c = &report.companies[0];
    assert_eq!(c.follow_on_multiple, 4.3333);
    assert_eq!(
        (c.ci_low, c.ci_high),
        (4.3333, 4.3333),
        "a path without randomness has no sampling error"
    );
    assert_eq!(c.confidence_score, 1.0);
    // As planned (no reserve) the 10% stake is diluted to 6.4% of $187.5M = $12M on a $1M cost.
    assert_eq!(c.expected_moic, 12.0);
    assert_eq!(c.increment_deployment_rate, 1.0);
}

/// Round D+ now happens with probability 0.6 (else the company fails at C) and the exit multiple is
/// lognormal (median 3, σ 0.8, mean 3·e^0.32). Per iteration the increment deploys $1.125M when D+
/// happens and only round C's $0.5M when it does not; the gain is (9% − 6.4%) of $62.5M · X. So
/// multiple = 0.6 · 1.625M · E[X] / (0.4 · 0.5M + 0.6 · 1.125M) = (0.975 / 0.875) · 3·e^0.32.
fn random_path_model() -> ModelParams {
    let mut model = fixed_path_model();
    model.stages.get_mut(Stage::SeriesC).graduation.value = 0.6;
    model
        .stages
        .get_mut(Stage::SeriesDPlus)
        .exit_multiple_sigma
        .value = 0.8;
    model
}

fn random_path_multiple() -> f64 {
    0.975 / 0.875 * 3.0 * (0.32f64).exp()
}

#[test]
fn given_random_outcome_and_exit_when_estimated_then_interval_covers_the_analytic_multiple() {
    let report = run_quietly(&one_company(0), &params(random_path_model(), 20_000, 42));
    let c = &report.companies[0];
    let exact = random_path_multiple();
    println!(
        "analytic {exact:.4}, estimate {} [{}, {}]",
        c.follow_on_multiple, c.ci_low, c.ci_high
    );
    assert!(c.ci_low <= exact && exact <= c.ci_high);
    assert!(
        c.ci_high - c.ci_low < 0.1 * exact,
        "interval should be informative at 20K paths"
    );
}

#[test]
fn given_100_seeds_when_estimated_then_the_95_percent_interval_covers_the_analytic_multiple_about_95_times(
) {
    // 88 is 3.2 standard deviations below the 95 a calibrated interval gives; the seeds are fixed, so
    // the outcome is too.
    let exact = random_path_multiple();
    let covered = (0..100)
        .filter(|&seed| {
            let c = &run_quietly(&one_company(0), &params(random_path_model(), 2_000, seed))
                .companies[0];
            c.ci_low <= exact && exact <= c.ci_high
        })
        .count();
    println!("covered {covered}/100");
    assert!(covered >= 88, "covered only {covered} of 100");
}

#[test]
fn given_demo_portfolio_when_arms_share_random_numbers_then_intervals_are_at_least_5x_narrower_than_independent_arms(
) {
    let (input, mut paired) =
        parse_portfolio(include_str!("../examples/portfolio.json")).expect("demo parses");
    paired.iterations = 10_000;
    let independent = RunParams {
        pairing: ArmPairing::Independent,
        ..paired.clone()
    };
    let a = run_quietly(&input, &paired);
    let b = run_quietly(&input, &independent);
    let width = |r: &ReserveReport, id: &str| {
        let c = r
            .companies
            .iter()
            .find(|c| c.id == id)
            .expect("same companies");
        c.ci_high - c.ci_low
    };
    let factors: Vec<f64> = a
        .companies
        .iter()
        .map(|c| width(&b, &c.id) / width(&a, &c.id))
        .collect();
    let min = factors.iter().copied().fold(f64::INFINITY, f64::min);
    let total_a: f64 = a.companies.iter().map(|c| width(&a, &c.id)).sum();
    let total_b: f64 = a.companies.iter().map(|c| width(&b, &c.id)).sum();
    println!(
        "CRN narrowing at 10,000 iterations over {} companies: smallest {min:.1}x, mean width {:.1}x",
        factors.len(),
        total_b / total_a
    );
    assert!(min >= 5.0, "smallest narrowing {min:.1}x");
}
