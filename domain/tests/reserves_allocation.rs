//! The recommended allocation: budget, caps, floors, hurdle, and the order increments are given in.
#![cfg(feature = "engine")]

use std::sync::atomic::AtomicBool;

use domain::reserves::{
    parse_portfolio, run, CompanyInput, CompanyReport, FundInput, PortfolioInput, ReserveReport,
    RunParams, Stage,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use rust_decimal::Decimal;

fn run_quietly(input: &PortfolioInput, params: &RunParams) -> ReserveReport {
    run(input, params, &|_| {}, &AtomicBool::new(false)).expect("valid run")
}

fn dollars(n: i64) -> Decimal {
    Decimal::from(n)
}

fn company(
    id: &str,
    stage: Stage,
    invested: i64,
    ownership: f64,
    post_money: i64,
    planned: i64,
) -> CompanyInput {
    CompanyInput {
        id: id.into(),
        name: id.to_uppercase(),
        stage,
        invested: dollars(invested),
        ownership,
        post_money: dollars(post_money),
        planned_reserves: dollars(planned),
        deployed_reserves: Decimal::ZERO,
        active: true,
        adjustment: None,
    }
}

fn by_id<'a>(report: &'a ReserveReport, id: &str) -> &'a CompanyReport {
    report
        .companies
        .iter()
        .find(|c| c.id == id)
        .expect("company in report")
}

/// Checks the invariants every allocation must keep.
fn assert_within_limits(input: &PortfolioInput, params: &RunParams, report: &ReserveReport) {
    let c = &params.constraints;
    let available = input.fund.available_reserves;
    let total: Decimal = report
        .companies
        .iter()
        .map(|r| r.recommended_allocation)
        .sum();
    assert_eq!(report.fund.recommended_total, total);
    assert!(total <= available, "allocated {total} of {available}");
    assert_eq!(
        total + report.fund.unallocated,
        available,
        "recommended + unallocated must be the budget exactly"
    );
    for r in &report.companies {
        let company = input
            .companies
            .iter()
            .find(|x| x.id == r.id)
            .expect("input company");
        assert!(r.recommended_allocation >= Decimal::ZERO);
        assert!(
            r.recommended_allocation <= r.reserve_cap,
            "{} above its cap",
            r.id
        );
        assert!(
            company.invested + r.recommended_allocation
                <= c.max_fund_share_per_company.value * input.fund.size
                || r.recommended_allocation.is_zero(),
            "{} breaks the fund-share cap",
            r.id
        );
        assert!(
            r.recommended_allocation <= c.max_reserve_share_per_company.value * available,
            "{} breaks the reserve-share cap",
            r.id
        );
    }
    for x in &report.excluded {
        assert!(x.recommended_allocation.is_zero());
    }
}

#[test]
fn given_demo_portfolio_when_allocated_then_budget_caps_and_exact_totals_hold() {
    let (input, params) =
        parse_portfolio(include_str!("../examples/portfolio.json")).expect("demo parses");
    let report = run_quietly(&input, &params);
    assert_within_limits(&input, &params, &report);
    assert_eq!(
        report.companies.len() + report.excluded.len(),
        input.companies.len()
    );
}

#[test]
fn given_one_clearly_superior_company_when_budget_equals_its_cap_then_it_receives_all_of_it() {
    // A pre-seed company (follow-on multiple ≈ 2×) against Series B companies (≈ 1×), floors off so
    // only the water-filling order decides.
    let input = PortfolioInput {
        fund: FundInput {
            size: dollars(100_000_000),
            available_reserves: dollars(10_000_000),
        },
        companies: vec![
            company(
                "b1",
                Stage::SeriesB,
                5_000_000,
                0.06,
                120_000_000,
                2_000_000,
            ),
            company("star", Stage::PreSeed, 500_000, 0.10, 5_000_000, 500_000),
            company(
                "b2",
                Stage::SeriesB,
                5_000_000,
                0.06,
                120_000_000,
                2_000_000,
            ),
        ],
    };
    let mut params = RunParams {
        iterations: 4_000,
        ..RunParams::default()
    };
    params.constraints.floor_initial_multiple.value = Decimal::ZERO;
    params.constraints.hurdle.value = 0.0;
    let report = run_quietly(&input, &params);
    let star = by_id(&report, "star");
    assert_eq!(star.rank, 1);
    assert_eq!(
        star.reserve_cap,
        dollars(2_000_000),
        "20% of $10M available"
    );

    let mut tight = input.clone();
    tight.fund.available_reserves = star.reserve_cap;
    let mut tight_params = params.clone();
    // Keep the cap at $2M while the budget shrinks to it.
    tight_params.constraints.max_reserve_share_per_company.value = Decimal::ONE;
    tight_params.constraints.max_fund_share_per_company.value = Decimal::new(25, 3);
    let tight_report = run_quietly(&tight, &tight_params);
    assert_eq!(by_id(&tight_report, "star").reserve_cap, dollars(2_000_000));
    assert_eq!(
        by_id(&tight_report, "star").recommended_allocation,
        dollars(2_000_000)
    );
    assert!(by_id(&tight_report, "b1").recommended_allocation.is_zero());
    assert!(by_id(&tight_report, "b2").recommended_allocation.is_zero());
    assert_within_limits(&tight, &tight_params, &tight_report);
}

#[test]
fn given_one_clearly_superior_company_and_default_floors_then_it_reaches_its_cap_before_others_pass_their_floors(
) {
    // Caps: 4% of the $100M fund less cost — $3.5M for the star, $3M for the others. Floors: 1.5× the
    // initial cheque — $0.75M and $1.5M each. The budget covers the floors ($3.75M) plus the star's
    // way from its floor to its cap ($2.75M) and nothing more, so the others stay at their floors
    // exactly when the star's increments always come first. The others are Series B companies, whose
    // follow-ons buy into C rounds (≈ 1.5× per dollar under the defaults) while the star's last
    // increments still earn ≈ 1.7×.
    let input = PortfolioInput {
        fund: FundInput {
            size: dollars(100_000_000),
            available_reserves: dollars(6_500_000),
        },
        companies: vec![
            company("star", Stage::PreSeed, 500_000, 0.10, 5_000_000, 500_000),
            company(
                "b1",
                Stage::SeriesB,
                1_000_000,
                0.05,
                120_000_000,
                1_000_000,
            ),
            company(
                "b2",
                Stage::SeriesB,
                1_000_000,
                0.05,
                120_000_000,
                1_000_000,
            ),
        ],
    };
    let mut params = RunParams {
        iterations: 4_000,
        ..RunParams::default()
    };
    params.constraints.max_fund_share_per_company.value = Decimal::new(4, 2);
    params.constraints.max_reserve_share_per_company.value = Decimal::ONE;
    let report = run_quietly(&input, &params);
    let star = by_id(&report, "star");
    assert_eq!(star.rank, 1);
    assert_eq!(star.reserve_cap, dollars(3_500_000));
    assert_eq!(star.recommended_allocation, dollars(3_500_000));
    for id in ["b1", "b2"] {
        let a = by_id(&report, id);
        assert!(a.follow_on_multiple < star.follow_on_multiple);
        assert_eq!(
            a.floor,
            dollars(1_500_000),
            "floor 1.5 × $1M initial cheque"
        );
        assert_eq!(a.recommended_allocation, dollars(1_500_000));
    }
    assert!(report.fund.unallocated.is_zero());
    assert_within_limits(&input, &params, &report);
}

#[test]
fn given_companies_below_the_hurdle_when_budget_is_ample_then_they_get_nothing_and_the_rest_is_unallocated(
) {
    // A Series C company's next round is D+, worth about 1.15× per dollar under the defaults: below
    // a 1.5× hurdle.
    let input = PortfolioInput {
        fund: FundInput {
            size: dollars(200_000_000),
            available_reserves: dollars(20_000_000),
        },
        companies: vec![company(
            "late",
            Stage::SeriesC,
            8_000_000,
            0.04,
            400_000_000,
            3_000_000,
        )],
    };
    let mut params = RunParams {
        iterations: 4_000,
        ..RunParams::default()
    };
    params.constraints.hurdle.value = 1.5;
    let report = run_quietly(&input, &params);
    let late = &report.companies[0];
    assert!(late.follow_on_multiple < 1.5, "{}", late.follow_on_multiple);
    assert!(late.follow_on_multiple > 1.0, "{}", late.follow_on_multiple);
    assert!(late
        .curve
        .iter()
        .all(|p| !p.granted && p.marginal_multiple < 1.5));
    assert!(late.recommended_allocation.is_zero());
    assert_eq!(report.fund.unallocated, dollars(20_000_000));
    assert_eq!(report.fund.reserves_released, dollars(3_000_000));
}

#[test]
fn given_a_follow_on_multiple_below_the_hurdle_then_no_floor_but_first_dollars_still_compete_on_merit(
) {
    // A seed company already holding $10M of reserve: the next $1M returns ≈ 1.35×, below a 1.5×
    // hurdle, so no floor; its first $250K steps return ≈ 2.2× and are still water-filled.
    let input = PortfolioInput {
        fund: FundInput {
            size: dollars(100_000_000),
            available_reserves: dollars(10_000_000),
        },
        companies: vec![company(
            "deep",
            Stage::Seed,
            1_000_000,
            0.1,
            10_000_000,
            10_000_000,
        )],
    };
    let mut params = RunParams {
        iterations: 4_000,
        ..RunParams::default()
    };
    params.constraints.hurdle.value = 1.5;
    params.constraints.max_reserve_share_per_company.value = Decimal::ONE;
    let report = run_quietly(&input, &params);
    let deep = &report.companies[0];
    assert!(deep.follow_on_multiple < 1.5, "{}", deep.follow_on_multiple);
    assert!(deep.floor.is_zero());
    assert!(deep.recommended_allocation > Decimal::ZERO);
    assert!(deep.recommended_allocation < deep.current_reserve);
    assert_within_limits(&input, &params, &report);
}

#[test]
fn given_an_inactive_company_then_it_is_excluded_and_releases_its_reserve() {
    let mut gone = company("gone", Stage::Seed, 1_000_000, 0.1, 10_000_000, 2_000_000);
    gone.active = false;
    let input = PortfolioInput {
        fund: FundInput {
            size: dollars(100_000_000),
            available_reserves: dollars(5_000_000),
        },
        companies: vec![
            gone,
            company("live", Stage::Seed, 1_000_000, 0.1, 10_000_000, 1_000_000),
        ],
    };
    let report = run_quietly(
        &input,
        &RunParams {
            iterations: 2_000,
            ..RunParams::default()
        },
    );
    assert_eq!(report.companies.len(), 1);
    assert_eq!(report.excluded[0].id, "gone");
    assert_eq!(report.excluded[0].current_reserve, dollars(2_000_000));
    assert!(report.fund.reserves_released >= dollars(2_000_000));
}

fn arb_company(i: usize) -> impl Strategy<Value = CompanyInput> {
    (
        prop::sample::select(Stage::ALL.to_vec()),
        1u32..=40,
        0.02f64..0.25,
        1u32..=60,
        0u32..=20,
        prop::bool::weighted(0.9),
    )
        .prop_map(
            move |(stage, invested_100k, ownership, post_multiple, planned_250k, active)| {
                let invested = i64::from(invested_100k) * 100_000;
                CompanyInput {
                    id: format!("p{i}"),
                    name: String::new(),
                    stage,
                    invested: dollars(invested),
                    ownership,
                    post_money: dollars(invested * i64::from(post_multiple) * 4),
                    planned_reserves: dollars(i64::from(planned_250k) * 250_000),
                    deployed_reserves: Decimal::ZERO,
                    active,
                    adjustment: None,
                }
            },
        )
}

fn arb_portfolio() -> impl Strategy<Value = PortfolioInput> {
    (1usize..=8, 10u32..=200, 0u32..=100).prop_flat_map(|(n, size_m, reserve_pct)| {
        let companies: Vec<_> = (0..n).map(arb_company).collect();
        companies.prop_map(move |companies| PortfolioInput {
            fund: FundInput {
                size: dollars(i64::from(size_m) * 1_000_000),
                available_reserves: dollars(
                    i64::from(size_m) * 1_000_000 * i64::from(reserve_pct) / 100,
                ),
            },
            companies,
        })
    })
}

proptest! {
    #![proptest_config(Config { cases: 48, rng_seed: RngSeed::Fixed(0x5EED), failure_persistence: None, ..Config::default() })]

    #[test]
    fn given_any_portfolio_and_budget_when_allocated_then_no_budget_or_cap_is_exceeded(
        input in arb_portfolio(),
        increment_50k in 1i64..=20,
        hurdle in 0.0f64..2.0,
    ) {
        let mut params = RunParams { iterations: 500, ..RunParams::default() };
        params.constraints.allocation_increment.value = dollars(increment_50k * 50_000);
        params.constraints.hurdle.value = hurdle;
        let report = run_quietly(&input, &params);
        assert_within_limits(&input, &params, &report);
        for r in &report.companies {
            prop_assert!(r.recommended_allocation.is_zero() || r.recommended_allocation == r.reserve_cap
                || (r.recommended_allocation % params.constraints.allocation_increment.value).is_zero(),
                "{} is off the increment grid", r.id);
        }
    }
}
