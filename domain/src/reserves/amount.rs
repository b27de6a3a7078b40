//! Reading dollar amounts and fractions from JSON without passing through binary floating point.
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};

/// An amount in dollars: a JSON integer or a decimal string (`1500000`, `"1500000.50"`). JSON
/// fractions like `1500000.5` are refused, because they have already been rounded to binary.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(AmountVisitor {
        accept_float: false,
    })
}

/// Like `deserialize`, for optional amounts; `null` is `None`, so what serde wrote for `None` reads
/// back (stored assumptions round-trip).
pub(crate) fn deserialize_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Decimal>, D::Error> {
    deserializer.deserialize_option(OptionVisitor {
        accept_float: false,
    })
}

/// A share or multiple (`0.15`, `"0.15"`, `1`), or `null`. A JSON fraction is read through its
/// shortest decimal form, which is exactly what the user typed.
pub(crate) fn deserialize_fraction_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Decimal>, D::Error> {
    deserializer.deserialize_option(OptionVisitor { accept_float: true })
}

struct OptionVisitor {
    accept_float: bool,
}

impl<'de> Visitor<'de> for OptionVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        AmountVisitor {
            accept_float: self.accept_float,
        }
        .expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer
            .deserialize_any(AmountVisitor {
                accept_float: self.accept_float,
            })
            .map(Some)
    }
}

struct AmountVisitor {
    accept_float: bool,
}

impl Visitor<'_> for AmountVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.accept_float {
            f.write_str("a number or a decimal string")
        } else {
            f.write_str(
                "an amount in dollars: an integer or a decimal string such as \"1500000.50\"",
            )
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        if !self.accept_float {
            return Err(E::custom(
                "amounts must be integers or decimal strings such as \"1500000.50\", not JSON fractions",
            ));
        }
        Decimal::from_str(&v.to_string()).map_err(|_| E::custom(format!("{v} is out of range")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str_exact(v.trim())
            .map_err(|_| E::custom(format!("\"{v}\" is not a decimal number")))
    }
}
