//! A parameter value together with where it comes from.
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A parameter and its provenance, so a user can see why a number is what it is. Defaults cite their
/// study; a per-fund override says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Cow<'static, str>,
}

/// The source recorded when a fund replaces a default.
pub const FUND_OVERRIDE: &str = "fund override";

impl<T> Sourced<T> {
    pub const fn cited(value: T, source: &'static str) -> Self {
        Sourced {
            value,
            source: Cow::Borrowed(source),
        }
    }

    /// Replaces the value and records that the fund chose it.
    pub fn override_with(&mut self, value: T) {
        self.value = value;
        self.source = Cow::Borrowed(FUND_OVERRIDE);
    }
}
