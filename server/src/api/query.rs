use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A query string parsed into `T`, rejected as JSON `{error, field}` (axum's own rejection is
/// plain text).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri).map(|Query(t)| ApiQuery(t)).map_err(|e| {
            let text = e.body_text();
            let field = text.split("unknown field `").nth(1).and_then(|r| r.split('`').next()).map(str::to_string);
            ApiError::BadRequest { field, message: text }
        })
    }
}
