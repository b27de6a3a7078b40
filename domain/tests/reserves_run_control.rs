//! Progress reporting and cancellation, as the web job uses them.
#![cfg(feature = "engine")]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use domain::reserves::{parse_portfolio, run, PortfolioInput, ReserveError, RunParams};

fn demo() -> (PortfolioInput, RunParams) {
    parse_portfolio(include_str!("../examples/portfolio.json")).expect("demo parses")
}

#[test]
fn given_a_run_when_it_completes_then_progress_rises_monotonically_to_one() {
    let (input, params) = demo();
    let seen = Mutex::new(Vec::new());
    let record = |fraction: f64| seen.lock().expect("not poisoned").push(fraction);
    run(&input, &params, &record, &AtomicBool::new(false)).expect("valid run");
    let seen = seen.into_inner().expect("not poisoned");
    assert!(seen.len() > 10, "only {} progress reports", seen.len());
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress went backwards"
    );
    assert!(seen.iter().all(|f| (0.0..=1.0).contains(f)));
    assert_eq!(seen.last(), Some(&1.0));
}

#[test]
fn given_cancel_raised_before_the_run_then_it_returns_cancelled() {
    let (input, params) = demo();
    let result = run(&input, &params, &|_| {}, &AtomicBool::new(true));
    assert_eq!(result.unwrap_err(), ReserveError::Cancelled);
}

#[test]
fn given_cancel_raised_during_the_run_then_it_stops_with_cancelled() {
    let (input, params) = demo();
    let cancel = AtomicBool::new(false);
    let max_seen = Mutex::new(0.0f64);
    let stop_at_a_fifth = |fraction: f64| {
        let mut max = max_seen.lock().expect("not poisoned");
        *max = max.max(fraction);
        if fraction >= 0.2 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let result = run(&input, &params, &stop_at_a_fifth, &cancel);
    assert_eq!(result.unwrap_err(), ReserveError::Cancelled);
    let max = max_seen.into_inner().expect("not poisoned");
    assert!(max < 1.0, "the run went on to the end ({max})");
}
