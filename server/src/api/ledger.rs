//! The fund ledger over HTTP: its template, the export, a preview and the import (text/csv), and
//! the browser's file upload (multipart) that leads to the preview page.

use app::ledger::page_data::LedgerImportOutcome;
use app::ledger::service;
use app::store::MAX_UPLOAD_BYTES;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::Utc;
use domain::ledger::LEDGER_TEMPLATE;
use serde::Serialize;

use super::actuals::csv_response;
use super::caller::{Caller, SignedIn};
use super::error::ApiError;
use super::params;
use crate::state::AppState;

/// `GET /api/funds/{id}/ledger/template.csv`: the ledger template, one example row of every type.
#[utoipa::path(
    get, path = "/api/funds/{id}/ledger/template.csv", tag = "ledger",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "The ledger template with example rows", content_type = "text/csv", body = String),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn template(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    state.store.fund_version(fund_id).await?;
    Ok(csv_response("ledger-template.csv", LEDGER_TEMPLATE.to_string()))
}

/// `GET /api/funds/{id}/ledger.csv`: every event of the fund but its creation, in the ledger format.
#[utoipa::path(
    get, path = "/api/funds/{id}/ledger.csv", tag = "ledger",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "The fund's whole history as a ledger", content_type = "text/csv", body = String),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn export(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let body = service::export_ledger(&state.store, fund_id).await?;
    Ok(csv_response("ledger.csv", body))
}

/// `POST /api/funds/{id}/ledger/preview` (text/csv) → 200 the fund at the file's last date;
/// any bad row → 422 listing every one. Nothing is written.
#[utoipa::path(
    post, path = "/api/funds/{id}/ledger/preview", tag = "ledger",
    params(crate::api::openapi::FundPath),
    request_body(content = String, content_type = "text/csv", description = "A ledger (see the template)"),
    responses(
        (status = 200, description = "What the fund would look like after the import", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn preview(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    params::require_csv(&headers)?;
    let preview = service::preview_ledger(&state.store, fund_id, body.to_vec(), Utc::now()).await?;
    Ok(Json(preview))
}

/// `POST /api/funds/{id}/ledger/import` (text/csv) → 201; any bad row → 422 listing every one,
/// and nothing written.
#[utoipa::path(
    post, path = "/api/funds/{id}/ledger/import", tag = "ledger",
    params(crate::api::openapi::FundPath),
    request_body(content = String, content_type = "text/csv", description = "A ledger (see the template)"),
    responses(
        (status = 201, description = "Every row imported, in one append", body = LedgerImportOutcome),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(metadata): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<LedgerImportOutcome>), ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    params::require_csv(&headers)?;
    let outcome = service::import_ledger(&state.store, fund_id, body.to_vec(), metadata, Utc::now()).await?;
    metrics::counter!("fund_events_appended_total").increment(outcome.imported as u64);
    super::actuals::count_alerts(outcome.alerts);
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// The upload form: one file.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    /// The ledger (CSV).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct UploadAnswer {
    upload_id: uuid::Uuid,
    /// The page that shows the check of the file and imports it.
    preview_page: String,
}

/// `POST /api/funds/{id}/ledger/uploads` (multipart/form-data, a `file` field): keeps the file for a
/// day and answers 303 to its preview page (`/funds/{id}/import/{upload_id}`), which the browser
/// follows. The file is checked on that page, not here.
#[utoipa::path(
    post, path = "/api/funds/{id}/ledger/uploads", tag = "ledger",
    params(crate::api::openapi::FundPath),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "A `file` field holding a ledger"),
    responses(
        (status = 303, description = "Kept; see the preview page (Location)", body = UploadAnswer),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn upload(State(state): State<AppState>, Path(id): Path<String>, SignedIn(principal): SignedIn, request: Request) -> Result<impl IntoResponse, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|_| ApiError::bad("content-type", "must be multipart/form-data with a `file` field"))?;
    let mut file: Option<(String, Bytes)> = None;
    loop {
        let field = form.next_field().await.map_err(|e| unreadable(&e))?;
        let Some(field) = field else { break };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().map(clean_file_name).unwrap_or_else(|| "ledger.csv".into());
        let bytes = field.bytes().await.map_err(|e| unreadable(&e))?;
        file = Some((name, bytes));
    }
    let Some((file_name, bytes)) = file else { return Err(ApiError::bad("file", "is missing: send the ledger in a `file` field")) };
    if bytes.is_empty() {
        return Err(ApiError::bad("file", "is empty"));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ApiError::bad("file", format!("is larger than {} MB", MAX_UPLOAD_BYTES / 1024 / 1024)));
    }
    let upload_id = state.store.save_ledger_upload(fund_id, Some(principal.user.id), &file_name, &bytes).await?;
    let page = format!("/funds/{fund_id}/import/{upload_id}");
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, page.clone())], Json(UploadAnswer { upload_id, preview_page: page })))
}

fn unreadable(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::bad("file", format!("is larger than {} MB", MAX_UPLOAD_BYTES / 1024 / 1024));
    }
    ApiError::bad("file", format!("the form could not be read: {}", e.body_text()))
}

/// The name the browser gave, for the page: no path, no control characters, at most 200 characters.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() {
        "ledger.csv".into()
    } else {
        clean
    }
}
