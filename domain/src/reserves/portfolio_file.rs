//! The JSON portfolio of docs/reserves-model.md: a portfolio plus optional run settings and overrides.
use rust_decimal::Decimal;
use serde::Deserialize;

use super::error::ReserveError;
use super::input::{CompanyInput, FundInput, PortfolioInput};
use super::overrides::{ConstraintOverrides, ModelOverrides};
use super::run_params::RunParams;

/// The file as written by a user; settings left out take `RunParams::default()`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PortfolioFile {
    fund: FundInput,
    companies: Vec<CompanyInput>,
    iterations: Option<u32>,
    #[serde(default, deserialize_with = "super::amount::deserialize_option")]
    increment: Option<Decimal>,
    seed: Option<u64>,
    #[serde(default)]
    model: ModelOverrides,
    #[serde(default)]
    constraints: ConstraintOverrides,
}

/// Reads and checks a JSON portfolio. Errors name the field at fault (`companies[2].ownership`), for
/// malformed JSON as well as for values out of range.
pub fn parse_portfolio(json: &str) -> Result<(PortfolioInput, RunParams), ReserveError> {
    let deserializer = &mut serde_json::Deserializer::from_str(json);
    let file: PortfolioFile = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "portfolio".to_string()
        } else {
            path
        };
        ReserveError::invalid(field, e.into_inner().to_string())
    })?;
    let mut params = RunParams::default();
    if let Some(iterations) = file.iterations {
        params.iterations = iterations;
    }
    if let Some(increment) = file.increment {
        params.increment = increment;
    }
    if let Some(seed) = file.seed {
        params.seed = seed;
    }
    file.model.apply(&mut params.model);
    file.constraints.apply(&mut params.constraints);
    let input = PortfolioInput {
        fund: file.fund,
        companies: file.companies,
    };
    input.validate()?;
    params.validate()?;
    Ok((input, params))
}
