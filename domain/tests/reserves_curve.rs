//! The marginal-multiple curve of each company (the water-filling picture) and the report's word on
//! companies whose follow-on cannot be deployed.
#![cfg(feature = "engine")]

use std::sync::atomic::AtomicBool;

use domain::reserves::{
    parse_portfolio, run, CompanyInput, CompanyReport, FundInput, PortfolioInput, ReserveReport,
    RunParams, Stage,
};
use rust_decimal::Decimal;

fn run_quietly(input: &PortfolioInput, params: &RunParams) -> ReserveReport {
    run(input, params, &|_| {}, &AtomicBool::new(false)).expect("valid run")
}

fn demo() -> (PortfolioInput, RunParams) {
    let (input, params) =
        parse_portfolio(include_str!("../examples/portfolio.json")).expect("demo parses");
    (
        input,
        RunParams {
            iterations: 2_000,
            ..params
        },
    )
}

fn granted(c: &CompanyReport) -> usize {
    c.curve.iter().filter(|p| p.granted).count()
}

#[test]
fn given_demo_portfolio_when_run_then_each_curve_starts_at_zero_and_steps_by_the_increment_within_the_cap(
) {
    let (input, params) = demo();
    let step = params.constraints.allocation_increment.value;
    let report = run_quietly(&input, &params);
    for c in &report.companies {
        assert!(!c.curve.is_empty(), "{} has a curve", c.id);
        assert_eq!(c.curve[0].reserve, Decimal::ZERO);
        assert!(c
            .curve
            .windows(2)
            .all(|w| w[1].reserve - w[0].reserve == step));
        assert!(c.curve.last().unwrap().reserve < c.reserve_cap);
        assert!(c.curve.len() <= domain::reserves::MAX_STEPS_PER_COMPANY);
        assert!(c.curve.iter().all(|p| p.marginal_multiple.is_finite()));
    }
}

#[test]
fn given_demo_portfolio_when_run_then_granted_increments_are_a_prefix_that_adds_up_to_the_recommendation(
) {
    let (input, params) = demo();
    let step = params.constraints.allocation_increment.value;
    let report = run_quietly(&input, &params);
    for c in &report.companies {
        let k = granted(c);
        assert!(
            c.curve[..k].iter().all(|p| p.granted),
            "{}: granted points come first",
            c.id
        );
        let end = match c.curve.get(k) {
            Some(p) => p.reserve,
            None => (c.curve[k - 1].reserve + step).min(c.reserve_cap),
        };
        assert_eq!(end, c.recommended_allocation, "{}", c.id);
    }
}

#[test]
fn given_floors_off_when_budget_is_left_over_then_granted_increments_clear_the_hurdle_and_no_next_one_does(
) {
    let (mut input, mut params) = demo();
    input.fund.available_reserves = Decimal::from(200_000_000);
    params.constraints.floor_initial_multiple.value = Decimal::ZERO;
    params.constraints.max_reserve_share_per_company.value = Decimal::ONE;
    params.constraints.max_fund_share_per_company.value = Decimal::new(5, 2);
    params.constraints.hurdle.value = 1.6;
    let hurdle = params.constraints.hurdle.value;
    let report = run_quietly(&input, &params);
    assert!(report.fund.unallocated > Decimal::ZERO);
    for c in &report.companies {
        let k = granted(c);
        // Reported multiples are rounded to 4 decimals; the allocation compared the exact ones.
        assert!(
            c.curve[..k]
                .iter()
                .all(|p| p.marginal_multiple >= hurdle - 1e-4),
            "{}: a granted increment below the hurdle",
            c.id
        );
        if let Some(next) = c.curve.get(k) {
            assert!(
                next.marginal_multiple < hurdle + 1e-4,
                "{}: its next increment ({}) clears the hurdle and budget is left",
                c.id,
                next.marginal_multiple
            );
        }
    }
}

#[test]
fn given_a_series_d_plus_company_then_the_report_says_no_follow_on_can_be_deployed_instead_of_a_zero_multiple(
) {
    let company = |id: &str, stage, post_money: i64| CompanyInput {
        id: id.into(),
        name: id.to_uppercase(),
        stage,
        invested: Decimal::from(5_000_000),
        ownership: 0.02,
        post_money: Decimal::from(post_money),
        planned_reserves: Decimal::from(2_000_000),
        deployed_reserves: Decimal::ZERO,
        active: true,
        adjustment: None,
    };
    let input = PortfolioInput {
        fund: FundInput {
            size: Decimal::from(200_000_000),
            available_reserves: Decimal::from(20_000_000),
        },
        companies: vec![
            company("late", Stage::SeriesDPlus, 1_000_000_000),
            company("early", Stage::SeriesA, 60_000_000),
        ],
    };
    let report = run_quietly(
        &input,
        &RunParams {
            iterations: 2_000,
            ..RunParams::default()
        },
    );
    let late = report.companies.iter().find(|c| c.id == "late").unwrap();
    let reason = late
        .follow_on_not_applicable
        .as_deref()
        .expect("a reason for the D+ company");
    assert!(reason.contains("last stage"), "{reason}");
    assert!(late.curve.is_empty());
    assert_eq!(late.increment_deployment_rate, 0.0);
    assert_eq!(late.follow_on_multiple, 0.0);
    assert!(late.recommended_allocation.is_zero());
    assert_eq!(late.rank, 2);
    let early = report.companies.iter().find(|c| c.id == "early").unwrap();
    assert_eq!(early.follow_on_not_applicable, None);
}

#[test]
fn given_a_report_stored_before_curves_and_top_two_when_read_then_they_default_to_empty() {
    let (input, params) = demo();
    let report = run_quietly(&input, &params);
    let mut json = serde_json::to_value(&report).expect("serialises");
    json.as_object_mut().unwrap().remove("top_two");
    for c in json["companies"].as_array_mut().unwrap() {
        let c = c.as_object_mut().unwrap();
        c.remove("curve");
        c.remove("follow_on_not_applicable");
    }
    let old: ReserveReport = serde_json::from_value(json).expect("an older report still reads");
    assert_eq!(old.top_two, None);
    assert!(old.companies.iter().all(|c| c.curve.is_empty()));
    assert_eq!(old.companies.len(), report.companies.len());
}
