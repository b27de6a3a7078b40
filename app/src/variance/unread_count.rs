use leptos::prelude::*;

use super::page_data::InboxSummary;

/// Unread alerts of the fund (the inbox badge).
#[server(prefix = "/sfn", endpoint = "unread_count")]
pub async fn unread_count(fund_id: String) -> Result<InboxSummary, ServerFnError> {
    let store = crate::server::store()?;
    let id = crate::server::parse_uuid("fund_id", &fund_id)?;
    super::service::inbox_summary(&store, id).await.map_err(crate::server::to_server_error)
}
