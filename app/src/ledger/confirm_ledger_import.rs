use leptos::prelude::*;

use super::page_data::LedgerImportOutcome;

/// Imports an uploaded ledger file (checked again, against the fund as it stands now), forgets the
/// upload and, for a form post, goes to the fund's Overview. Analysts and admins.
#[server(prefix = "/sfn", endpoint = "confirm_ledger_import")]
pub async fn confirm_ledger_import(fund_id: String, upload_id: String) -> Result<LedgerImportOutcome, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let upload_id = crate::server::parse_uuid("upload_id", &upload_id)?;
    let upload = store.ledger_upload(id, upload_id).await.map_err(crate::server::to_server_error)?;
    let metadata = crate::accounts::authorize::event_metadata();
    let outcome = super::service::import_ledger(&store, id, upload.body, metadata, chrono::Utc::now())
        .await
        .map_err(crate::server::to_server_error)?;
    store.delete_ledger_upload(id, upload_id).await.map_err(crate::server::to_server_error)?;
    leptos_axum::redirect(&format!("/funds/{id}/overview"));
    Ok(outcome)
}
