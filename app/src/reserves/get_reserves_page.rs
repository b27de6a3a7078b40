use leptos::prelude::*;

use super::page_data::ReservesPageData;

/// The Reserves tab at `at` (as known at `known_at`): the ranking, the run in progress, what
/// changed since, the parameters in force.
#[server(prefix = "/sfn", endpoint = "get_reserves_page")]
pub async fn get_reserves_page(
    fund_id: String,
    at: Option<String>,
    known_at: Option<String>,
    scenario: Option<String>,
    compare: Option<String>,
    with: Option<String>,
) -> Result<ReservesPageData, ServerFnError> {
    let query = super::page_data::ReservesQuery { at, known_at, scenario, compare, with };
    let store = crate::server::store()?;
    let (id, principal, role) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let settings = use_context::<super::ReserveSettings>().unwrap_or_default();
    let viewer = super::page::Viewer { role, name: &principal.user.email, default_iterations: settings.default_iterations };
    super::page::reserves_page(&store, id, &query, &viewer, chrono::Utc::now()).await.map_err(crate::server::to_server_error)
}
