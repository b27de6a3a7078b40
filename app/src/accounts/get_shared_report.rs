use leptos::prelude::*;

use super::page_data::SharedReport;

/// The report a share link shows. Public: the signed token is the permission, and it only reads.
#[server(prefix = "/sfn", endpoint = "get_shared_report")]
pub async fn get_shared_report(token: String) -> Result<SharedReport, ServerFnError> {
    let store = crate::server::store()?;
    match super::service::shared_report(&store, &token, chrono::Utc::now()).await {
        Ok(report) => Ok(report),
        Err(super::service::ShareError::Refused(message)) => {
            crate::server::set_status(axum::http::StatusCode::FORBIDDEN);
            Err(ServerFnError::new(message))
        }
        Err(super::service::ShareError::Store(e)) => Err(crate::server::to_server_error(e)),
    }
}
