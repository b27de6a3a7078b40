//! The demo fund generator: deterministic, valid event by event as the store would check it, and
//! shaped like a real fund.
#![cfg(feature = "engine")]

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::demo::{generate, DemoSpec, GeneratedEvent};
use domain::fund::*;
use domain::time_machine::replay::state_at;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 14, 30, 0).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn stored(events: &[GeneratedEvent]) -> Vec<FundEvent> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| FundEvent {
            version: i as u64 + 1,
            effective_at: e.effective_at,
            recorded_at: e.recorded_at,
            payload: e.payload.clone(),
        })
        .collect()
}

/// The events known so far in canonical order (effective date, then version), with states cached
/// every `EVERY` events of that order. `state_at` answers what `time_machine::replay::state_at`
/// answers for the known events, by replaying from the nearest cached state; a late event drops
/// only the cached states after its place.
struct Ledger {
    known: Vec<FundEvent>,
    checkpoints: BTreeMap<usize, FundState>,
}

const EVERY: usize = 128;

impl Ledger {
    fn new() -> Self {
        Ledger { known: Vec::new(), checkpoints: BTreeMap::new() }
    }

    fn state_at(&mut self, as_of: DateTime<Utc>) -> FundState {
        let end = self.known.partition_point(|e| e.effective_at <= as_of);
        let (mut len, mut state) = match self.checkpoints.range(..=end).next_back() {
            Some((len, state)) => (*len, state.clone()),
            None => (0, FundState::default()),
        };
        while len < end {
            state = evolve(state, &self.known[len]);
            len += 1;
            if len % EVERY == 0 {
                self.checkpoints.entry(len).or_insert_with(|| state.clone());
            }
        }
        state
    }

    fn record(&mut self, event: FundEvent) {
        // The newest version sorts after every known event with the same effective date.
        let at = self.known.partition_point(|e| e.effective_at <= event.effective_at);
        self.known.insert(at, event);
        self.checkpoints.split_off(&(at + 1));
    }
}

/// Feeds the history to `decide` in recorded order, each event against the fund at its effective
/// date as known from the events recorded before it, exactly as the store's append does. Every
/// `cross_check`-th event the state is compared with a full `state_at` replay. Returns the final
/// state (everything known, as of the end).
fn validate(events: &[GeneratedEvent], cross_check: usize) -> FundState {
    let log = stored(events);
    let mut ledger = Ledger::new();
    for (i, event) in log.iter().enumerate() {
        let state = ledger.state_at(event.effective_at);
        if i % cross_check == 0 {
            assert_eq!(state, state_at(&log[..i], event.effective_at, u64::MAX), "ledger differs at event {i}");
        }
        let candidate = NewEvent { effective_at: event.effective_at, payload: event.payload.clone() };
        if let Err(e) = decide(&state, &candidate, event.recorded_at) {
            panic!("event {i} rejected: {e}\n{event:#?}");
        }
        ledger.record(event.clone());
    }
    ledger.state_at(DateTime::<Utc>::MAX_UTC)
}

fn final_state(events: &[GeneratedEvent]) -> FundState {
    state_at(&stored(events), DateTime::<Utc>::MAX_UTC, u64::MAX)
}

fn count(events: &[GeneratedEvent], event_type: &str) -> usize {
    events.iter().filter(|e| e.payload.event_type() == event_type).count()
}

fn is_late_mark(e: &GeneratedEvent) -> bool {
    matches!(e.payload, EventPayload::ValuationUpdated(_)) && e.recorded_at - e.effective_at >= Duration::days(30)
}

fn assert_well_ordered(spec: &DemoSpec, events: &[GeneratedEvent]) {
    let first = events.first().expect("an empty history");
    assert!(matches!(first.payload, EventPayload::FundCreated(_)), "history starts with {first:?}");
    assert_eq!(first.effective_at, spec.start);
    assert_eq!(count(events, "FUND_CREATED"), 1);
    assert!(events.windows(2).all(|w| w[0].recorded_at <= w[1].recorded_at), "not sorted by recorded_at");
    assert!(events.iter().all(|e| e.recorded_at <= spec.end()), "recorded after the end");
    assert!(events.iter().all(|e| e.effective_at <= e.recorded_at), "effective after recorded");
    assert!(events.iter().all(|e| e.effective_at >= spec.start), "effective before the fund");
}

#[test]
fn same_seed_gives_the_same_history_and_another_seed_a_different_one() {
    let spec = DemoSpec::demo_fund(now());
    let a = generate(&spec);
    assert_eq!(a, generate(&spec));
    let other = generate(&DemoSpec { seed: spec.seed + 1, ..spec.clone() });
    assert_ne!(a, other);
    let ids = |events: &[GeneratedEvent]| -> Vec<Uuid> {
        events
            .iter()
            .filter_map(|e| match &e.payload {
                EventPayload::CompanyAdded(c) => Some(c.company_id),
                _ => None,
            })
            .collect()
    };
    assert!(ids(&a).iter().all(|id| !ids(&other).contains(id)), "company ids shared across seeds");
}

#[test]
fn every_demo_event_passes_decide_at_its_effective_date_when_recorded() {
    let spec = DemoSpec::demo_fund(now());
    let events = generate(&spec);
    assert_well_ordered(&spec, &events);
    let state = validate(&events, 50);
    assert_eq!(state, final_state(&events));
}

#[test]
fn other_seeds_and_dates_are_valid_too() {
    // A leap day start, a start late in a quarter, and a few seeds.
    for (seed, now) in [
        (1, Utc.with_ymd_and_hms(2030, 2, 28, 23, 59, 59).unwrap()),
        (2, Utc.with_ymd_and_hms(2024, 3, 29, 8, 0, 0).unwrap()),
        (3, now()),
    ] {
        let spec = DemoSpec { seed, ..DemoSpec::demo_fund(now) };
        let events = generate(&spec);
        assert_well_ordered(&spec, &events);
        assert!(spec.end() <= now);
        validate(&events, 400);
    }
}

#[test]
fn demo_fund_looks_like_a_six_year_old_100m_fund() {
    let spec = DemoSpec::demo_fund(now());
    let events = generate(&spec);
    let state = final_state(&events);
    let k = state.kpis(spec.end());
    let late = events.iter().filter(|e| is_late_mark(e)).count();
    let statuses = |s: CompanyStatus| state.companies.values().filter(|c| c.status == s).count();
    println!(
        "demo fund: {} events, {} late marks; committed {}, called {}, invested {}, distributed {}, NAV {}, \
         TVPI {:?}, DPI {:?}, net IRR {:?}; {} active, {} exited, {} written off; reserves planned {} deployed {}",
        events.len(),
        late,
        k.committed,
        k.called,
        k.total_invested,
        k.distributed,
        k.nav,
        k.tvpi,
        k.dpi,
        k.net_irr,
        statuses(CompanyStatus::Active),
        statuses(CompanyStatus::Exited),
        statuses(CompanyStatus::WrittenOff),
        k.reserves_planned,
        k.reserves_deployed,
    );
    assert_eq!(state.vintage, Some(spec.start.format("%Y").to_string().parse().unwrap()));
    assert_eq!(state.companies.len(), 30);
    let tvpi = k.tvpi.unwrap();
    assert!(tvpi >= dec("1.3") && tvpi <= dec("2.5"), "TVPI {tvpi}");
    assert!(k.dpi.unwrap() > Decimal::ZERO);
    assert!(k.called <= k.committed && k.called >= k.total_invested);
    assert!(k.total_invested >= dec("0.6") * k.committed, "only {} invested", k.total_invested);
    assert!(k.nav >= dec("0.5") * k.called && k.nav <= dec("2.5") * k.called, "NAV {}", k.nav);
    assert!((2..=8).contains(&statuses(CompanyStatus::Exited)));
    assert!((2..=14).contains(&statuses(CompanyStatus::WrittenOff)));
    let irr = k.net_irr.unwrap();
    assert!(irr > dec("0.03") && irr < dec("0.4"), "net IRR {irr}");
    assert!((3_000..=9_000).contains(&events.len()));
}

#[test]
fn deals_have_consistent_terms_follow_ons_move_up_and_some_rounds_go_down() {
    let events = generate(&DemoSpec::demo_fund(now()));
    let mut initial = 0;
    let mut follow_ons = 0;
    let mut stage_moves = 0;
    let mut down_rounds = 0;
    let mut last_post: HashMap<Uuid, Decimal> = HashMap::new();
    let mut in_effective_order: Vec<&GeneratedEvent> = events.iter().collect();
    in_effective_order.sort_by_key(|e| e.effective_at);
    for e in in_effective_order {
        match &e.payload {
            EventPayload::InvestmentMade(i) if !i.follow_on => {
                initial += 1;
                last_post.insert(i.company_id, i.post_money.unwrap());
            }
            EventPayload::InvestmentMade(i) => {
                follow_ons += 1;
                stage_moves += usize::from(i.stage.is_some());
                let post = i.post_money.unwrap();
                down_rounds += usize::from(post < last_post[&i.company_id]);
                last_post.insert(i.company_id, post);
            }
            EventPayload::ValuationUpdated(v) if v.ownership.is_some() => {
                // A round the fund sat out.
                down_rounds += usize::from(v.post_money < last_post[&v.company_id]);
                last_post.insert(v.company_id, v.post_money);
            }
            _ => {}
        }
    }
    assert_eq!(initial, 30);
    assert!(follow_ons >= 8, "{follow_ons} follow-ons");
    assert!(stage_moves >= 5, "{stage_moves} follow-ons at a new stage");
    assert!(down_rounds >= 1, "no down round");
    assert!(count(&events, "RESERVE_ALLOCATED") >= 30);
    assert!(count(&events, "CAPITAL_CALLED") >= 8);
    assert!(count(&events, "DISTRIBUTION_MADE") >= count(&events, "COMPANY_EXITED").min(2));
    let stages: std::collections::HashSet<Stage> = events
        .iter()
        .filter_map(|e| match &e.payload {
            EventPayload::CompanyAdded(c) => Some(c.stage),
            _ => None,
        })
        .collect();
    assert!(stages.len() >= 3, "entry stages {stages:?}");
}

#[test]
fn first_cheques_buy_5_to_20_percent_at_a_post_money_that_matches_the_cheque() {
    for seed in 0..20 {
        let events = generate(&DemoSpec { seed, ..DemoSpec::demo_fund(now()) });
        for e in &events {
            let EventPayload::InvestmentMade(i) = &e.payload else { continue };
            let (own, post) = (i.ownership.unwrap(), i.post_money.unwrap());
            let bought = i.amount / post;
            if i.follow_on {
                // Old shares diluted plus the new ones: at least what the cheque bought.
                assert!(own + dec("0.0001") >= bought, "seed {seed}: {i:?}");
            } else {
                assert!(own >= dec("0.05") && own <= dec("0.20"), "seed {seed}: initial ownership {own}");
                assert!((bought - own).abs() <= dec("0.0001"), "seed {seed}: {i:?}: ownership is not cheque / post");
            }
        }
    }
}

#[test]
fn capital_is_called_before_it_is_invested() {
    let events = generate(&DemoSpec::demo_fund(now()));
    let mut in_effective_order: Vec<&GeneratedEvent> = events.iter().collect();
    in_effective_order.sort_by_key(|e| e.effective_at);
    let (mut called, mut invested) = (Decimal::ZERO, Decimal::ZERO);
    for e in in_effective_order {
        match &e.payload {
            EventPayload::CapitalCalled(c) => called += c.amount,
            EventPayload::InvestmentMade(i) => {
                invested += i.amount;
                assert!(called >= invested, "invested {invested} with {called} called on {}", e.effective_at);
            }
            _ => {}
        }
    }
}

#[test]
fn some_valuations_are_recorded_weeks_late() {
    let events = generate(&DemoSpec::demo_fund(now()));
    let marks = count(&events, "VALUATION_UPDATED");
    let late: Vec<&GeneratedEvent> = events.iter().filter(|e| is_late_mark(e)).collect();
    let share = late.len() as f64 / marks as f64;
    assert!((0.1..=0.35).contains(&share), "{} of {marks} marks late", late.len());
    assert!(late.iter().all(|e| e.recorded_at - e.effective_at <= Duration::days(76)));
    // Late marks land behind events with later effective dates: replay has to put them back.
    let overtaken = events.windows(2).filter(|w| w[1].effective_at < w[0].effective_at).count();
    assert!(overtaken > 0);
}

#[test]
fn companies_report_plans_revisions_and_actuals_that_sometimes_miss() {
    let events = generate(&DemoSpec::demo_fund(now()));
    let mut forecasts: HashMap<(Uuid, Metric, chrono::NaiveDate), Vec<Decimal>> = HashMap::new();
    let mut actuals: HashMap<(Uuid, Metric, chrono::NaiveDate), Decimal> = HashMap::new();
    let mut sources = std::collections::HashSet::new();
    for e in &events {
        match &e.payload {
            EventPayload::ForecastCreated(f) => {
                assert!(e.effective_at.date_naive() < f.period, "forecast made after its period");
                forecasts.entry((f.company_id, f.metric, f.period)).or_default().push(f.value);
            }
            EventPayload::ActualRecorded(a) => {
                let period = a.period.unwrap();
                assert_eq!(e.effective_at.date_naive(), period);
                let delay = e.recorded_at - e.effective_at;
                assert!(delay >= Duration::days(3) && delay <= Duration::days(46), "actual recorded after {delay}");
                sources.insert(a.source);
                actuals.insert((a.company_id, a.metric, period), a.value);
            }
            _ => {}
        }
    }
    for metric in Metric::ALL {
        assert!(actuals.keys().any(|k| k.1 == metric), "no {metric:?} actuals");
    }
    assert_eq!(sources.len(), 3, "sources {sources:?}");
    assert!(forecasts.values().filter(|v| v.len() > 1).count() >= 50, "few re-forecasts");
    assert!(actuals.iter().any(|(k, v)| k.1 == Metric::Ebitda && v.is_sign_negative()));
    // Revenue against the latest plan: mostly close, a clear minority 20–40% short.
    let mut close = 0;
    let mut misses = 0;
    let mut compared = 0;
    for ((id, metric, period), actual) in &actuals {
        if *metric != Metric::Revenue {
            continue;
        }
        let Some(plan) = forecasts.get(&(*id, *metric, *period)).and_then(|v| v.first()) else { continue };
        compared += 1;
        let ratio = (actual / plan).to_f64().unwrap();
        close += usize::from((0.85..=1.15).contains(&ratio));
        misses += usize::from((0.55..=0.8).contains(&ratio));
    }
    assert!(compared >= 300);
    assert!(close as f64 > 0.6 * compared as f64, "{close} of {compared} near plan");
    assert!(misses as f64 > 0.05 * compared as f64 && (misses as f64) < 0.25 * compared as f64, "{misses} misses");
}

#[test]
fn large_fund_has_about_the_requested_number_of_events_over_more_companies_and_all_are_valid() {
    let spec = DemoSpec::large_fund(now(), 100_000);
    let started = Instant::now();
    let events = generate(&spec);
    let took = started.elapsed();
    let companies = count(&events, "COMPANY_ADDED");
    let late = events.iter().filter(|e| is_late_mark(e)).count();
    assert!(events.len().abs_diff(100_000) <= 5_000, "{} events", events.len());
    assert!(companies >= 200, "{companies} companies");
    assert_well_ordered(&spec, &events);
    assert!(late > 1_000, "{late} late marks");
    let state = validate(&events, 20_000);
    let k = state.kpis(spec.end());
    println!(
        "large fund: {} events, {companies} companies, {late} late marks, generated in {took:?}; \
         committed {}, called {}, NAV {}, TVPI {:?}, DPI {:?}",
        events.len(),
        k.committed,
        k.called,
        k.nav,
        k.tvpi,
        k.dpi,
    );
    assert!(k.tvpi.unwrap() > Decimal::ONE && k.dpi.unwrap() > Decimal::ZERO);
}

#[test]
fn smaller_large_funds_hit_their_targets_too() {
    for target in [8_000, 30_000] {
        let events = generate(&DemoSpec::large_fund(now(), target));
        assert!(events.len().abs_diff(target) * 20 <= target, "{} events for {target}", events.len());
    }
}

#[test]
fn tiny_specs_give_short_valid_histories() {
    // Without the demo's reserve assumptions: an empty history is FUND_CREATED alone.
    let base = DemoSpec { reserve_assumptions: None, ..DemoSpec::demo_fund(now()) };
    for (companies, years) in [(0, 6), (1, 1), (3, 2), (30, 0)] {
        let spec = DemoSpec { companies, years, ..base.clone() };
        let events = generate(&spec);
        assert_well_ordered(&spec, &events);
        validate(&events, 100);
        if years == 0 || companies == 0 {
            assert_eq!(events.len(), 1, "{companies} companies over {years} years");
        }
    }
}

/// Run with `--ignored --nocapture` to see how the headline figures spread over seeds.
#[test]
#[ignore]
fn seed_survey() {
    let mut tvpis = Vec::new();
    for seed in 0..200 {
        let spec = DemoSpec { seed, ..DemoSpec::demo_fund(now()) };
        let events = generate(&spec);
        let state = final_state(&events);
        let k = state.kpis(spec.end());
        let statuses = |s: CompanyStatus| state.companies.values().filter(|c| c.status == s).count();
        let tvpi = k.tvpi.unwrap().to_f64().unwrap();
        tvpis.push(tvpi);
        println!(
            "seed {seed:3}: {:5} events TVPI {tvpi:.2} DPI {:.2} IRR {:?} called {:.0}% invested {:.0}% exits {} write-offs {}",
            events.len(),
            k.dpi.unwrap().to_f64().unwrap(),
            k.net_irr,
            (k.called / k.committed).to_f64().unwrap() * 100.0,
            (k.total_invested / k.committed).to_f64().unwrap() * 100.0,
            statuses(CompanyStatus::Exited),
            statuses(CompanyStatus::WrittenOff),
        );
    }
    tvpis.sort_by(f64::total_cmp);
    let inside = tvpis.iter().filter(|t| (1.3..=2.5).contains(*t)).count();
    println!("TVPI p5 {:.2} p50 {:.2} p95 {:.2}; {inside}/200 in [1.3, 2.5]", tvpis[10], tvpis[100], tvpis[190]);
}

/// Net IRR equals a spreadsheet's XIRR on the same dated cash flows: the demo fund's calls and
/// distributions to 2026-06-30 and its NAV on that date. Reference: pyxirr 0.10.8 (Python 3.11,
/// `pyxirr.xirr(dates, amounts)` on the 20 flows this test builds, dates without times of day),
/// 0.15411877148688674; Excel's and Google Sheets' XIRR use the same Actual/365 equation.
#[test]
fn net_irr_is_the_spreadsheet_xirr_of_the_demo_fund() {
    let events = stored(&generate(&DemoSpec::demo_fund(now())));
    let as_of = domain::dates::parse_moment("2026-06-30", true).unwrap();
    let state = state_at(&events, as_of, u64::MAX);
    let mut flows: Vec<(DateTime<Utc>, f64)> = state.cash_flows.iter().map(|f| (f.date, f.amount.to_f64().unwrap())).collect();
    flows.push((as_of, state.nav().to_f64().unwrap()));
    assert_eq!(flows.len(), 20, "the flows the reference was computed on");
    let reference = 0.15411877148688674;
    let exact = domain::fund::xirr::xirr(&flows).unwrap();
    assert!((exact - reference).abs() < 1e-9, "{exact}");
    let shown = state.kpis(as_of).net_irr.unwrap().to_f64().unwrap();
    assert!((shown - reference).abs() <= 5e-7, "net IRR {shown} (rounded to 6 places)");
}
