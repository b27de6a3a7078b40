use leptos::prelude::*;

use super::page_data::SnapshotRow;

/// The fund's manual snapshots, newest first.
#[server(prefix = "/sfn", endpoint = "list_snapshots")]
pub async fn list_snapshots(fund_id: String) -> Result<Vec<SnapshotRow>, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    super::service::snapshot_rows(&store, id).await.map_err(crate::server::to_server_error)
}
