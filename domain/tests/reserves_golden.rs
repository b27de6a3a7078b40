//! The engine's output for the example portfolio is pinned byte for byte, so the sequential build
//! (`--no-default-features --features engine`) and the rayon build must both reproduce it.
//! Regenerate deliberately with `FUNDLENS_WRITE_GOLDEN=1` after an intended model change.
#![cfg(feature = "engine")]

use std::sync::atomic::AtomicBool;

use domain::reserves::{parse_portfolio, run, RunParams};

const GOLDEN: &str = "tests/data/reserves_example_2000.json";

#[test]
fn example_portfolio_report_matches_the_pinned_golden_file() {
    let (input, params) = parse_portfolio(include_str!("../examples/portfolio.json")).expect("example parses");
    let params = RunParams { iterations: 2_000, ..params };
    let report = run(&input, &params, &|_| {}, &AtomicBool::new(false)).expect("valid run");
    let json = serde_json::to_string_pretty(&report).expect("serialises") + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reserves_example_2000.json");
    if std::env::var_os("FUNDLENS_WRITE_GOLDEN").is_some() {
        std::fs::write(path, &json).expect("write golden");
    }
    let golden = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{GOLDEN} missing: run once with FUNDLENS_WRITE_GOLDEN=1"));
    assert!(json == golden, "report differs from {GOLDEN}");
}
