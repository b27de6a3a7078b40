use leptos::prelude::*;

/// Changes the signed-in user's own password (browser sessions only). The current password must
/// be given; the new one is checked like a new account's. Every session of the user ends, this
/// one included, and their API tokens are revoked (`Store::set_password_hash`): the next page asks
/// them to sign in with the new password. Wrong current passwords count against the sign-in
/// throttle (per account and per address, in PostgreSQL), so a stolen session cannot guess the
/// password faster than the sign-in form allows.
#[server(prefix = "/sfn", endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String, confirm_password: String) -> Result<String, ServerFnError> {
    use crate::store::StoreError;
    let store = crate::server::store()?;
    let principal = super::authorize::require_session()?;
    let invalid = |field: &str, message: &str| crate::server::to_server_error(StoreError::invalid(field, message));
    if current_password.is_empty() {
        return Err(invalid("current_password", "enter your current password"));
    }
    if new_password != confirm_password {
        return Err(invalid("confirm_password", "does not match the new password"));
    }
    if new_password == current_password {
        return Err(invalid("new_password", "must differ from the current password"));
    }
    let hash = super::password::hash_password(new_password).await.map_err(|e| match e {
        StoreError::Invalid { message, .. } => crate::server::to_server_error(StoreError::invalid("new_password", message)),
        other => crate::server::to_server_error(other),
    })?;
    let address = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<super::authorize::ClientAddress>().map(|a| a.0.clone()))
        .unwrap_or_else(|| "unknown".into());
    let limits = use_context::<crate::store::accounts::LoginThrottle>().unwrap_or_default();
    let email = principal.user.email.clone();
    if let Some(block) = store.count_login_attempt(&email, &address, limits).await.map_err(crate::server::to_server_error)? {
        let until = match block {
            crate::store::accounts::LoginBlock::Account { until } | crate::store::accounts::LoginBlock::Address { until } => until,
        };
        crate::server::set_status(axum::http::StatusCode::TOO_MANY_REQUESTS);
        return Err(ServerFnError::new(format!("current_password: too many wrong passwords; try again after {} UTC", until.format("%H:%M"))));
    }
    let (user, stored) = store
        .user_with_password_hash(&principal.user.email)
        .await
        .map_err(crate::server::to_server_error)?
        .ok_or_else(|| invalid("current_password", "no password is set for this account"))?;
    if !super::password::verify_password(current_password, stored).await {
        return Err(invalid("current_password", "is not your current password"));
    }
    store.clear_login_failures(&email).await.map_err(crate::server::to_server_error)?;
    store.set_password_hash(user.id, &hash).await.map_err(crate::server::to_server_error)?;
    Ok("Password changed. Every session has ended and your API tokens are revoked: sign in again with the new password.".into())
}
