use leptos::prelude::*;

use super::page_data::ReservesPageData;

/// The Reserves tab at `at` (as known at `known_at`): the ranking, the run in progress, what
/// changed since, the parameters in force.
#[server(prefix = "/sfn", endpoint = "get_reserves_page")]
pub async fn get_reserves_page(fund_id: String, at: Option<String>, known_at: Option<String>) -> Result<ReservesPageData, ServerFnError> {
    let store = crate::server::store()?;
    let (id, principal, role) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let settings = use_context::<super::ReserveSettings>().unwrap_or_default();
    super::page::reserves_page(&store, id, at, known_at, settings.default_iterations, role, &principal.user.email, chrono::Utc::now())
        .await
        .map_err(crate::server::to_server_error)
}
