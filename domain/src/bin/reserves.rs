//! Command-line reserve engine: reads a JSON portfolio (docs/reserves-model.md) and prints the
//! ranking and recommended allocation as JSON.
//!
//! `cargo run --release -p domain --bin reserves -- portfolio.json` (or `-` for standard input).
//! Invalid input prints `field: why` on standard error and exits with status 2.
use std::io::Read;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use domain::reserves::{parse_portfolio, run, ReserveError};

const USAGE: &str = "usage: reserves <portfolio.json | ->";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let json = match read_input(path) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let report = parse_portfolio(&json)
        .and_then(|(input, params)| run(&input, &params, &|_| {}, &AtomicBool::new(false)));
    match report {
        Ok(report) => match serde_json::to_string_pretty(&report) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("could not write the report: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e @ ReserveError::Invalid { .. }) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn read_input(path: &str) -> std::io::Result<String> {
    if path == "-" {
        let mut json = String::new();
        std::io::stdin().read_to_string(&mut json)?;
        Ok(json)
    } else {
        std::fs::read_to_string(path)
    }
}
