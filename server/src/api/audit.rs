use app::accounts::page_data::AuditEntry;
use app::accounts::service::audit_paging;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;

use super::error::ApiError;
use super::params;
use super::query::ApiQuery;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    before: Option<String>,
    limit: Option<String>,
}

/// `GET /api/funds/{id}/audit?before=&limit=` (admins): who changed access or alerting, newest
/// first; `before` (an entry id) pages back.
#[utoipa::path(
    get, path = "/api/funds/{id}/audit", tag = "audit",
    params(crate::api::openapi::FundPath, AuditParams),
    responses(
        (status = 200, description = "Entries, newest first", body = Vec<AuditEntry>),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn list_audit(State(state): State<AppState>, Path(id): Path<String>, ApiQuery(q): ApiQuery<AuditParams>) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let (before, limit) = audit_paging(q.before.as_deref(), q.limit.as_deref()).map_err(params::bad_param)?;
    Ok(Json(state.store.audit_entries(fund_id, before, limit).await?))
}
