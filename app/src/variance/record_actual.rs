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
    let id = crate::server::parse_uuid("fund_id", &fund_id)?;
    let input = super::service::ActualInput { company_id, metric, value, effective_date, period: None, source };
    let metadata = crate::store::EventMetadata { actor: Some("web".into()), ..Default::default() };
    super::service::record_actual(&store, id, &input, domain::fund::ActualSource::Manual, metadata)
        .await
        .map_err(crate::server::to_server_error)
}
