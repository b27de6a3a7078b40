use leptos::prelude::*;

use super::page_data::AlertRow;

#[server(prefix = "/sfn", endpoint = "mark_alert_read")]
pub async fn mark_alert_read(fund_id: String, alert_id: String) -> Result<AlertRow, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let alert = crate::server::parse_uuid("alert_id", &alert_id)?;
    let a = store.mark_alert_read(id, alert).await.map_err(crate::server::to_server_error)?;
    Ok(super::service::alert_row(a))
}
