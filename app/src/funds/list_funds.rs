use leptos::prelude::*;

use super::FundListItem;

/// The caller's funds, for the home page.
#[server(prefix = "/sfn", endpoint = "list_funds")]
pub async fn list_funds() -> Result<Vec<FundListItem>, ServerFnError> {
    let store = crate::server::store()?;
    let principal = crate::accounts::authorize::require_signed_in()?;
    let funds = store.funds_for_user(principal.user.id).await.map_err(crate::server::to_server_error)?;
    Ok(funds
        .into_iter()
        .map(|f| FundListItem { id: f.id, name: f.name, size: f.size, vintage: f.vintage, events: f.version })
        .collect())
}
