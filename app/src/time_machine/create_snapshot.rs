use leptos::prelude::*;

/// Takes a manual snapshot of the fund as known now.
#[server(prefix = "/sfn", endpoint = "create_snapshot")]
pub async fn create_snapshot(fund_id: String, description: String) -> Result<(), ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    store.create_snapshot(id, &description).await.map_err(crate::server::to_server_error)?;
    Ok(())
}
