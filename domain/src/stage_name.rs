//! Reading a funding stage as people write it ("Series C", "series_c", "C", "D+", "pre-seed").
//!
//! The fund's `Stage` and the reserve engine's `Stage` list the same six stages but live apart (the
//! engine is also a stand-alone tool), so they share this one normaliser instead of two alias lists
//! that drift.
use std::fmt;

use serde::de::{self, Visitor};

/// What a stage may look like, for error messages.
pub(crate) const ACCEPTED_FORMS: &str = "a stage: pre-seed, seed, A, B, C or D+, in any case, with or \
without \"Series\" and with spaces, '-' or '_' anywhere (\"Series C\", \"series_c\", \"D+\", \"series_d_plus\")";

/// Position of the stage in funding order (0 = pre-seed … 5 = D+), or `None` when the text names no
/// stage. Case, spaces, `-`, `_` and a leading "series" are ignored; D, D+ and "D plus" are the last
/// stage.
pub(crate) fn position(text: &str) -> Option<usize> {
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    let name = squeezed.strip_prefix("series").unwrap_or(&squeezed);
    match name {
        "preseed" => Some(0),
        "seed" => Some(1),
        "a" => Some(2),
        "b" => Some(3),
        "c" => Some(4),
        "d" | "d+" | "dplus" => Some(5),
        _ => None,
    }
}

/// Deserialises any accepted form into the matching entry of a stage enum's `ALL`.
pub(crate) struct StageVisitor<T>(pub(crate) [T; 6]);

impl<T: Copy> Visitor<'_> for StageVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(ACCEPTED_FORMS)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        position(v)
            .map(|i| self.0[i])
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}
