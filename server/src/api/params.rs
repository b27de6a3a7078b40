//! Parsing of path, query and body inputs into typed values, with errors that name the field.

use axum::body::Bytes;
use axum::http::HeaderMap;
use app::time_machine::dates::parse_moment;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::error::ApiError;

/// A store's refusal of a query parameter, as a 400 naming it (body fields get 422).
pub fn bad_param(e: app::store::StoreError) -> ApiError {
    match e {
        app::store::StoreError::Invalid { field, message } => ApiError::bad(field, message),
        other => other.into(),
    }
}

pub fn uuid(field: &str, raw: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::bad(field, format!("{raw:?} is not a UUID")))
}

/// A moment in a request (see `parse_moment` for the accepted forms).
pub fn moment(field: &str, raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, ApiError> {
    parse_moment(raw, end_of_day).map_err(|message| ApiError::bad(field, message))
}

pub fn optional_moment(field: &str, raw: Option<&str>, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.filter(|s| !s.trim().is_empty()).map(|s| moment(field, s, end_of_day)).transpose()
}

/// Deserialises a JSON value, naming the failing field below `prefix`.
pub fn json_value<T: DeserializeOwned>(prefix: &str, value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = match (missing_field(&message), path.as_str()) {
            (Some(name), "." | "") => format!("{prefix}.{name}"),
            (Some(name), p) => format!("{prefix}.{p}.{name}"),
            (None, "." | "") => prefix.to_string(),
            (None, p) => format!("{prefix}.{p}"),
        };
        ApiError::bad(field, message)
    })
}

/// Parses a JSON body, reporting the path of the offending field (`events[2].payload.amount`).
pub fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(ApiError::bad("content-type", "must be application/json"));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        let at_root = path == "." || path.is_empty();
        match (missing_field(&message), at_root) {
            (Some(name), true) => ApiError::bad(name, message),
            (Some(name), false) => ApiError::bad(format!("{path}.{name}"), message),
            (None, true) => ApiError::BadRequest { field: None, message: format!("invalid JSON body: {message}") },
            (None, false) => ApiError::bad(path, message),
        }
    })
}

/// serde names a missing field only inside its message ("missing field `size`").
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}
