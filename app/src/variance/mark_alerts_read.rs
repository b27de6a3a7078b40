use leptos::prelude::*;

/// "Mark all read" for the inbox's filter: every unread alert of the `severity` (all when
/// empty). Returns how many were marked.
#[server(prefix = "/sfn", endpoint = "mark_alerts_read")]
pub async fn mark_alerts_read(fund_id: String, state: Option<String>, severity: Option<String>) -> Result<u64, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let filter = super::service::alert_filter(state.as_deref(), severity.as_deref()).map_err(crate::server::to_server_error)?;
    store.mark_alerts_read(id, &filter).await.map_err(crate::server::to_server_error)
}
