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
    store.grant_role_by_email(&super::authorize::audit_actor(), id, &email, role).await.map_err(crate::server::to_server_error)
}

/// Removes a member from the fund. Not yourself (ask another admin), and not the last admin.
/// Admins only.
#[server(prefix = "/sfn", endpoint = "remove_fund_member")]
pub async fn remove_fund_member(fund_id: String, user_id: String) -> Result<(), ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = super::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Admin).await?;
    let user = crate::server::parse_uuid("user_id", &user_id)?;
    store.remove_member(&super::authorize::audit_actor(), id, user).await.map_err(crate::server::to_server_error)
}
