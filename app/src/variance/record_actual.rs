use leptos::prelude::*;

use super::page_data::RecordedActual;

/// Records an actual from the form; returns it with any alerts it raised.
#[server(prefix = "/sfn", endpoint = "record_actual")]
pub async fn record_actual(
    fund_id: String,
    company_id: String,
    metric: String,
    value: String,
    effective_date: String,
    source: Option<String>,
) -> Result<RecordedActual, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let input = super::service::ActualInput { company_id, metric, value, effective_date, period: None, source };
    let metadata = crate::accounts::authorize::event_metadata();
    super::service::record_actual(&store, id, &input, domain::fund::ActualSource::Manual, metadata)
        .await
        .map_err(crate::server::to_server_error)
}
