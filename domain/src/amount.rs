//! Amounts as the API takes them: a decimal string (`"1000000"`, `"-0.125"`) or a JSON integer,
//! and nothing looser. `rust_decimal`'s own parser also takes `"1_000"`, `"+1"` and `"1E5"`,
//! which a user never means as money; those are refused here with the expected form.
//!
//! Use with `#[serde(deserialize_with = "crate::amount::strict")]` (or `strict_option` with
//! `#[serde(default)]`) on a `Decimal` field.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};

/// Digits after the point that an amount may have (the database keeps 8).
pub const MAX_DECIMALS: u32 = 8;

/// Parses `s` as a plain decimal: an optional `-`, digits, and optionally `.` and digits.
pub fn parse_strict(s: &str) -> Result<Decimal, String> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(format!("{s:?} is not a decimal amount: write digits with an optional minus sign and point, e.g. \"1250000.50\""));
    }
    if fraction.is_some_and(|f| f.trim_end_matches('0').len() > MAX_DECIMALS as usize) {
        return Err(format!("{s:?} has more than {MAX_DECIMALS} decimal places"));
    }
    s.parse::<Decimal>().map_err(|_| format!("{s:?} is too large"))
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal amount as a string, e.g. \"1000000\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_strict(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Err(E::custom(format!("{v} is a JSON number with a fraction, which loses precision: write it as a string, e.g. \"{v}\"")))
    }
}

pub fn strict<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(StrictVisitor)
}

pub fn strict_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    struct OptionVisitor;
    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a decimal amount as a string, or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            strict(d).map(Some)
        }
    }
    d.deserialize_option(OptionVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_decimals_are_amounts() {
        for ok in ["0", "1000000", "-0.125", "12.50000000", "1.000000000000"] {
            assert!(parse_strict(ok).is_ok(), "{ok}");
        }
        for bad in ["1_000", "+1", "1E5", "1e5", "", "-", ".5", "5.", "1.2.3", " 1", "0x10", "1.000000001", "NaN"] {
            assert!(parse_strict(bad).is_err(), "{bad}");
        }
        #[derive(serde::Deserialize, Debug)]
        struct T {
            #[serde(deserialize_with = "strict")]
            a: Decimal,
            #[serde(default, deserialize_with = "strict_option")]
            b: Option<Decimal>,
        }
        let t: T = serde_json::from_str(r#"{"a": 5, "b": null}"#).unwrap();
        assert_eq!((t.a, t.b), (Decimal::from(5), None));
        let t: T = serde_json::from_str(r#"{"a": "5.5", "b": "2"}"#).unwrap();
        assert_eq!(t.b, Some(Decimal::from(2)));
        assert!(serde_json::from_str::<T>(r#"{"a": 0.1}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a": "1E5"}"#).is_err());
    }
}
