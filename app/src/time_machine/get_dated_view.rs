use leptos::prelude::*;

use super::page_data::DatedView;

/// The fund at `at` (as known at `known_at`), optionally compared with `compare`.
#[server(prefix = "/sfn", endpoint = "get_dated_view")]
pub async fn get_dated_view(
    fund_id: String,
    at: Option<String>,
    known_at: Option<String>,
    compare: Option<String>,
) -> Result<DatedView, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let params = super::service::DateParams { at, known_at, compare };
    let view = super::service::dated_view(&store, id, &params, chrono::Utc::now()).await.map_err(crate::server::to_server_error)?;
    Ok(view.as_ref().clone())
}
