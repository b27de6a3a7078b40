//! Helpers shared by server function bodies (server side only): context lookups and error mapping.

use leptos::prelude::*;

use crate::store::{Store, StoreError};

/// The store the server put into the Leptos context.
pub fn store() -> Result<Store, ServerFnError> {
    use_context::<Store>().ok_or_else(|| ServerFnError::new("server misconfigured: no store in context"))
}

/// A store error as the browser may see it: rule violations verbatim, internal causes logged and
/// hidden.
pub fn to_server_error(e: StoreError) -> ServerFnError {
    match e {
        StoreError::Database(_) | StoreError::Corrupt(_) => {
            tracing::error!(error = %e, "server function failed");
            ServerFnError::new("internal error; it has been logged")
        }
        other => ServerFnError::new(other.to_string()),
    }
}

/// A UUID from a URL or form, with an error naming the field.
pub fn parse_uuid(field: &str, raw: &str) -> Result<uuid::Uuid, ServerFnError> {
    raw.parse().map_err(|_| ServerFnError::new(format!("{field}: {raw:?} is not a fund id")))
}
