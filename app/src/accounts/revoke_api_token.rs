use leptos::prelude::*;

/// Revokes one of the signed-in user's API tokens: the next request with it gets 401.
#[server(prefix = "/sfn", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: String) -> Result<(), ServerFnError> {
    let store = crate::server::store()?;
    let principal = super::authorize::require_session()?;
    let id = token_id.parse().map_err(|_| crate::server::bad_argument("token_id", format!("{token_id:?} is not a token id")))?;
    store.revoke_api_token(&super::authorize::audit_actor(), principal.user.id, id).await.map_err(crate::server::to_server_error)
}
