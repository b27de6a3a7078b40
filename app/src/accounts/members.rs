use leptos::prelude::*;

use super::page_data::MemberRow;

/// The fund's members and their roles, by e-mail. Admins only.
#[server(prefix = "/sfn", endpoint = "list_members")]
pub async fn list_members(fund_id: String) -> Result<Vec<MemberRow>, ServerFnError> {
    let store = crate::server::store()?;
    let (id, principal, _) = super::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Admin).await?;
    let members = store.members(id).await.map_err(crate::server::to_server_error)?;
    Ok(members.into_iter().map(|m| MemberRow { you: m.user_id == principal.user.id, user_id: m.user_id, email: m.email, role: m.role }).collect())
}

/// Gives the user with this e-mail (an existing account) `role` in the fund, or changes their
/// role. The fund always keeps one admin. Admins only.
#[server(prefix = "/sfn", endpoint = "set_member_role")]
pub async fn set_member_role(fund_id: String, email: String, role: String) -> Result<(), ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = super::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Admin).await?;
    let role: domain::access::Role = role.parse().map_err(|e: String| crate::server::bad_argument("role", e))?;
    let email = email.trim();
    if email.is_empty() || email.chars().count() > 254 || email.chars().any(char::is_control) {
        return Err(crate::server::bad_argument("email", "give the e-mail of an existing account"));
    }
    let user = store.user_by_email(email).await.map_err(crate::server::to_server_error)?;
    let Some(user) = user else {
        crate::server::set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        return Err(ServerFnError::new(format!("email: no account for {email} (an administrator creates accounts with `server admin create-user`)")));
    };
    store.grant_role(&super::authorize::audit_actor(), id, user.id, role).await.map_err(crate::server::to_server_error)
}

/// Removes a member from the fund. Not yourself (ask another admin), and not the last admin.
/// Admins only.
#[server(prefix = "/sfn", endpoint = "remove_fund_member")]
pub async fn remove_fund_member(fund_id: String, user_id: String) -> Result<(), ServerFnError> {
    let store = crate::server::store()?;
    let (id, principal, _) = super::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Admin).await?;
    let user = crate::server::parse_uuid("user_id", &user_id)?;
    if user == principal.user.id {
        crate::server::set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        return Err(ServerFnError::new("user_id: you cannot remove yourself; ask another admin"));
    }
    store.remove_member(&super::authorize::audit_actor(), id, user).await.map_err(crate::server::to_server_error)
}
