use leptos::prelude::*;

use super::page_data::VarianceView;

/// Variance rows of the fund at `at` (as known at `known_at`), optionally one metric or severity.
#[server(prefix = "/sfn", endpoint = "get_variance_view")]
pub async fn get_variance_view(
    fund_id: String,
    at: Option<String>,
    known_at: Option<String>,
    metric: Option<String>,
    severity: Option<String>,
) -> Result<VarianceView, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let params = super::service::VarianceParams { at, known_at, metric, severity };
    super::service::variance_view(&store, id, &params, chrono::Utc::now()).await.map_err(crate::server::to_server_error)
}
