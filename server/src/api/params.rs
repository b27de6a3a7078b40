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

/// Longest field path or message an error echoes back (a 10 MB unknown field name is not).
const MAX_ECHO: usize = 300;

fn capped(s: String) -> String {
    if s.chars().count() <= MAX_ECHO {
        return s;
    }
    let mut out: String = s.chars().take(MAX_ECHO).collect();
    out.push('…');
    out
}

/// Whether the `Content-Type` is JSON: `application/json`, optionally with parameters.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses a JSON body — one JSON document and nothing after it — reporting the path of the
/// offending field (`events[2].payload.amount`). Text holding a NUL character (`\u0000`, which
/// PostgreSQL cannot store) is refused naming the field it is in.
pub fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    if !is_json(headers) {
        return Err(ApiError::bad("content-type", "must be application/json"));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let message = capped(message.split(" at line ").next().unwrap_or(&message).to_string());
        let at_root = path == "." || path.is_empty();
        match (missing_field(&message), at_root) {
            (Some(name), true) => ApiError::bad(name, message),
            (Some(name), false) => ApiError::bad(capped(format!("{path}.{name}")), message),
            (None, true) => ApiError::BadRequest { field: None, message: format!("invalid JSON body: {message}") },
            (None, false) => ApiError::bad(capped(path), message),
        }
    })?;
    de.end().map_err(|_| ApiError::BadRequest { field: None, message: "invalid JSON body: unexpected data after the JSON document".into() })?;
    if let Some(field) = nul_in(body) {
        return Err(ApiError::bad(capped(field), "text cannot contain NUL characters (\\u0000)"));
    }
    Ok(value)
}

/// The path of the first string (or key) holding a NUL character, if any. The byte scan finds
/// candidates cheaply; only then is the body walked.
fn nul_in(body: &[u8]) -> Option<String> {
    let needle = b"\\u0000";
    let candidate = body.windows(needle.len()).enumerate().any(|(i, w)| {
        w == needle && body[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    });
    if !candidate {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    fn walk(v: &serde_json::Value, path: &str) -> Option<String> {
        match v {
            serde_json::Value::String(s) if s.contains('\0') => Some(if path.is_empty() { "body".into() } else { path.to_string() }),
            serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| walk(x, &format!("{path}[{i}]"))),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
                let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if k.contains('\0') { Some(here) } else { walk(x, &here) }
            }),
            _ => None,
        }
    }
    walk(&value, "").or_else(|| Some("body".into()))
}

/// serde names a missing field only inside its message ("missing field `size`").
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// A CSV upload's content type: `text/csv` (or `application/csv`), else 400 naming `content-type`.
pub fn require_csv(headers: &HeaderMap) -> Result<(), ApiError> {
    let is_csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv") || v.starts_with("application/csv"));
    if is_csv {
        Ok(())
    } else {
        Err(ApiError::bad("content-type", "must be text/csv"))
    }
}
