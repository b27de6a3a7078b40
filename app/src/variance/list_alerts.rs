use leptos::prelude::*;

use super::page_data::AlertRow;

/// The fund's alert inbox, newest first; `state` (unread, read, resolved) and `severity` filter.
#[server(prefix = "/sfn", endpoint = "list_alerts")]
pub async fn list_alerts(fund_id: String, state: Option<String>, severity: Option<String>) -> Result<Vec<AlertRow>, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    super::service::alert_rows(&store, id, state.as_deref(), severity.as_deref()).await.map_err(crate::server::to_server_error)
}
