use leptos::prelude::*;

use super::page_data::AlertRow;

/// Resolves an alert with a note saying what was done about it.
#[server(prefix = "/sfn", endpoint = "resolve_alert")]
pub async fn resolve_alert(fund_id: String, alert_id: String, note: String) -> Result<AlertRow, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let alert = crate::server::parse_uuid("alert_id", &alert_id)?;
    let a = store.resolve_alert(&crate::accounts::authorize::audit_actor(), id, alert, &note).await.map_err(crate::server::to_server_error)?;
    Ok(super::service::alert_row(a))
}
