//! The reserve engine's error type.
use thiserror::Error;

/// Why a reserve run produced no report.
///
/// The domain crate's `DomainError` describes broken fund rules; a reserve run can also be stopped by
/// its caller, which is not a rule violation, so the engine keeps its own enum (the public API
/// names it).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReserveError {
    /// An input or parameter is out of range. `field` is the path the user must change, written as in
    /// the JSON portfolio (`companies[2].ownership`, `model.stages.seed.graduation`).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The caller raised the cancellation flag before the run finished.
    #[error("reserve run cancelled")]
    Cancelled,
}

impl ReserveError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ReserveError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The input field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ReserveError::Invalid { field, .. } => Some(field),
            ReserveError::Cancelled => None,
        }
    }
}
