use app::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// What a REST client gets when a request fails: `{error, field?}` (plus `current_version` on a
/// conflict). Internal causes are logged, never sent.
#[derive(Debug)]
pub enum ApiError {
    /// Malformed request: bad JSON, a query parameter that does not parse.
    BadRequest { field: Option<String>, message: String },
    /// Well-formed but breaks a rule of the fund.
    Unprocessable { field: Option<String>, message: String },
    NotFound { field: Option<String>, message: String },
    /// A file with bad rows: every one of them (line, column, reason).
    Rows { message: String, rows: Vec<domain::variance::RowError> },
    Conflict { message: String, current_version: u64 },
    /// A back-dated event that would make a later stored event invalid (422).
    BreaksLaterEvent { field: String, message: String, version: u64, event_type: String },
    /// No valid session or API token (401).
    Unauthorized { message: String },
    /// Signed in, but not allowed this (403).
    Forbidden { message: String },
    Unavailable,
    Internal,
}

/// What a 503 asks the client to wait, in seconds.
pub const RETRY_AFTER_SECS: &str = "2";

impl ApiError {
    pub fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadRequest { field: Some(field.into()), message: message.into() }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::FundNotFound(_) => ApiError::NotFound { field: Some("fund_id".into()), message: e.to_string() },
            StoreError::AlertRuleNotFound(_) => ApiError::NotFound { field: Some("rule_id".into()), message: e.to_string() },
            StoreError::AlertNotFound(_) => ApiError::NotFound { field: Some("alert_id".into()), message: e.to_string() },
            StoreError::UploadNotFound(_) => ApiError::NotFound { field: Some("upload_id".into()), message: e.to_string() },
            StoreError::InvalidRows(ref rows) => ApiError::Rows { message: e.to_string(), rows: rows.clone() },
            StoreError::SnapshotNotFound(_) => ApiError::NotFound { field: Some("snapshot_id".into()), message: e.to_string() },
            StoreError::Conflict { current, .. } => ApiError::Conflict { message: e.to_string(), current_version: current },
            StoreError::IdempotencyMismatch => {
                ApiError::Unprocessable { field: Some("idempotency_key".into()), message: e.to_string() }
            }
            StoreError::Invalid { field, message } => ApiError::Unprocessable { field: Some(field), message },
            StoreError::BreaksLaterEvent { field, message, version, event_type } => ApiError::BreaksLaterEvent { field, message, version, event_type },
            ref unavailable if unavailable.is_unavailable() => {
                tracing::warn!(error = %e, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::Database(_) | StoreError::Corrupt(_) => {
                tracing::error!(error = %e, "request failed");
                ApiError::Internal
            }
        }
    }
}

/// The JSON body of every error answer; its schema in the OpenAPI document is derived from it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person to read.
    pub error: String,
    /// The request field at fault (a JSON path such as `events[0].payload.amount`, a query
    /// parameter, a path segment such as `fund_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// On 409: the fund's version now, to re-read and retry against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
    /// On 422 for a back-dated event: the stored event it would make invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts_with: Option<ConflictingEvent>,
    /// On 422 for a CSV import: every bad row (line, column, reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub rows: Option<Vec<domain::variance::RowError>>,
}

/// A stored event that a back-dated one would make invalid.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConflictingEvent {
    pub version: u64,
    #[serde(rename = "type")]
    pub event_type: String,
}

impl ErrorBody {
    pub fn new(error: String, field: Option<String>) -> Self {
        ErrorBody { error, field, current_version: None, conflicts_with: None, rows: None }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::BadRequest { field, message } => (StatusCode::BAD_REQUEST, ErrorBody::new(message, field)),
            ApiError::Unprocessable { field, message } => (StatusCode::UNPROCESSABLE_ENTITY, ErrorBody::new(message, field)),
            ApiError::NotFound { field, message } => (StatusCode::NOT_FOUND, ErrorBody::new(message, field)),
            ApiError::BreaksLaterEvent { field, message, version, event_type } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorBody { conflicts_with: Some(ConflictingEvent { version, event_type }), ..ErrorBody::new(message, Some(field)) },
            ),
            ApiError::Rows { message, rows } => (StatusCode::UNPROCESSABLE_ENTITY, ErrorBody { rows: Some(rows), ..ErrorBody::new(message, None) }),
            ApiError::Conflict { message, current_version } => {
                (StatusCode::CONFLICT, ErrorBody { current_version: Some(current_version), ..ErrorBody::new(message, None) })
            }
            ApiError::Unauthorized { message } => (StatusCode::UNAUTHORIZED, ErrorBody::new(message, None)),
            ApiError::Forbidden { message } => (StatusCode::FORBIDDEN, ErrorBody::new(message, None)),
            ApiError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, ErrorBody::new("the database is unavailable or busy; retry shortly".into(), None))
            }
            ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, ErrorBody::new("internal error; it has been logged".into(), None)),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        if status == StatusCode::UNAUTHORIZED {
            // RFC 9110: a 401 names the scheme that would work.
            response.headers_mut().insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer realm=\"fundlens\""));
        }
        response
    }
}
