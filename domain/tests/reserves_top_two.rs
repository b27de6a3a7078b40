//! The probability that the first-ranked company's next dollar earns more than the second's
//! (docs/reserves-model.md, "Top two").
#![cfg(feature = "engine")]

use std::sync::atomic::AtomicBool;

use domain::reserves::{
    parse_portfolio, run, CompanyInput, FundInput, PortfolioInput, ReserveReport, RunParams, Stage,
};
use rust_decimal::Decimal;

fn company(id: &str, stage: Stage, invested: i64, ownership: f64, post_money: i64) -> CompanyInput {
    CompanyInput {
        id: id.into(),
        name: id.to_uppercase(),
        stage,
        invested: Decimal::from(invested),
        ownership,
        post_money: Decimal::from(post_money),
        planned_reserves: Decimal::from(1_000_000),
        deployed_reserves: Decimal::ZERO,
        active: true,
        adjustment: None,
    }
}

fn run_companies(companies: Vec<CompanyInput>, iterations: u32, seed: u64) -> ReserveReport {
    let input = PortfolioInput {
        fund: FundInput {
            size: Decimal::from(200_000_000),
            available_reserves: Decimal::from(20_000_000),
        },
        companies,
    };
    let params = RunParams {
        iterations,
        seed,
        ..RunParams::default()
    };
    run(&input, &params, &|_| {}, &AtomicBool::new(false)).expect("valid run")
}

#[test]
fn given_two_companies_with_very_different_economics_then_the_first_is_better_with_probability_near_one(
) {
    // A seed company's next $1M buys into A and B rounds (≈ 2× per dollar); a Series C company's
    // buys into the D+ round (≈ 1.15×).
    let report = run_companies(
        vec![
            company("late", Stage::SeriesC, 8_000_000, 0.04, 400_000_000),
            company("seed", Stage::Seed, 1_500_000, 0.12, 12_000_000),
        ],
        10_000,
        42,
    );
    let top = report.top_two.expect("two ranked companies");
    assert_eq!(
        (top.first_id.as_str(), top.second_id.as_str()),
        ("seed", "late")
    );
    assert!(
        top.probability_first_better > 0.999,
        "{}",
        top.probability_first_better
    );
}

#[test]
fn given_two_identical_companies_under_different_ids_then_the_probability_is_one_half() {
    // The pair is compared on the first company's random streams, so identical inputs give
    // identical samples and the estimated difference is exactly zero: no tolerance is needed. (With
    // each company on its own stream the figure would be uniform on [0.5, 1] — see top_two.rs.)
    for seed in [1, 42, 2024] {
        let twin = |id: &str| company(id, Stage::SeriesA, 3_000_000, 0.10, 45_000_000);
        let report = run_companies(vec![twin("twin-a"), twin("twin-b")], 4_000, seed);
        let top = report.top_two.expect("two ranked companies");
        assert_eq!(top.probability_first_better, 0.5, "seed {seed}");
    }
}

/// Φ(x) by Abramowitz & Stegun 7.1.26.
fn phi(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    0.5 * (1.0 + erf.copysign(x))
}

#[test]
fn given_identical_twins_on_their_own_streams_then_the_unpaired_formula_would_average_three_quarters(
) {
    // Why the pair is re-simulated on shared streams: from the ranking's own estimates (each company
    // on its own stream) Φ((m₁ − m₂)/√(se₁² + se₂²)) of two identical companies is uniform on
    // [0.5, 1], mean 0.75 (standard deviation 0.144, so ±0.07 over 40 runs is 3 standard errors).
    let twin = |id: &str| company(id, Stage::SeriesA, 3_000_000, 0.10, 45_000_000);
    let unpaired: Vec<f64> = (0..40)
        .map(|seed| {
            let report = run_companies(vec![twin("twin-a"), twin("twin-b")], 1_000, seed);
            let se = |i: usize| {
                let c = &report.companies[i];
                (c.ci_high - c.ci_low) / (2.0 * 1.959_963_985)
            };
            let diff =
                report.companies[0].follow_on_multiple - report.companies[1].follow_on_multiple;
            assert_eq!(report.top_two.unwrap().probability_first_better, 0.5);
            phi(diff / (se(0).powi(2) + se(1).powi(2)).sqrt())
        })
        .collect();
    let mean = unpaired.iter().sum::<f64>() / unpaired.len() as f64;
    println!("unpaired formula over 40 seeds: mean {mean:.3}");
    assert!((mean - 0.75).abs() < 0.07, "{mean}");
    assert!(unpaired.iter().all(|p| *p >= 0.5));
}

#[test]
fn given_demo_portfolio_then_top_two_names_ranks_one_and_two_with_a_probability_in_0_1() {
    let (input, params) =
        parse_portfolio(include_str!("../examples/portfolio.json")).expect("demo parses");
    let params = RunParams {
        iterations: 2_000,
        ..params
    };
    let report = run(&input, &params, &|_| {}, &AtomicBool::new(false)).expect("valid run");
    let top = report.top_two.expect("two ranked companies");
    assert_eq!(top.first_id, report.companies[0].id);
    assert_eq!(top.second_id, report.companies[1].id);
    assert!((0.0..=1.0).contains(&top.probability_first_better));
}

#[test]
fn given_a_single_ranked_company_then_there_is_no_top_two() {
    let report = run_companies(
        vec![company("only", Stage::Seed, 1_500_000, 0.12, 12_000_000)],
        1_000,
        42,
    );
    assert_eq!(report.top_two, None);
}

#[test]
fn given_a_company_with_a_better_next_dollar_when_iterations_grow_then_the_probability_does_not_fall_toward_a_coin_toss(
) {
    // The same seed company twice, one already holding $4M more reserve: its next $1M lands in later,
    // dearer rounds. More paths can only make the comparison surer.
    let fresh = company("fresh", Stage::Seed, 1_500_000, 0.12, 12_000_000);
    let mut deep = company("deep", Stage::Seed, 1_500_000, 0.12, 12_000_000);
    deep.planned_reserves = Decimal::from(5_000_000);
    let p = |iterations| {
        let report = run_companies(vec![deep.clone(), fresh.clone()], iterations, 7);
        let top = report.top_two.expect("two ranked companies");
        assert_eq!(top.first_id, "fresh");
        top.probability_first_better
    };
    let (small, large) = (p(1_000), p(16_000));
    println!("P(fresh better): {small} at 1,000 paths, {large} at 16,000");
    assert!(large > 0.95, "{large}");
    assert!(large >= small - 0.02, "{small} → {large}");
}
