use leptos::prelude::*;

use super::page_data::FundMeta;

/// The fund's name, date range and event ticks (for the hub header and the slider).
#[server(prefix = "/sfn", endpoint = "get_fund_meta")]
pub async fn get_fund_meta(fund_id: String) -> Result<FundMeta, ServerFnError> {
    let store = crate::server::store()?;
    let id = crate::server::parse_uuid("fund_id", &fund_id)?;
    let features = use_context::<crate::features::Features>().unwrap_or_default();
    let meta = super::service::fund_meta(&store, id, chrono::Utc::now(), features).await.map_err(crate::server::to_server_error)?;
    Ok(meta.as_ref().clone())
}
