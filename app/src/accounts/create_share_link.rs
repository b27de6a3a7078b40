use leptos::prelude::*;

use super::page_data::ShareLinkRow;

/// Shares one tab of the fund at the given dates, read-only, for `expires_in_days` (default 30).
/// Analysts and admins.
#[server(prefix = "/sfn", endpoint = "create_share_link")]
pub async fn create_share_link(
    fund_id: String,
    tab: String,
    at: Option<String>,
    known_at: Option<String>,
    expires_in_days: Option<String>,
) -> Result<ShareLinkRow, ServerFnError> {
    let store = crate::server::store()?;
    let (id, principal, _) = super::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let request = super::service::ShareRequest { tab, at, known_at, expires_in_days };
    super::service::create_share_link(&store, id, &principal, &super::authorize::audit_actor(), &request, chrono::Utc::now()).await.map_err(crate::server::to_server_error)
}
