//! Same input and seed ⇒ byte-identical report, whatever the thread count, the company order or
//! whether anyone watches the progress.
#![cfg(feature = "parallel")]

use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use chrono::{TimeZone, Utc};
use domain::fund::FundEvent;
use domain::reserves::{
    parse_portfolio, portfolio_from_state, run, run_fund, PortfolioInput, RunParams,
};
use domain::time_machine::replay::state_at;
use rayon::ThreadPoolBuilder;

fn demo() -> (PortfolioInput, RunParams) {
    parse_portfolio(include_str!("../examples/portfolio.json")).expect("demo parses")
}

fn report_json(input: &PortfolioInput, params: &RunParams) -> String {
    let report = run(input, params, &|_| {}, &AtomicBool::new(false)).expect("valid run");
    serde_json::to_string(&report).expect("report serialises")
}

fn on_threads(threads: usize, input: &PortfolioInput, params: &RunParams) -> String {
    on_pool(threads, || report_json(input, params))
}

fn on_pool<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(work)
}

/// The report, and every progress value in the order the callback received them.
fn watched_report_json(input: &PortfolioInput, params: &RunParams) -> (String, Vec<f64>) {
    let seen = Mutex::new(Vec::new());
    let report = run(
        input,
        params,
        &|p| seen.lock().unwrap().push(p),
        &AtomicBool::new(false),
    )
    .expect("valid run");
    let json = serde_json::to_string(&report).expect("report serialises");
    (json, seen.into_inner().unwrap())
}

fn assert_progress_rises_to_one(progress: &[f64]) {
    assert!(!progress.is_empty(), "progress was reported");
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {progress:?}"
    );
    assert_eq!(progress.last(), Some(&1.0));
    assert!(progress.iter().all(|p| (0.0..=1.0).contains(p)));
}

#[test]
fn given_same_input_and_seed_when_run_on_1_and_4_threads_then_reports_are_byte_identical() {
    let (input, params) = demo();
    let one = on_threads(1, &input, &params);
    let four = on_threads(4, &input, &params);
    assert_eq!(one.len(), four.len());
    assert!(one == four, "reports differ between 1 and 4 threads");
}

#[test]
fn given_same_input_and_seed_when_run_on_1_and_2_threads_then_reports_are_byte_identical() {
    let (input, params) = demo();
    assert!(on_threads(1, &input, &params) == on_threads(2, &input, &params));
}

#[test]
fn given_a_progress_callback_then_the_report_is_byte_identical_to_a_run_without_one() {
    let (input, params) = demo();
    let silent = on_threads(2, &input, &params);
    let (watched, progress) = on_pool(2, || watched_report_json(&input, &params));
    assert!(
        watched == silent,
        "watching the progress changed the report"
    );
    assert_progress_rises_to_one(&progress);
}

#[test]
fn given_one_thread_or_two_then_progress_never_goes_back_and_ends_at_one() {
    let (input, params) = demo();
    for threads in [1, 2] {
        let (_, progress) = on_pool(threads, || watched_report_json(&input, &params));
        assert_progress_rises_to_one(&progress);
    }
}

#[test]
fn given_the_demo_funds_history_then_a_fund_run_is_byte_identical_on_1_and_2_threads_and_watched() {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
    let history = domain::demo::generate(&domain::demo::DemoSpec::demo_fund(now));
    let log: Vec<FundEvent> = history
        .into_iter()
        .enumerate()
        .map(|(i, e)| FundEvent {
            version: i as u64 + 1,
            effective_at: e.effective_at,
            recorded_at: e.recorded_at,
            payload: e.payload,
        })
        .collect();
    let portfolio = portfolio_from_state(&state_at(&log, now, u64::MAX));
    assert!(
        portfolio.input.companies.len() >= 5,
        "the demo fund has companies to rank"
    );
    let params = RunParams {
        iterations: 1_000,
        ..RunParams::default()
    };
    let fund_json = |progress: &(dyn Fn(f64) + Send + Sync)| {
        let report =
            run_fund(&portfolio, &params, progress, &AtomicBool::new(false)).expect("valid run");
        serde_json::to_string(&report).expect("report serialises")
    };
    let one = on_pool(1, || fund_json(&|_| {}));
    let two = on_pool(2, || fund_json(&|_| {}));
    assert!(one == two, "fund reports differ between 1 and 2 threads");
    let seen = Mutex::new(Vec::new());
    let watched = on_pool(2, || fund_json(&|p| seen.lock().unwrap().push(p)));
    assert!(
        watched == one,
        "watching the progress changed the fund report"
    );
    assert_progress_rises_to_one(&seen.into_inner().unwrap());
}

#[test]
fn given_same_input_and_seed_when_run_twice_then_reports_are_byte_identical() {
    let (input, params) = demo();
    assert!(report_json(&input, &params) == report_json(&input, &params));
}

#[test]
fn given_a_different_seed_then_the_estimates_change() {
    let (input, params) = demo();
    let other = RunParams {
        seed: params.seed + 1,
        ..params.clone()
    };
    assert!(report_json(&input, &params) != report_json(&input, &other));
}

#[test]
fn given_companies_in_another_order_then_each_company_gets_the_same_figures() {
    // Random streams are keyed by company id, not position.
    let (input, params) = demo();
    let mut reversed = input.clone();
    reversed.companies.reverse();
    let a = run(&input, &params, &|_| {}, &AtomicBool::new(false)).expect("valid run");
    let b = run(&reversed, &params, &|_| {}, &AtomicBool::new(false)).expect("valid run");
    assert_eq!(a.companies, b.companies);
}
