use leptos::prelude::*;

/// Cancels a queued or running reserve run of the fund (analysts); returns its status then.
#[server(prefix = "/sfn", endpoint = "cancel_reserve_run")]
pub async fn cancel_reserve_run(fund_id: String, run_id: String) -> Result<String, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let run_id = crate::server::parse_uuid("run_id", &run_id)?;
    let run = store.cancel_reserve_run(id, run_id).await.map_err(crate::server::to_server_error)?;
    match run {
        Some(run) => Ok(run.status.as_str().to_string()),
        None => {
            crate::server::set_status(axum::http::StatusCode::NOT_FOUND);
            Err(ServerFnError::new("run_id: no such reserve run in this fund"))
        }
    }
}
