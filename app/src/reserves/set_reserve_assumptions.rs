use leptos::prelude::*;

/// Sets the fund's reserve-model assumptions from the tab's editor (admins): JSON
/// `{model?, constraints?, reserve_budget?}`, effective from `effective_date` (default now).
#[server(prefix = "/sfn", endpoint = "set_reserve_assumptions")]
pub async fn set_reserve_assumptions(fund_id: String, assumptions: String, effective_date: Option<String>) -> Result<u64, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Admin).await?;
    let parsed = super::actions::parse_assumptions(&assumptions).map_err(crate::server::to_server_error)?;
    let effective_at = match effective_date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => crate::time_machine::dates::parse_moment(raw, false).map_err(|m| crate::server::to_server_error(crate::store::StoreError::invalid("effective_date", m)))?,
        None => chrono::Utc::now(),
    };
    let metadata = crate::accounts::authorize::event_metadata();
    super::actions::set_assumptions(&store, id, parsed, effective_at, metadata).await.map_err(crate::server::to_server_error)
}
