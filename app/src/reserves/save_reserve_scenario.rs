use leptos::prelude::*;

/// Saves the ranking of `run_id` as a named scenario (analysts).
#[server(prefix = "/sfn", endpoint = "save_reserve_scenario")]
pub async fn save_reserve_scenario(fund_id: String, run_id: String, name: String, description: Option<String>) -> Result<String, ServerFnError> {
    let store = crate::server::store()?;
    let (id, principal, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let run_id = crate::server::parse_uuid("run_id", &run_id)?;
    let saved = super::actions::save_scenario(&store, id, run_id, &name, description.as_deref().unwrap_or(""), &principal.user.email)
        .await
        .map_err(crate::server::to_server_error)?;
    Ok(saved.id.to_string())
}

/// Deletes a scenario of the fund (analysts).
#[server(prefix = "/sfn", endpoint = "delete_reserve_scenario")]
pub async fn delete_reserve_scenario(fund_id: String, scenario_id: String) -> Result<(), ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let scenario_id = crate::server::parse_uuid("scenario_id", &scenario_id)?;
    if store.delete_reserve_scenario(id, scenario_id).await.map_err(crate::server::to_server_error)? {
        Ok(())
    } else {
        crate::server::set_status(axum::http::StatusCode::NOT_FOUND);
        Err(ServerFnError::new("scenario_id: no such scenario in this fund"))
    }
}
