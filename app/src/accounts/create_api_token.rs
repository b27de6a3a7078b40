use leptos::prelude::*;

use super::page_data::CreatedToken;

/// Creates an API token for the signed-in user, acting with at most `max_role` in each of their
/// funds. Only from a browser session: a token cannot mint tokens.
#[server(prefix = "/sfn", endpoint = "create_api_token")]
pub async fn create_api_token(name: String, max_role: String) -> Result<CreatedToken, ServerFnError> {
    let store = crate::server::store()?;
    let principal = super::authorize::require_session()?;
    let role = max_role.parse().map_err(|e: String| crate::server::bad_argument("max_role", e))?;
    let (info, token) = store.create_api_token(principal.user.id, &name, role).await.map_err(crate::server::to_server_error)?;
    Ok(CreatedToken { token, info: super::service::token_row(info) })
}
