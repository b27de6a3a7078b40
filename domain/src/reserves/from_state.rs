//! From a fund's history to the reserve engine's input, and a run over it (docs/reserves-model.md,
//! "Available reserves and exclusions").
use std::sync::atomic::{AtomicBool, Ordering};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::assumptions::ReserveAssumptions;
use super::error::ReserveError;
use super::input::{CompanyInput, FundInput, PortfolioInput};
use super::report::{ExcludedCompany, ReserveReport};
use super::run::{fund_totals, run};
use super::run_params::RunParams;
use super::variance_adjustment::apply_adjustments;
use crate::fund::{CompanyState, CompanyStatus, FundState};
use crate::variance::VarianceLine;
use chrono::{DateTime, Utc};

/// What a reserve run for a fund looks at: the engine input, the companies it cannot price (with
/// the reason), and the assumptions in force.
#[derive(Debug, Clone, PartialEq)]
pub struct FundPortfolio {
    pub input: PortfolioInput,
    pub excluded: Vec<ExcludedCompany>,
    pub assumptions: ReserveAssumptions,
}

impl FundPortfolio {
    /// Applies the fund's variance adjustment, when its assumptions turn it on, from its variance
    /// lines as known at the run's dates (`lines`: every actual against its forecast). Off, the
    /// portfolio stays exactly as it was.
    pub fn adjust_for_variance(&mut self, lines: &[VarianceLine], as_of: DateTime<Utc>) {
        if let Some(rule) = &self.assumptions.variance_adjustment {
            apply_adjustments(&mut self.input, &rule.adjustments(lines, as_of));
        }
    }
}

/// The portfolio of `state` as the engine sees it. Pass the state as of the date the run is about
/// (`state_at`), so the companies, reserves and assumptions are those in force then.
///
/// Every company is either priced (in `input.companies`) or listed in `excluded` with the reason,
/// never dropped. Fund size is the committed capital; available reserves follow
/// [`available_reserves`].
pub fn portfolio_from_state(state: &FundState) -> FundPortfolio {
    let assumptions = state
        .reserve_assumptions
        .as_ref()
        .map(|a| a.assumptions.clone())
        .unwrap_or_default();
    let mut companies = Vec::new();
    let mut excluded = Vec::new();
    for company in state.companies.values() {
        match company_input(company) {
            Ok(input) => companies.push(input),
            Err(reason) => excluded.push(ExcludedCompany {
                id: company.id.to_string(),
                name: company.name.clone(),
                reason,
                current_reserve: held(company).normalize(),
                recommended_allocation: Decimal::ZERO,
            }),
        }
    }
    FundPortfolio {
        input: PortfolioInput {
            fund: FundInput {
                size: state.committed,
                available_reserves: available_reserves(state, assumptions.reserve_budget),
            },
            companies,
        },
        excluded,
        assumptions,
    }
}

/// The reserves a run may split among the priced companies.
///
/// Without a budget: the reserve pool, Σ over all companies (exited, written-off and unpriceable
/// ones included) of max(0, planned − deployed). A company the run cannot rank gets no
/// recommendation, so what it held goes back to the pool rather than vanishing from the fund.
/// With a budget: the budget replaces the pool — the fund says outright what it keeps for
/// follow-ons, whatever the per-company plans add up to.
///
/// Either way capped at the uninvested capital, max(0, committed − invested): plans recorded
/// company by company can promise more than the fund has left, and a budget set earlier can
/// outgrow it as the fund invests.
pub fn available_reserves(state: &FundState, budget: Option<Decimal>) -> Decimal {
    let uninvested = (state.committed - state.invested).max(Decimal::ZERO);
    let pool = budget.unwrap_or_else(|| state.companies.values().map(|c| held(c)).sum());
    pool.max(Decimal::ZERO).min(uninvested)
}

/// Reserve still held for a company: planned less deployed, zero once it drew more than planned.
fn held(company: &CompanyState) -> Decimal {
    (company.reserves_planned - company.reserves_deployed).max(Decimal::ZERO)
}

/// The company as the engine prices it, or why it cannot be.
fn company_input(c: &CompanyState) -> Result<CompanyInput, String> {
    match c.status {
        CompanyStatus::Exited => return Err("exited".into()),
        CompanyStatus::WrittenOff => return Err("written off".into()),
        CompanyStatus::Active => {}
    }
    if c.invested <= Decimal::ZERO {
        return Err("nothing invested".into());
    }
    let ownership = c.ownership.to_f64().unwrap_or(0.0);
    if ownership <= 0.0 {
        return Err("no ownership recorded".into());
    }
    if ownership > 1.0 {
        return Err(format!("ownership recorded above 100% ({})", c.ownership));
    }
    let Some(post_money) = c.valuation.filter(|v| *v > Decimal::ZERO) else {
        return Err("no valuation known".into());
    };
    if c.reserves_deployed >= c.invested {
        return Err(format!(
            "inconsistent: follow-ons deployed ({}) are not below the amount invested ({}), which \
             includes them and the initial cheque",
            c.reserves_deployed.normalize(),
            c.invested.normalize()
        ));
    }
    let input = CompanyInput {
        id: c.id.to_string(),
        name: c.name.clone(),
        stage: c.stage.into(),
        invested: c.invested,
        ownership,
        post_money,
        // A company that drew more than planned holds nothing more, rather than failing the run.
        planned_reserves: c.reserves_planned.max(c.reserves_deployed),
        deployed_reserves: c.reserves_deployed,
        active: true,
        adjustment: None,
    };
    engine_accepts(&input)?;
    Ok(input)
}

/// Whatever else the engine's validation would refuse (say a negative amount from an event that
/// bypassed `decide`) excludes the company with the engine's own words instead of failing the run.
fn engine_accepts(company: &CompanyInput) -> Result<(), String> {
    let alone = PortfolioInput {
        fund: FundInput {
            size: Decimal::ONE,
            available_reserves: Decimal::ZERO,
        },
        companies: vec![company.clone()],
    };
    alone.validate().map_err(|e| match e {
        ReserveError::Invalid { field, message } => {
            let field = field.strip_prefix("companies[0].").unwrap_or(&field);
            format!("{field} {message}")
        }
        ReserveError::Cancelled => e.to_string(),
    })
}

/// Runs the engine on a fund portfolio, with the portfolio's assumptions applied on top of `params`
/// (applying is idempotent, so params that already carry them are fine).
///
/// The report's `excluded` lists the engine's plus the portfolio's exclusions, and the fund totals
/// count the excluded companies' current reserves as released. With no priceable company it returns
/// an empty ranking (all exclusions, unallocated = available) instead of an error. Deterministic and
/// progress-reporting as [`run`].
pub fn run_fund(
    portfolio: &FundPortfolio,
    params: &RunParams,
    progress: &(dyn Fn(f64) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<ReserveReport, ReserveError> {
    let mut params = params.clone();
    portfolio.assumptions.apply(&mut params);
    let input = &portfolio.input;
    let (companies, mut excluded, unallocated, top_two) = if input.companies.is_empty() {
        input.fund.validate()?;
        params.validate()?;
        if cancel.load(Ordering::Relaxed) {
            return Err(ReserveError::Cancelled);
        }
        progress(1.0);
        (Vec::new(), Vec::new(), input.fund.available_reserves, None)
    } else {
        let report = run(input, &params, progress, cancel)?;
        (
            report.companies,
            report.excluded,
            report.fund.unallocated,
            report.top_two,
        )
    };
    excluded.extend(portfolio.excluded.iter().cloned());
    let fund = fund_totals(input, &companies, &excluded, unallocated);
    Ok(ReserveReport {
        companies,
        excluded,
        fund,
        params,
        top_two,
    })
}
