use leptos::prelude::*;

use super::page_data::AuditEntry;

/// The fund's audit trail, newest first, `limit` entries (default 100) older than entry `before`
/// when given. Admins only.
#[server(prefix = "/sfn", endpoint = "list_audit_entries")]
pub async fn list_audit_entries(
    fund_id: String,
    #[server(default)] before: Option<String>,
    #[server(default)] limit: Option<String>,
) -> Result<Vec<AuditEntry>, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = super::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Admin).await?;
    let (before, limit) = super::service::audit_paging(before.as_deref(), limit.as_deref()).map_err(crate::server::to_server_error)?;
    store.audit_entries(id, before, limit).await.map_err(crate::server::to_server_error)
}
