//! Given / when / then tests for a fund's reserve run: from the fund's history (events folded through
//! `evolve`) to the engine's input, and the run over it.
#![cfg(feature = "engine")]

use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::fund::*;
use domain::reserves::{
    available_reserves, portfolio_from_state, run_fund, FundPortfolio, ReserveAssumptions, ReserveError, RunParams,
    Stage as EngineStage, FUND_OVERRIDE,
};
use domain::time_machine::replay::state_at;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

fn start() -> DateTime<Utc> {
    now() - Duration::days(700)
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A fund's event log, appended through `decide` as the store does.
struct Fund {
    log: Vec<FundEvent>,
}

impl Fund {
    /// A fund of `size` dollars created 700 days ago.
    fn of(size: &str) -> Fund {
        let mut fund = Fund { log: Vec::new() };
        fund.given(start(), EventPayload::FundCreated(FundCreated { name: "Fund I".into(), size: dec(size), vintage: None }));
        fund
    }

    fn given(&mut self, at: DateTime<Utc>, payload: EventPayload) -> &mut Self {
        let state = state_at(&self.log, at, u64::MAX);
        let new = NewEvent { effective_at: at, payload: payload.clone() };
        decide(&state, &new, now()).unwrap_or_else(|e| panic!("given {} rejected: {e}", payload.event_type()));
        self.given_unchecked(at, payload)
    }

    /// For states `decide` never produces: `evolve` is total, so a stored event that bypassed it
    /// still folds.
    fn given_unchecked(&mut self, at: DateTime<Utc>, payload: EventPayload) -> &mut Self {
        let version = self.log.len() as u64 + 1;
        self.log.push(FundEvent { version, effective_at: at, recorded_at: now(), payload });
        self
    }

    fn company(&mut self, n: u128, name: &str, stage: Stage) -> &mut Self {
        let added = CompanyAdded { company_id: id(n), name: name.into(), stage, sector: None };
        self.given(start(), EventPayload::CompanyAdded(added))
    }

    /// The first cheque, with the round's ownership and post-money when known.
    fn invest(&mut self, n: u128, amount: &str, ownership: Option<&str>, post_money: Option<&str>) -> &mut Self {
        self.given(start() + Duration::days(10), investment(n, amount, ownership, post_money, false))
    }

    fn follow_on(&mut self, n: u128, amount: &str) -> &mut Self {
        self.given(start() + Duration::days(200), investment(n, amount, None, None, true))
    }

    fn reserve(&mut self, n: u128, amount: &str) -> &mut Self {
        let allocated = ReserveAllocated { company_id: id(n), amount: dec(amount) };
        self.given(start() + Duration::days(20), EventPayload::ReserveAllocated(allocated))
    }

    /// A priced company: `[first cheque, ownership, post-money, planned reserve]`.
    fn priced(&mut self, n: u128, name: &str, stage: Stage, [invested, ownership, post, reserve]: [&str; 4]) -> &mut Self {
        self.company(n, name, stage).invest(n, invested, Some(ownership), Some(post)).reserve(n, reserve)
    }

    fn assumptions(&mut self, at: DateTime<Utc>, value: serde_json::Value) -> &mut Self {
        let a: ReserveAssumptions = serde_json::from_value(value).expect("assumptions JSON");
        self.given(at, EventPayload::ReserveAssumptionsSet(Box::new(a)))
    }

    fn state(&self) -> FundState {
        self.state_on(now())
    }

    fn state_on(&self, at: DateTime<Utc>) -> FundState {
        state_at(&self.log, at, u64::MAX)
    }
}

fn investment(n: u128, amount: &str, ownership: Option<&str>, post_money: Option<&str>, follow_on: bool) -> EventPayload {
    EventPayload::InvestmentMade(InvestmentMade {
        company_id: id(n),
        amount: dec(amount),
        ownership: ownership.map(dec),
        post_money: post_money.map(dec),
        stage: None,
        follow_on,
    })
}

fn quick() -> RunParams {
    RunParams { iterations: 600, ..RunParams::default() }
}

fn run(portfolio: &FundPortfolio, params: &RunParams) -> Result<domain::reserves::ReserveReport, ReserveError> {
    run_fund(portfolio, params, &|_| {}, &AtomicBool::new(false))
}

fn reason_of(portfolio: &FundPortfolio, n: u128) -> &str {
    let company = id(n).to_string();
    &portfolio.excluded.iter().find(|e| e.id == company).unwrap_or_else(|| panic!("{company} not excluded")).reason
}

#[test]
fn given_a_priced_company_then_it_maps_field_by_field_with_the_latest_valuation() {
    let mut fund = Fund::of("100000000");
    fund.priced(1, "Acme", Stage::Seed, ["1500000", "0.12", "12500000", "3000000"]).follow_on(1, "500000");
    let revalued = ValuationUpdated { company_id: id(1), post_money: dec("40000000"), ownership: Some(dec("0.11")), stage: Some(Stage::SeriesA) };
    fund.given(start() + Duration::days(300), EventPayload::ValuationUpdated(revalued));

    let portfolio = portfolio_from_state(&fund.state());
    assert!(portfolio.excluded.is_empty(), "{:?}", portfolio.excluded);
    let [c] = portfolio.input.companies.as_slice() else { panic!("one company: {:?}", portfolio.input.companies) };
    assert_eq!(c.id, "00000000-0000-0000-0000-000000000001");
    assert_eq!(c.name, "Acme");
    assert_eq!(c.stage, EngineStage::SeriesA);
    assert_eq!(c.invested, dec("2000000"));
    assert_eq!(c.ownership, 0.11);
    assert_eq!(c.post_money, dec("40000000"));
    assert_eq!(c.planned_reserves, dec("3000000"));
    assert_eq!(c.deployed_reserves, dec("500000"));
    assert!(c.active);
    assert_eq!(portfolio.input.fund.size, dec("100000000"));
    assert_eq!(portfolio.assumptions, ReserveAssumptions::default());
    portfolio.input.validate().expect("the engine accepts the mapped portfolio");
}

#[test]
fn given_companies_the_engine_cannot_price_then_each_is_excluded_with_its_reason_and_reserve() {
    let mut fund = Fund::of("100000000");
    fund.priced(1, "Ranked", Stage::Seed, ["1000000", "0.1", "10000000", "2000000"]);
    fund.priced(2, "Sold", Stage::SeriesA, ["2000000", "0.1", "30000000", "1000000"]);
    fund.given(start() + Duration::days(400), EventPayload::CompanyExited(CompanyExited { company_id: id(2), proceeds: dec("5000000") }));
    fund.priced(3, "Gone", Stage::Seed, ["800000", "0.08", "9000000", "500000"]);
    fund.given(start() + Duration::days(400), EventPayload::CompanyWrittenOff(CompanyWrittenOff { company_id: id(3) }));
    fund.company(4, "Unvalued", Stage::Seed).invest(4, "700000", Some("0.07"), None).reserve(4, "400000");
    fund.company(5, "No stake", Stage::PreSeed).invest(5, "300000", None, Some("4000000")).reserve(5, "300000");
    fund.company(6, "Pipeline", Stage::Seed).reserve(6, "1000000");
    // A correction recorded without `decide` (a negative cheque) leaves follow-ons at or above the cost.
    fund.priced(7, "Muddled", Stage::SeriesA, ["1000000", "0.1", "20000000", "3000000"]).follow_on(7, "1000000");
    fund.given_unchecked(start() + Duration::days(250), investment(7, "-1200000", None, None, false));
    // Whatever else the engine refuses is excluded in the engine's words.
    fund.priced(8, "Clawback", Stage::Seed, ["1000000", "0.1", "10000000", "0"]);
    fund.given_unchecked(start() + Duration::days(250), investment(8, "-100", None, None, true));
    fund.priced(9, "Overowned", Stage::Seed, ["1000000", "0.1", "10000000", "0"]);
    fund.given_unchecked(start() + Duration::days(250), investment(9, "1", Some("1.5"), None, false));

    let portfolio = portfolio_from_state(&fund.state());
    let priced: Vec<&str> = portfolio.input.companies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(priced, ["Ranked"]);
    assert_eq!(reason_of(&portfolio, 8), "deployed_reserves must not be negative");
    assert_eq!(reason_of(&portfolio, 9), "ownership recorded above 100% (1.5)");
    assert_eq!(reason_of(&portfolio, 2), "exited");
    assert_eq!(reason_of(&portfolio, 3), "written off");
    assert_eq!(reason_of(&portfolio, 4), "no valuation known");
    assert_eq!(reason_of(&portfolio, 5), "no ownership recorded");
    assert_eq!(reason_of(&portfolio, 6), "nothing invested");
    assert!(reason_of(&portfolio, 7).starts_with("inconsistent: follow-ons deployed (1000000) are not below the amount invested (800000)"));
    assert_eq!(portfolio.excluded.len(), 8, "every company is either priced or excluded");
    let reserves: Vec<(String, Decimal, Decimal)> =
        portfolio.excluded.iter().map(|e| (e.name.clone(), e.current_reserve, e.recommended_allocation)).collect();
    assert_eq!(
        reserves,
        [
            ("Sold".into(), dec("1000000"), Decimal::ZERO),
            ("Gone".into(), dec("500000"), Decimal::ZERO),
            ("Unvalued".into(), dec("400000"), Decimal::ZERO),
            ("No stake".into(), dec("300000"), Decimal::ZERO),
            ("Pipeline".into(), dec("1000000"), Decimal::ZERO),
            ("Muddled".into(), dec("2000000"), Decimal::ZERO),
            ("Clawback".into(), dec("100"), Decimal::ZERO),
            ("Overowned".into(), Decimal::ZERO, Decimal::ZERO),
        ]
    );
}

#[test]
fn given_no_budget_then_the_pool_is_every_companys_held_reserve_including_excluded_ones() {
    let mut fund = Fund::of("100000000");
    fund.priced(1, "A", Stage::Seed, ["1000000", "0.1", "10000000", "3000000"]).follow_on(1, "1000000");
    fund.priced(2, "B", Stage::Seed, ["1000000", "0.1", "10000000", "1500000"]);
    fund.given(start() + Duration::days(400), EventPayload::CompanyWrittenOff(CompanyWrittenOff { company_id: id(2) }));
    // (3M − 1M) + 1.5M; uninvested capital is 97M, so no cap.
    assert_eq!(portfolio_from_state(&fund.state()).input.fund.available_reserves, dec("3500000"));
}

#[test]
fn given_plans_beyond_the_uninvested_capital_then_the_pool_is_capped_at_it() {
    let mut fund = Fund::of("10000000");
    fund.priced(1, "A", Stage::Seed, ["4000000", "0.1", "40000000", "5000000"]);
    fund.priced(2, "B", Stage::Seed, ["3000000", "0.1", "30000000", "4000000"]);
    // 9M planned, 3M uninvested.
    assert_eq!(portfolio_from_state(&fund.state()).input.fund.available_reserves, dec("3000000"));
}

#[test]
fn given_a_reserve_budget_then_it_replaces_the_pool_still_capped_at_the_uninvested_capital() {
    let mut fund = Fund::of("100000000");
    fund.priced(1, "A", Stage::Seed, ["1000000", "0.1", "10000000", "3000000"]);
    fund.assumptions(start() + Duration::days(30), json!({"reserve_budget": 25000000}));
    assert_eq!(portfolio_from_state(&fund.state()).input.fund.available_reserves, dec("25000000"));

    let mut small = Fund::of("10000000");
    small.priced(1, "A", Stage::Seed, ["8000000", "0.1", "80000000", "1000000"]);
    small.assumptions(start() + Duration::days(30), json!({"reserve_budget": 5000000}));
    let state = small.state();
    assert_eq!(portfolio_from_state(&state).input.fund.available_reserves, dec("2000000"));
    assert_eq!(available_reserves(&state, None), dec("1000000"));
}

#[test]
fn given_follow_ons_beyond_the_plan_then_the_plan_is_taken_as_deployed_and_nothing_is_held() {
    let mut fund = Fund::of("100000000");
    fund.priced(1, "A", Stage::SeriesA, ["2000000", "0.1", "30000000", "1000000"]).follow_on(1, "1500000");
    let portfolio = portfolio_from_state(&fund.state());
    let c = &portfolio.input.companies[0];
    assert_eq!((c.planned_reserves, c.deployed_reserves), (dec("1500000"), dec("1500000")));
    assert_eq!(c.current_reserve(), Decimal::ZERO);
    assert_eq!(portfolio.input.fund.available_reserves, Decimal::ZERO);
    portfolio.input.validate().expect("no deployed-beyond-plan error");
}

#[test]
fn given_assumptions_changed_later_then_a_run_as_of_an_earlier_date_uses_those_then_in_force() {
    let mut fund = Fund::of("100000000");
    fund.priced(1, "A", Stage::Seed, ["1500000", "0.12", "12500000", "3000000"]);
    fund.priced(2, "B", Stage::SeriesA, ["3000000", "0.1", "40000000", "4000000"]);
    let first = start() + Duration::days(100);
    let second = start() + Duration::days(500);
    fund.assumptions(first, json!({"constraints": {"hurdle": 1.3}, "reserve_budget": 6000000}));
    fund.assumptions(second, json!({"model": {"stages": {"seed": {"graduation": 0.3}}}}));

    let then = portfolio_from_state(&fund.state_on(second - Duration::days(1)));
    assert_eq!(then.assumptions.constraints.hurdle, Some(1.3));
    assert_eq!(then.input.fund.available_reserves, dec("6000000"));
    let report = run(&then, &quick()).expect("run");
    assert_eq!(report.params.constraints.hurdle.value, 1.3);
    assert_eq!(report.params.constraints.hurdle.source, FUND_OVERRIDE);
    assert_ne!(report.params.model.stages.seed.graduation.source, FUND_OVERRIDE);
    assert_eq!(report.fund.available_reserves, dec("6000000"));

    let latest = portfolio_from_state(&fund.state());
    assert_eq!(latest.assumptions.constraints.hurdle, None);
    assert_eq!(latest.input.fund.available_reserves, dec("7000000"), "back to the pool of held reserves");
    let report = run(&latest, &quick()).expect("run");
    assert_eq!(report.params.model.stages.seed.graduation.value, 0.3);
    assert_eq!(report.params.constraints.hurdle.value, 1.0);

    let before_any = portfolio_from_state(&fund.state_on(first - Duration::days(1)));
    assert_eq!(before_any.assumptions, ReserveAssumptions::default());
}

#[test]
fn when_run_then_the_report_lists_the_exclusions_and_counts_their_reserves_as_released() {
    let mut fund = Fund::of("100000000");
    fund.priced(1, "A", Stage::Seed, ["1500000", "0.12", "12500000", "3000000"]);
    fund.priced(2, "B", Stage::SeriesA, ["3000000", "0.1", "40000000", "4000000"]);
    fund.priced(3, "Sold", Stage::SeriesA, ["2000000", "0.1", "30000000", "2500000"]);
    fund.given(start() + Duration::days(400), EventPayload::CompanyExited(CompanyExited { company_id: id(3), proceeds: dec("5000000") }));
    let portfolio = portfolio_from_state(&fund.state());
    let report = run(&portfolio, &quick()).expect("run");

    assert_eq!(report.companies.len(), 2);
    assert_eq!(report.excluded, portfolio.excluded);
    let f = &report.fund;
    assert_eq!(f.available_reserves, dec("9500000"));
    assert_eq!(f.current_reserves, dec("9500000"));
    assert_eq!(f.recommended_total + f.unallocated, f.available_reserves);
    let released_by_ranked: Decimal =
        report.companies.iter().map(|c| (c.current_reserve - c.recommended_allocation).max(Decimal::ZERO)).sum();
    assert_eq!(f.reserves_released, released_by_ranked + dec("2500000"));
}

#[test]
fn given_no_priceable_company_then_the_run_returns_an_empty_ranking_with_everything_unallocated() {
    let mut fund = Fund::of("100000000");
    fund.priced(1, "Sold", Stage::SeriesA, ["2000000", "0.1", "30000000", "2500000"]);
    fund.given(start() + Duration::days(400), EventPayload::CompanyExited(CompanyExited { company_id: id(1), proceeds: dec("5000000") }));
    fund.company(2, "Pipeline", Stage::Seed).reserve(2, "1000000");
    let portfolio = portfolio_from_state(&fund.state());
    assert!(portfolio.input.companies.is_empty());

    let seen = Mutex::new(Vec::new());
    let report = run_fund(&portfolio, &quick(), &|p| seen.lock().unwrap().push(p), &AtomicBool::new(false)).expect("no error");
    assert!(report.companies.is_empty());
    assert_eq!(report.excluded.len(), 2);
    let f = &report.fund;
    assert_eq!(f.available_reserves, dec("3500000"));
    assert_eq!(f.unallocated, f.available_reserves);
    assert_eq!(f.recommended_total, Decimal::ZERO);
    assert_eq!(f.reserves_released, dec("3500000"));
    assert_eq!(seen.into_inner().unwrap(), [1.0]);

    let bad = RunParams { iterations: 1, ..quick() };
    assert_eq!(run(&portfolio, &bad).unwrap_err().field(), Some("iterations"), "parameters are still checked");
    let empty_fund = portfolio_from_state(&FundState::default());
    assert_eq!(run(&empty_fund, &quick()).unwrap_err().field(), Some("fund.size"));
}
