use leptos::prelude::*;

use super::page_data::ApiTokenRow;

/// The signed-in user's API tokens (never their values).
#[server(prefix = "/sfn", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenRow>, ServerFnError> {
    let store = crate::server::store()?;
    let principal = super::authorize::require_session()?;
    let tokens = store.api_tokens(principal.user.id).await.map_err(crate::server::to_server_error)?;
    Ok(tokens.into_iter().map(super::service::token_row).collect())
}
