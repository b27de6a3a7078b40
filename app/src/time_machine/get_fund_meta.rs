use leptos::prelude::*;

use super::page_data::FundMeta;

/// The fund's name, date range and event ticks (for the hub header and the slider).
#[server(prefix = "/sfn", endpoint = "get_fund_meta")]
pub async fn get_fund_meta(fund_id: String) -> Result<FundMeta, ServerFnError> {
    let store = crate::server::store()?;
    let (id, principal, role) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let features = use_context::<crate::features::Features>().unwrap_or_default();
    let meta = super::service::fund_meta(&store, id, chrono::Utc::now(), features).await.map_err(crate::server::to_server_error)?;
    let mine = store.member_fund_ids(principal.user.id).await.map_err(crate::server::to_server_error)?;
    let mut meta = meta.as_ref().clone();
    // The switcher lists only the caller's funds.
    meta.funds.retain(|f| mine.contains(&f.id));
    meta.role = role;
    Ok(meta)
}
