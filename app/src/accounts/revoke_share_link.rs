use leptos::prelude::*;

/// Revokes a share link of the fund: it stops working at once. Analysts and admins.
#[server(prefix = "/sfn", endpoint = "revoke_share_link")]
pub async fn revoke_share_link(fund_id: String, link_id: String) -> Result<(), ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = super::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let link = link_id.parse().map_err(|_| crate::server::bad_argument("link_id", format!("{link_id:?} is not a link id")))?;
    store.revoke_share_link(&super::authorize::audit_actor(), id, link).await.map_err(crate::server::to_server_error)
}
