//! Actuals in: one at a time for integrations, or a CSV file; and the variance out, as JSON or CSV.

use app::variance::page_data::{AccuracyRow, ImportOutcome, RecordedActual, VarianceRow};
use app::variance::service::{self, ActualInput, VarianceParams};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::Utc;
use domain::fund::ActualSource;
use domain::variance::CSV_TEMPLATE;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::caller::Caller;
use super::error::ApiError;
use super::params;
use super::query::ApiQuery;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ActualBody {
    company_id: String,
    metric: String,
    /// A JSON number or a decimal string ("1250000.50").
    value: Value,
    effective_date: String,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

/// `POST /api/funds/{id}/actuals {company_id, metric, value, effective_date, source?, period?}`
/// → 201 with the recorded actual and the alerts it raised (same transaction).
#[utoipa::path(
    post, path = "/api/funds/{id}/actuals", tag = "variance",
    params(crate::api::openapi::FundPath),
    request_body(content = ActualBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The recorded actual and the alerts it raised", body = RecordedActual),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn record_actual(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(metadata): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<RecordedActual>), ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let body: ActualBody = params::json_body(&headers, &body)?;
    let value = match body.value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s,
        _ => return Err(ApiError::bad("value", "must be a number or a decimal string")),
    };
    let input = ActualInput {
        company_id: body.company_id,
        metric: body.metric,
        value,
        effective_date: body.effective_date,
        period: body.period,
        source: body.source,
    };
    let recorded = service::record_actual(&state.store, fund_id, &input, ActualSource::Api, metadata).await?;
    metrics::counter!("fund_events_appended_total").increment(1);
    count_alerts(recorded.alerts.len());
    Ok((StatusCode::CREATED, Json(recorded)))
}

/// `POST /api/funds/{id}/actuals/import` (text/csv, see docs/api.md "Variance") → 201
/// `{imported, first_version, version, alerts}`; any bad row → 422 `{error, rows: [{line, column, reason}]}`
/// listing every bad row, and nothing written.
#[utoipa::path(
    post, path = "/api/funds/{id}/actuals/import", tag = "variance",
    params(crate::api::openapi::FundPath),
    request_body(content = String, content_type = "text/csv", description = "company_id or company, metric, period, value, effective_date[, source] (see the template)"),
    responses(
        (status = 201, description = "Every row imported", body = ImportOutcome),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn import_actuals(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(metadata): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportOutcome>), ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    params::require_csv(&headers)?;
    let outcome = service::import_actuals_csv(&state.store, fund_id, &body, metadata, Utc::now()).await?;
    metrics::counter!("fund_events_appended_total").increment(outcome.imported as u64);
    count_alerts(outcome.alerts);
    Ok((StatusCode::CREATED, Json(outcome)))
}

pub fn count_alerts(n: usize) {
    if n > 0 {
        metrics::counter!("alerts_raised_total").increment(n as u64);
    }
}

/// `GET /api/funds/{id}/actuals/template.csv`: the import template with example rows.
#[utoipa::path(
    get, path = "/api/funds/{id}/actuals/template.csv", tag = "variance",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "The import template with example rows", content_type = "text/csv", body = String),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn template(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    state.store.fund_version(fund_id).await?;
    Ok(csv_response("actuals-template.csv", CSV_TEMPLATE.to_string()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VarianceQueryParams {
    at: Option<String>,
    known_at: Option<String>,
    metric: Option<String>,
    severity: Option<String>,
}

impl VarianceQueryParams {
    fn into_params(self) -> VarianceParams {
        VarianceParams { at: self.at, known_at: self.known_at, metric: self.metric, severity: self.severity }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VarianceResponse {
    fund_id: uuid::Uuid,
    version: u64,
    rows: Vec<VarianceRow>,
}

/// `GET /api/funds/{id}/variance?at=&known_at=&metric=&severity=` → `{version, rows}`.
#[utoipa::path(
    get, path = "/api/funds/{id}/variance", tag = "variance",
    params(crate::api::openapi::FundPath, VarianceQueryParams),
    responses(
        (status = 200, description = "Actuals against the forecast known at their dates", body = VarianceResponse),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn variance(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<VarianceQueryParams>,
) -> Result<Json<VarianceResponse>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let q = q.into_params().parse(Utc::now()).map_err(super::params::bad_param)?;
    let (version, rows) = service::variance_rows(&state.store, fund_id, &q).await?;
    Ok(Json(VarianceResponse { fund_id, version, rows }))
}

/// `GET /api/funds/{id}/variance.csv?at=&known_at=&metric=&severity=`: the same rows as CSV.
#[utoipa::path(
    get, path = "/api/funds/{id}/variance.csv", tag = "variance",
    params(crate::api::openapi::FundPath, VarianceQueryParams),
    responses(
        (status = 200, description = "The same rows as CSV", content_type = "text/csv", body = String),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn variance_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<VarianceQueryParams>,
) -> Result<impl IntoResponse, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let q = q.into_params().parse(Utc::now()).map_err(super::params::bad_param)?;
    let (_, rows) = service::variance_rows(&state.store, fund_id, &q).await?;
    Ok(csv_response("variance.csv", service::csv_export(&rows)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccuracyQueryParams {
    at: Option<String>,
    known_at: Option<String>,
    metric: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AccuracyResponse {
    fund_id: uuid::Uuid,
    version: u64,
    rows: Vec<AccuracyRow>,
}

/// `GET /api/funds/{id}/forecast-accuracy?at=&known_at=&metric=` → per company and metric: bias,
/// mean absolute error and hit rate (±10%) of its forecasts, overall and by vintage (made > 90 days
/// or ≤ 30 days before the period's end), over the actuals effective by `at` as known at `known_at`.
#[utoipa::path(
    get, path = "/api/funds/{id}/forecast-accuracy", tag = "variance",
    params(crate::api::openapi::FundPath, AccuracyQueryParams),
    responses(
        (status = 200, description = "Forecast accuracy per company and metric", body = AccuracyResponse),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn forecast_accuracy(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AccuracyQueryParams>,
) -> Result<Json<AccuracyResponse>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let params = VarianceParams { at: q.at, known_at: q.known_at, metric: q.metric, severity: None };
    let q = params.parse(Utc::now()).map_err(super::params::bad_param)?;
    let (version, rows) = service::accuracy_rows(&state.store, fund_id, &q).await?;
    Ok(Json(AccuracyResponse { fund_id, version, rows }))
}

pub(super) fn csv_response(filename: &str, body: String) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
}
