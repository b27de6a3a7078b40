use app::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::BadRequest { field, message } => (StatusCode::BAD_REQUEST, json!({ "error": message, "field": field })),
            ApiError::Unprocessable { field, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": message, "field": field }))
            }
            ApiError::NotFound { field, message } => (StatusCode::NOT_FOUND, json!({ "error": message, "field": field })),
            ApiError::BreaksLaterEvent { field, message, version, event_type } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "error": message, "field": field, "conflicts_with": { "version": version, "type": event_type } }),
            ),
            ApiError::Rows { message, rows } => (StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": message, "rows": rows })),
            ApiError::Conflict { message, current_version } => {
                (StatusCode::CONFLICT, json!({ "error": message, "current_version": current_version }))
            }
            ApiError::Unauthorized { message } => (StatusCode::UNAUTHORIZED, json!({ "error": message })),
            ApiError::Forbidden { message } => (StatusCode::FORBIDDEN, json!({ "error": message })),
            ApiError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "the database is unavailable or busy; retry shortly" }))
            }
            ApiError::Internal => {
                (StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": "internal error; it has been logged" }))
            }
        };
        let body = match body {
            serde_json::Value::Object(mut m) => {
                m.retain(|_, v| !v.is_null());
                serde_json::Value::Object(m)
            }
            other => other,
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
