use leptos::prelude::*;

use super::page_data::CreatedToken;

/// Creates an API token for the signed-in user, acting with at most `max_role` in each of their
/// funds, and expiring after `expires_in_days` days when given (blank: never). Only from a browser
/// session: a token cannot mint tokens.
#[server(prefix = "/sfn", endpoint = "create_api_token")]
pub async fn create_api_token(name: String, max_role: String, #[server(default)] expires_in_days: Option<String>) -> Result<CreatedToken, ServerFnError> {
    let store = crate::server::store()?;
    let principal = super::authorize::require_session()?;
    let role = max_role.parse().map_err(|e: String| crate::server::bad_argument("max_role", e))?;
    let days = match expires_in_days.as_deref().map(str::trim).filter(|d| !d.is_empty() && *d != "never") {
        Some(raw) => Some(raw.parse::<u32>().map_err(|_| crate::server::bad_argument("expires_in_days", format!("{raw:?} is not a number of days")))?),
        None => None,
    };
    let (info, token) = store.create_expiring_api_token(&super::authorize::audit_actor(), principal.user.id, &name, role, days).await.map_err(crate::server::to_server_error)?;
    Ok(CreatedToken { token, info: super::service::token_row(info) })
}
