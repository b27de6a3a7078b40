use leptos::prelude::*;

use super::FundListItem;

/// Every fund, for the home page and the fund switcher.
#[server(prefix = "/sfn", endpoint = "list_funds")]
pub async fn list_funds() -> Result<Vec<FundListItem>, ServerFnError> {
    let store = crate::server::store()?;
    let funds = store.funds().await.map_err(crate::server::to_server_error)?;
    Ok(funds
        .into_iter()
        .map(|f| FundListItem { id: f.id, name: f.name, size: f.size, vintage: f.vintage, events: f.version })
        .collect())
}
