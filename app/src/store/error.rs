use domain::DomainError;
use thiserror::Error;

/// Everything the store can refuse or fail at. Database text never reaches a client: `Database`
/// maps to a generic 500 after being logged.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("fund {0} not found")]
    FundNotFound(uuid::Uuid),
    #[error("expected version {expected} but the fund is at {current}")]
    Conflict { expected: u64, current: u64 },
    #[error("idempotency key already used for a different request")]
    IdempotencyMismatch,
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A back-dated event of the request would make a later stored event invalid: `field`
    /// names the request's event, `version` and `event_type` the stored event it breaks.
    #[error("{field}: {message}")]
    BreaksLaterEvent { field: String, message: String, version: u64, event_type: String },
    #[error("snapshot {0} not found")]
    SnapshotNotFound(i64),
    #[error("alert rule {0} not found")]
    AlertRuleNotFound(uuid::Uuid),
    #[error("alert {0} not found")]
    AlertNotFound(uuid::Uuid),
    #[error("upload {0} not found (uploads are kept for a day and until imported)")]
    UploadNotFound(uuid::Uuid),
    /// A CSV import with bad rows: every one of them, nothing written.
    #[error("{} row(s) of the file are invalid; nothing was imported", .0.len())]
    InvalidRows(Vec<domain::variance::RowError>),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
}

/// Which event of an append a field names, and the field within it:
/// `events[3].payload.amount` → `(3, "payload.amount")`.
pub fn event_field(field: &str) -> Option<(usize, &str)> {
    let rest = field.strip_prefix("events[")?;
    let (index, inner) = rest.split_once(']')?;
    Some((index.parse().ok()?, inner.strip_prefix('.').unwrap_or(inner)))
}

impl StoreError {
    /// The database is unreachable, restarting or saturated, not the request at fault: answer
    /// 503 and let the client retry. (Lost connections, a pool with no free connection, and
    /// PostgreSQL's shutdown and connection-exception errors, SQLSTATE 57P0x and 08xxx.)
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(e) = self else { return false };
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")),
            _ => false,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid { field: field.into(), message: message.into() }
    }

    /// A domain rule about a request field (the error names it).
    pub fn from_domain_field(e: DomainError) -> Self {
        let DomainError::Invalid { field, message } = e;
        StoreError::Invalid { field, message }
    }

    /// A domain rule broken by event `index` of a batch: the field is prefixed with the event's path.
    pub fn from_domain(index: usize, e: DomainError) -> Self {
        let DomainError::Invalid { field, message } = e;
        StoreError::invalid(format!("events[{index}].{field}"), message)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
