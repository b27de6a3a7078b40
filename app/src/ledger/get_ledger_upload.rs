use leptos::prelude::*;

use super::page_data::LedgerUploadView;

/// An uploaded ledger file of the fund, checked against the fund as it stands now: the preview of
/// the import, or every bad row. Analysts and admins (they uploaded it).
#[server(prefix = "/sfn", endpoint = "get_ledger_upload")]
pub async fn get_ledger_upload(fund_id: String, upload_id: String) -> Result<LedgerUploadView, ServerFnError> {
    use super::page_data::LedgerCheck;
    use crate::store::StoreError;

    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let upload_id = crate::server::parse_uuid("upload_id", &upload_id)?;
    let upload = store.ledger_upload(id, upload_id).await.map_err(crate::server::to_server_error)?;
    let check = match super::service::preview_ledger(&store, id, upload.body, chrono::Utc::now()).await {
        Ok(preview) => LedgerCheck::Ready(preview),
        Err(StoreError::InvalidRows(rows)) => LedgerCheck::Invalid(rows),
        Err(e) => return Err(crate::server::to_server_error(e)),
    };
    Ok(LedgerUploadView { fund_id: id, upload_id, file_name: upload.file_name, uploaded_at: upload.created_at, check })
}
