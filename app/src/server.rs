//! Helpers shared by server function bodies (server side only): context lookups and error mapping.

use leptos::prelude::*;

use crate::store::{Store, StoreError};

/// The store the server put into the Leptos context; in a page render, bound to the fund head
/// the page cache read first (`store::FundHead`).
pub fn store() -> Result<Store, ServerFnError> {
    let store = use_context::<Store>().ok_or_else(|| ServerFnError::new("server misconfigured: no store in context"))?;
    let head = use_context::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<crate::store::FundHead>().copied());
    Ok(match head {
        Some(head) => store.with_head(head),
        None => store,
    })
}

/// A store error as the browser may see it: rule violations verbatim with a 4xx status (422 for
/// a broken rule, 404 for an unknown record, 409 for a stale version), internal causes logged and
/// hidden behind a 500.
pub fn to_server_error(e: StoreError) -> ServerFnError {
    use axum::http::StatusCode;
    let status = match &e {
        e if e.is_unavailable() => {
            tracing::warn!(error = %e, "server function: database unavailable");
            set_status(StatusCode::SERVICE_UNAVAILABLE);
            return ServerFnError::new("the database is unavailable or busy; retry shortly");
        }
        StoreError::Database(_) | StoreError::Corrupt(_) => {
            tracing::error!(error = %e, "server function failed");
            set_status(StatusCode::INTERNAL_SERVER_ERROR);
            return ServerFnError::new("internal error; it has been logged");
        }
        StoreError::FundNotFound(_) | StoreError::SnapshotNotFound(_) | StoreError::AlertRuleNotFound(_) | StoreError::AlertNotFound(_) | StoreError::UploadNotFound(_) => StatusCode::NOT_FOUND,
        StoreError::Conflict { .. } => StatusCode::CONFLICT,
        StoreError::IdempotencyMismatch | StoreError::Invalid { .. } | StoreError::BreaksLaterEvent { .. } | StoreError::InvalidRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    set_status(status);
    ServerFnError::new(e.to_string())
}

/// A UUID from a URL or form, with an error naming the field (400).
pub fn parse_uuid(field: &str, raw: &str) -> Result<uuid::Uuid, ServerFnError> {
    raw.parse().map_err(|_| {
        set_status(axum::http::StatusCode::BAD_REQUEST);
        ServerFnError::new(format!("{field}: {raw:?} is not a valid id"))
    })
}

/// A malformed argument, with an error naming the field (400).
pub fn bad_argument(field: &str, message: impl std::fmt::Display) -> ServerFnError {
    set_status(axum::http::StatusCode::BAD_REQUEST);
    ServerFnError::new(format!("{field}: {message}"))
}

/// The HTTP status of the server function's (or page's) response.
pub fn set_status(status: axum::http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
