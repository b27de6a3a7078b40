//! One reserve run: validate, simulate, estimate, rank, allocate, report.
use std::sync::atomic::AtomicBool;

use rust_decimal::Decimal;

use super::allocation::{allocate, decimal_to_f64, Candidate};
use super::company_sums::{CompanyPlan, CompanySums};
use super::error::ReserveError;
use super::estimate::{follow_on, FollowOnEstimate};
use super::grid::{reserve_cap, reserve_levels};
use super::input::{CompanyInput, PortfolioInput};
use super::path::{CompiledModel, Holding};
use super::report::{
    dollars, round_to, CompanyReport, CurvePoint, ExcludedCompany, FundTotals, ReserveReport,
    TopTwo,
};
use super::rng::company_key;
use super::run_params::RunParams;
use super::simulate::Simulation;
use super::top_two::probability_first_better;

/// Share of the progress bar the simulation fills; ranking and allocation take the rest.
const SIMULATION_PROGRESS: f64 = 0.99;

/// Ranks the active companies by the follow-on multiple of the next increment and recommends how to
/// split the fund's reserves (docs/reserves-model.md).
///
/// Deterministic: the same input and `params.seed` give an identical report on any number of
/// threads. `progress` receives the fraction done, in increasing order, ending with 1.0; raising
/// `cancel` makes the run return `ReserveError::Cancelled` shortly after.
pub fn run(
    input: &PortfolioInput,
    params: &RunParams,
    progress: &(dyn Fn(f64) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<ReserveReport, ReserveError> {
    input.validate()?;
    params.validate()?;
    let constraints = &params.constraints;
    let active: Vec<(usize, &CompanyInput)> = input
        .companies
        .iter()
        .enumerate()
        .filter(|(_, c)| c.active)
        .collect();

    let mut caps = Vec::with_capacity(active.len());
    let mut grids = Vec::with_capacity(active.len());
    for &(i, company) in &active {
        let cap = reserve_cap(company, &input.fund, constraints);
        grids.push(reserve_levels(
            cap,
            constraints.allocation_increment.value,
            i,
        )?);
        caps.push(cap);
    }
    let plans: Vec<CompanyPlan> = active
        .iter()
        .zip(&grids)
        .map(|(&(_, c), grid)| {
            let planned = decimal_to_f64(c.current_reserve());
            CompanyPlan {
                key: company_key(&c.id),
                stage: c.stage,
                post_money: decimal_to_f64(c.post_money),
                graduation_factor: c.adjustment.as_ref().map_or(1.0, |a| a.factor),
                holding: Holding {
                    ownership: c.ownership,
                    cost: decimal_to_f64(c.invested),
                },
                levels: grid.iter().map(|&l| decimal_to_f64(l)).collect(),
                planned,
                planned_plus: planned + decimal_to_f64(params.increment),
            }
        })
        .collect();

    let model = CompiledModel::new(&params.model);
    let simulation = Simulation {
        plans: &plans,
        model: &model,
        seed: params.seed,
        iterations: params.iterations,
        pairing: params.pairing,
    };
    let sums = simulation.run(progress, SIMULATION_PROGRESS, cancel)?;

    let increment = decimal_to_f64(params.increment);
    let estimates: Vec<FollowOnEstimate> =
        sums.iter().map(|s| follow_on(&s.pair, increment)).collect();
    let mut rank_order: Vec<usize> = (0..active.len()).collect();
    rank_order.sort_by(|&a, &b| {
        estimates[b]
            .multiple
            .total_cmp(&estimates[a].multiple)
            .then_with(|| active[a].1.id.cmp(&active[b].1.id))
    });

    let top_two = match rank_order[..] {
        [first, second, ..] => Some(TopTwo {
            first_id: active[first].1.id.clone(),
            second_id: active[second].1.id.clone(),
            probability_first_better: round_to(
                probability_first_better(
                    &plans[first],
                    &plans[second],
                    &model,
                    params.seed,
                    params.iterations,
                    params.pairing,
                    increment,
                    cancel,
                )?,
                4,
            ),
        }),
        _ => None,
    };

    let candidates: Vec<Candidate> = active
        .iter()
        .zip(&grids)
        .zip(plans.iter().zip(&sums))
        .zip(&estimates)
        .map(|(((&(_, c), grid), (plan, s)), estimate)| {
            let (proceeds, deployed) = s.levels.finish(&plan.levels);
            let floor = (constraints.floor_initial_multiple.value * c.initial_cheque()
                - c.deployed_reserves)
                .max(Decimal::ZERO);
            Candidate {
                levels: grid.clone(),
                proceeds,
                deployed,
                floor,
                clears_hurdle: estimate.multiple >= constraints.hurdle.value,
            }
        })
        .collect();
    let allocation = allocate(
        &candidates,
        &rank_order,
        input.fund.available_reserves,
        constraints.hurdle.value,
    );

    let mut companies = Vec::with_capacity(active.len());
    for (position, &a) in rank_order.iter().enumerate() {
        let company = active[a].1;
        let recommended = grids[a][allocation.level[a]];
        let floor = if allocation.floor_granted[a] {
            recommended.min(candidates[a].floor)
        } else {
            Decimal::ZERO
        };
        let mut report = company_report(
            position,
            company,
            &estimates[a],
            &sums[a],
            params.iterations,
            recommended,
            caps[a],
            floor,
        );
        report.curve = curve(&candidates[a], allocation.level[a]);
        companies.push(report);
    }
    let excluded: Vec<ExcludedCompany> = input
        .companies
        .iter()
        .filter(|c| !c.active)
        .map(|c| ExcludedCompany {
            id: c.id.clone(),
            name: c.name.clone(),
            reason: "inactive: exited or written off".to_string(),
            current_reserve: c.current_reserve().normalize(),
            recommended_allocation: Decimal::ZERO,
        })
        .collect();
    let fund = fund_totals(input, &companies, &excluded, allocation.unallocated);
    progress(1.0);
    Ok(ReserveReport {
        companies,
        excluded,
        fund,
        params: params.clone(),
        top_two,
    })
}

/// The marginal multiple of every increment of the grid, up to the first one no path deploys;
/// increments below the allocated level are the granted ones.
fn curve(candidate: &Candidate, granted_level: usize) -> Vec<CurvePoint> {
    candidate
        .marginals()
        .into_iter()
        .map_while(|m| m)
        .enumerate()
        .map(|(i, m)| CurvePoint {
            reserve: candidate.levels[i].normalize(),
            marginal_multiple: round_to(m, 4),
            granted: i < granted_level,
        })
        .collect()
}

/// Why the follow-on figures do not apply to a company whose next increment is never deployed.
fn not_applicable(company: &CompanyInput, estimate: &FollowOnEstimate) -> Option<String> {
    if estimate.deployment_rate > 0.0 {
        None
    } else if company.stage.is_last() {
        Some(
            "Series D+ is the model's last stage: it ends in an exit or a failure and raises no \
             further round, so there is no pro-rata to take and a follow-on cannot be deployed"
                .to_string(),
        )
    } else {
        Some(
            "no simulated round calls for reserve beyond the current reserve: the company's \
             pro-rata in every later round is already covered"
                .to_string(),
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn company_report(
    position: usize,
    company: &CompanyInput,
    estimate: &FollowOnEstimate,
    sums: &CompanySums,
    iterations: u32,
    recommended: Decimal,
    cap: Decimal,
    floor: Decimal,
) -> CompanyReport {
    let n = f64::from(iterations);
    let pair = &sums.pair;
    let cost = decimal_to_f64(company.invested);
    let current = company.current_reserve();
    CompanyReport {
        rank: position as u32 + 1,
        id: company.id.clone(),
        name: company.name.clone(),
        stage: company.stage,
        follow_on_multiple: round_to(estimate.multiple, 4),
        ci_low: round_to(estimate.ci_low, 4),
        ci_high: round_to(estimate.ci_high, 4),
        confidence_score: round_to(estimate.confidence, 3),
        expected_moic: round_to(
            pair.planned_proceeds / (n * cost + pair.planned_deployed),
            4,
        ),
        increment_deployment_rate: round_to(estimate.deployment_rate, 4),
        expected_proceeds: dollars(pair.planned_proceeds / n),
        expected_years_to_outcome: round_to(pair.years / n, 2),
        current_reserve: current.normalize(),
        deployed: company.deployed_reserves.normalize(),
        recommended_allocation: recommended.normalize(),
        change: (recommended - current).normalize(),
        reserve_cap: cap.normalize(),
        floor: floor.normalize(),
        curve: Vec::new(),
        follow_on_not_applicable: not_applicable(company, estimate),
        adjustment: company.adjustment.clone(),
    }
}

/// Sums over ranked and excluded companies; an excluded company's whole current reserve counts as
/// released, since nothing is recommended for it.
pub(crate) fn fund_totals(
    input: &PortfolioInput,
    companies: &[CompanyReport],
    excluded: &[ExcludedCompany],
    unallocated: Decimal,
) -> FundTotals {
    let changes = companies
        .iter()
        .map(|c| (c.current_reserve, c.recommended_allocation))
        .chain(
            excluded
                .iter()
                .map(|c| (c.current_reserve, c.recommended_allocation)),
        );
    let (mut current, mut recommended, mut added, mut released) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for (cur, rec) in changes {
        current += cur;
        recommended += rec;
        added += (rec - cur).max(Decimal::ZERO);
        released += (cur - rec).max(Decimal::ZERO);
    }
    FundTotals {
        available_reserves: input.fund.available_reserves.normalize(),
        current_reserves: current.normalize(),
        recommended_total: recommended.normalize(),
        unallocated: unallocated.normalize(),
        reserves_added: added.normalize(),
        reserves_released: released.normalize(),
        reallocation: ((added + released) / Decimal::TWO).normalize(),
    }
}
