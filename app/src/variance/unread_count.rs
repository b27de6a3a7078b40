use leptos::prelude::*;

use super::page_data::InboxSummary;

/// Unread alerts of the fund (the inbox badge).
#[server(prefix = "/sfn", endpoint = "unread_count")]
pub async fn unread_count(fund_id: String) -> Result<InboxSummary, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    super::service::inbox_summary(&store, id).await.map_err(crate::server::to_server_error)
}
