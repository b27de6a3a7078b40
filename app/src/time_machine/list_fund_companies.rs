use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A company as the event forms offer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyOption {
    pub id: Uuid,
    pub name: String,
}

/// The fund's companies in the order they were added, as known now (viewers and up).
#[server(prefix = "/sfn", endpoint = "list_fund_companies")]
pub async fn list_fund_companies(fund_id: String) -> Result<Vec<CompanyOption>, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let companies = store.companies(id).await.map_err(crate::server::to_server_error)?;
    Ok(companies.iter().map(|c| CompanyOption { id: c.id, name: c.name.clone() }).collect())
}
