use leptos::prelude::*;

use super::page_data::ShareLinkRow;

/// The fund's share links, newest first. Analysts and admins.
#[server(prefix = "/sfn", endpoint = "list_share_links")]
pub async fn list_share_links(fund_id: String) -> Result<Vec<ShareLinkRow>, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = super::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    super::service::share_link_rows(&store, id, chrono::Utc::now()).await.map_err(crate::server::to_server_error)
}
