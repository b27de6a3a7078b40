//! Reading the JSON portfolio, and the `reserves` command line built on it.
#![cfg(feature = "engine")]

use std::io::Write;
use std::process::{Command, Stdio};

use domain::reserves::{parse_portfolio, ReserveError, Stage, FUND_OVERRIDE};
use rust_decimal::Decimal;

const DEMO: &str = include_str!("../examples/portfolio.json");

fn portfolio_with(company: &str) -> String {
    format!(
        r#"{{ "fund": {{ "size": 100000000, "available_reserves": 30000000 }},
             "companies": [ {{ "id": "c1", "name": "Acme", "stage": "seed", "invested": 1500000,
                               "ownership": 0.12, "post_money": 12000000 {company} }} ] }}"#
    )
}

fn error_of(json: &str) -> String {
    parse_portfolio(json)
        .expect_err("input should be refused")
        .to_string()
}

#[test]
fn given_the_demo_portfolio_then_it_parses_with_its_settings() {
    let (input, params) = parse_portfolio(DEMO).expect("demo parses");
    assert!((20..=30).contains(&input.companies.len()));
    assert_eq!((params.iterations, params.seed), (10_000, 42));
    assert_eq!(params.increment, Decimal::from(1_000_000));
    // Amounts may be integers or decimal strings.
    let helix = input.companies.iter().find(|c| c.id == "c08").expect("c08");
    assert_eq!(helix.post_money, Decimal::from(36_000_000));
}

#[test]
fn given_the_model_document_example_then_it_parses_with_default_settings() {
    let (input, params) = parse_portfolio(&portfolio_with(
        r#", "planned_reserves": 3000000, "deployed_reserves": 0"#,
    ))
    .expect("example parses");
    assert_eq!(input.companies[0].stage, Stage::Seed);
    assert_eq!(params.iterations, 10_000);
}

#[test]
fn given_ownership_out_of_range_at_the_third_company_then_the_error_names_it() {
    let (mut input, _) = parse_portfolio(DEMO).expect("demo parses");
    input.companies[2].ownership = 1.5;
    let err = input.validate().expect_err("refused");
    assert_eq!(err.to_string(), "companies[2].ownership: must be in (0, 1]");
    assert_eq!(err.field(), Some("companies[2].ownership"));
}

#[test]
fn given_an_amount_written_as_a_json_fraction_then_it_is_refused_naming_the_field() {
    let json = portfolio_with(r#", "planned_reserves": 3000000.5"#);
    let message = error_of(&json);
    assert!(
        message.starts_with(
            "companies[0].planned_reserves: amounts must be integers or decimal strings"
        ),
        "{message}"
    );
}

#[test]
fn given_an_amount_written_as_a_decimal_string_then_it_is_read_exactly() {
    let (input, _) = parse_portfolio(&portfolio_with(r#", "planned_reserves": "3000000.55""#))
        .expect("decimal string parses");
    assert_eq!(
        input.companies[0].planned_reserves,
        Decimal::new(300_000_055, 2)
    );
}

#[test]
fn given_an_unknown_stage_then_the_error_names_the_stage_field() {
    let json = portfolio_with("").replace(r#""stage": "seed""#, r#""stage": "series_z""#);
    assert!(
        error_of(&json).starts_with(
            "companies[0].stage: invalid value: string \"series_z\", expected a stage: pre-seed, seed, A, B, C or D+"
        ),
        "{}",
        error_of(&json)
    );
}

#[test]
fn given_a_misspelt_key_then_the_error_names_it_and_lists_the_expected_keys() {
    let message = error_of(&portfolio_with(r#", "ownrship": 0.1"#));
    assert!(
        message.starts_with("companies[0].ownrship: unknown field `ownrship`, expected one of"),
        "{message}"
    );
}

#[test]
fn given_reserves_deployed_beyond_plan_then_the_error_names_deployed_reserves() {
    let message = error_of(&portfolio_with(
        r#", "planned_reserves": 1000000, "deployed_reserves": 1200000"#,
    ));
    assert_eq!(
        message,
        "companies[0].deployed_reserves: must not exceed planned_reserves"
    );
}

#[test]
fn given_model_and_constraint_overrides_then_they_replace_defaults_and_say_so() {
    let json = portfolio_with("").replace(
        r#""companies""#,
        r#""model": { "stages": { "seed": { "graduation": 0.5 } }, "liquidation_preference": true },
           "constraints": { "hurdle": 1.2, "max_fund_share_per_company": 0.1, "allocation_increment": "500000" },
           "companies""#,
    );
    let (_, params) = parse_portfolio(&json).expect("overrides parse");
    let seed = &params.model.stages.seed;
    assert_eq!(seed.graduation.value, 0.5);
    assert_eq!(seed.graduation.source, FUND_OVERRIDE);
    assert_ne!(
        seed.exit.source, FUND_OVERRIDE,
        "untouched parameters keep their citation"
    );
    assert!(params.model.liquidation_preference.value);
    assert_eq!(params.constraints.hurdle.value, 1.2);
    assert_eq!(
        params.constraints.max_fund_share_per_company.value,
        Decimal::new(1, 1)
    );
    assert_eq!(
        params.constraints.allocation_increment.value,
        Decimal::from(500_000)
    );
}

#[test]
fn given_an_override_that_breaks_a_probability_then_the_error_names_the_model_field() {
    let json = portfolio_with("").replace(
        r#""companies""#,
        r#""model": { "stages": { "seed": { "graduation": 0.9 } } }, "companies""#,
    );
    assert_eq!(
        parse_portfolio(&json).unwrap_err(),
        ReserveError::invalid(
            "model.stages.seed.exit",
            "graduation + exit must not exceed 1"
        )
    );
}

fn reserves_cli(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reserves"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reserves binary starts");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.unwrap_or("").as_bytes())
        .expect("stdin written");
    drop(pipe);
    child.wait_with_output().expect("reserves binary finishes")
}

#[test]
fn given_the_demo_file_when_the_cli_runs_then_it_prints_the_ranking_as_json() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/portfolio.json");
    let out = reserves_cli(&[path], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let first = &report["companies"][0];
    for field in [
        "rank",
        "follow_on_multiple",
        "ci_low",
        "ci_high",
        "expected_moic",
        "confidence_score",
        "recommended_allocation",
        "current_reserve",
        "deployed",
    ] {
        assert!(!first[field].is_null(), "missing {field}");
    }
    assert_eq!(first["rank"], 1);
    assert!(
        first["recommended_allocation"].is_string(),
        "amounts are decimal strings"
    );
    assert!(report["fund"]["unallocated"].is_string());
}

#[test]
fn given_invalid_input_on_stdin_when_the_cli_runs_then_it_names_the_field_and_exits_with_2() {
    let json = portfolio_with("").replace(r#""ownership": 0.12"#, r#""ownership": 0"#);
    let out = reserves_cli(&["-"], Some(&json));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "companies[0].ownership: must be in (0, 1]"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn given_no_arguments_when_the_cli_runs_then_it_prints_usage_and_exits_with_2() {
    let out = reserves_cli(&[], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}
