//! What a reserve-run request asks for, parsed and bounded once at the edge: every error names the
//! field the caller must change.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::store::StoreError;
use crate::time_machine::dates::{end_of, parse_moment};

/// Fewest simulated paths per company a run accepts: below this the intervals are too wide to rank.
pub const MIN_ITERATIONS: u32 = 100;
/// Most paths per company a request may ask for (~25 s for a 30-company fund on 2 cores).
pub const MAX_ITERATIONS: u32 = 1_000_000;
/// Smallest and largest follow-on increment whose multiple ranks the companies.
pub const MIN_INCREMENT: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);
pub const MAX_INCREMENT: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0); // 1e12
/// The seed when none is given: fixed, so identical requests share one result.
pub const DEFAULT_SEED: u64 = 42;
/// The increment when none is given: $1M, the model's Δ.
pub const DEFAULT_INCREMENT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// The request as sent (JSON body or form): numbers may be JSON numbers or strings.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawRunSpec {
    #[serde(default)]
    pub as_of: Option<String>,
    #[serde(default)]
    pub known_at: Option<String>,
    #[serde(default)]
    pub iterations: Option<serde_json::Value>,
    #[serde(default)]
    pub increment: Option<serde_json::Value>,
    #[serde(default)]
    pub seed: Option<serde_json::Value>,
}

/// A resolved, bounded request.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// The business date of the ranking (a plain date means the end of that day, UTC).
    pub as_of: DateTime<Utc>,
    /// `None`: as known now.
    pub known_at: Option<DateTime<Utc>>,
    pub iterations: u32,
    pub increment: Decimal,
    pub seed: u64,
}

impl RunSpec {
    /// Parses `raw`; `default_iterations` is MONTE_CARLO_ITERATIONS, `now` the server's clock
    /// (as_of defaults to the end of today).
    pub fn parse(raw: &RawRunSpec, default_iterations: u32, now: DateTime<Utc>) -> Result<RunSpec, StoreError> {
        let as_of = match non_blank(&raw.as_of) {
            Some(s) => date("as_of", s)?,
            None => end_of(now.date_naive()),
        };
        let known_at = non_blank(&raw.known_at).map(|s| date("known_at", s)).transpose()?;
        let iterations = match &raw.iterations {
            None | Some(serde_json::Value::Null) => default_iterations,
            Some(v) => whole("iterations", v, u64::from(MIN_ITERATIONS), u64::from(MAX_ITERATIONS))? as u32,
        };
        let increment = match &raw.increment {
            None | Some(serde_json::Value::Null) => DEFAULT_INCREMENT,
            Some(v) => amount("increment", v)?,
        };
        if increment < MIN_INCREMENT || increment > MAX_INCREMENT {
            return Err(StoreError::invalid("increment", format!("must be between {MIN_INCREMENT} and {MAX_INCREMENT} dollars")));
        }
        let seed = match &raw.seed {
            None | Some(serde_json::Value::Null) => DEFAULT_SEED,
            Some(v) => whole("seed", v, 0, u64::MAX)?,
        };
        Ok(RunSpec { as_of, known_at, iterations, increment, seed })
    }
}

fn non_blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A date (the end of that day) or an RFC 3339 time, in the supported range (`domain::dates`).
fn date(field: &str, raw: &str) -> Result<DateTime<Utc>, StoreError> {
    if raw.len() > 40 {
        return Err(StoreError::invalid(field, "is not a date (YYYY-MM-DD) or an RFC 3339 timestamp"));
    }
    parse_moment(raw, true).map_err(|m| StoreError::invalid(field, m))
}

fn whole(field: &str, v: &serde_json::Value, min: u64, max: u64) -> Result<u64, StoreError> {
    let n = match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) if !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    };
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(StoreError::invalid(field, format!("must be a whole number between {min} and {max}"))),
    }
}

fn amount(field: &str, v: &serde_json::Value) -> Result<Decimal, StoreError> {
    let text = match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.trim().to_string(),
        _ => String::new(),
    };
    let plain = !text.is_empty() && text.len() <= 30 && text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    plain
        .then(|| text.parse::<Decimal>().ok())
        .flatten()
        .ok_or_else(|| StoreError::invalid(field, "must be an amount in dollars, e.g. 1000000 or \"250000.50\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<RunSpec, String> {
        let raw: RawRunSpec = serde_json::from_value(v).unwrap();
        let now = "2026-12-01T10:00:00Z".parse().unwrap();
        RunSpec::parse(&raw, 10_000, now).map_err(|e| match e {
            StoreError::Invalid { field, .. } => field,
            other => other.to_string(),
        })
    }

    #[test]
    fn defaults_are_today_the_configured_iterations_one_million_and_seed_42() {
        let s = parse(json!({})).unwrap();
        assert_eq!(s.as_of.to_rfc3339(), "2026-12-01T23:59:59.999999+00:00");
        assert_eq!((s.known_at, s.iterations, s.increment, s.seed), (None, 10_000, Decimal::from(1_000_000), 42));
    }

    #[test]
    fn numbers_may_be_strings_and_dates_plain() {
        let s = parse(json!({"as_of": "2025-06-30", "iterations": "20000", "increment": "250000", "seed": "18446744073709551615"})).unwrap();
        assert_eq!(s.as_of.to_rfc3339(), "2025-06-30T23:59:59.999999+00:00");
        assert_eq!((s.iterations, s.increment, s.seed), (20_000, Decimal::from(250_000), u64::MAX));
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        assert_eq!(parse(json!({"iterations": 99})), Err("iterations".into()));
        assert_eq!(parse(json!({"iterations": 1_000_001})), Err("iterations".into()));
        assert_eq!(parse(json!({"iterations": -5})), Err("iterations".into()));
        assert_eq!(parse(json!({"iterations": 1.5})), Err("iterations".into()));
        assert_eq!(parse(json!({"increment": 0})), Err("increment".into()));
        assert_eq!(parse(json!({"increment": "1e6"})), Err("increment".into()));
        assert_eq!(parse(json!({"increment": "-1000"})), Err("increment".into()));
        assert_eq!(parse(json!({"seed": "-1"})), Err("seed".into()));
        assert_eq!(parse(json!({"as_of": "+262142-12-31"})), Err("as_of".into()));
        assert_eq!(parse(json!({"as_of": "1899-12-31"})), Err("as_of".into()));
        assert_eq!(parse(json!({"known_at": "soon"})), Err("known_at".into()));
    }
}
