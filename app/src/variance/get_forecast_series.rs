use leptos::prelude::*;

use super::page_data::ForecastActualPoint;

/// Forecast versus actual per period for one company and metric, for the chart.
#[server(prefix = "/sfn", endpoint = "get_forecast_series")]
pub async fn get_forecast_series(
    fund_id: String,
    company_id: String,
    metric: String,
    known_at: Option<String>,
) -> Result<Vec<ForecastActualPoint>, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let company = crate::server::parse_uuid("company_id", &company_id)?;
    let metric = domain::variance::csv_rows::parse_metric(&metric).map_err(|m| crate::server::bad_argument("metric", m))?;
    let known_at = match known_at.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(crate::time_machine::dates::parse_moment(s, true).map_err(|m| crate::server::bad_argument("known_at", m))?),
        None => None,
    };
    super::service::series_for(&store, id, company, metric, known_at).await.map_err(crate::server::to_server_error)
}
