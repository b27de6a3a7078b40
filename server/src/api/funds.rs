use app::store::FundSummary;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::caller::{Caller, SignedIn};
use super::error::ApiError;
use super::params;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateFund {
    name: String,
    #[serde(deserialize_with = "domain::amount::strict")]
    size: Decimal,
    #[serde(default)]
    vintage: Option<i32>,
    #[serde(default)]
    effective_at: Option<String>,
}

/// `POST /api/funds {name, size, vintage?, effective_at?}` → 201 with the fund.
#[utoipa::path(
    post, path = "/api/funds", tag = "funds",
    request_body(content = CreateFund, content_type = "application/json"),
    responses(
        (status = 201, description = "The new fund; the caller is its first admin", body = FundSummary),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn create_fund(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Caller(metadata): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<FundSummary>), ApiError> {
    let req: CreateFund = params::json_body(&headers, &body)?;
    let effective_at = params::optional_moment("effective_at", req.effective_at.as_deref(), false)?.unwrap_or_else(Utc::now);
    // The creator becomes the fund's first admin.
    let fund = state.store.create_fund(&req.name, req.size, req.vintage, effective_at, metadata, Some(principal.user.id)).await?;
    Ok((StatusCode::CREATED, Json(fund)))
}

/// `GET /api/funds`: the caller's funds.
#[utoipa::path(
    get, path = "/api/funds", tag = "funds",
    responses(
        (status = 200, description = "The caller's funds", body = Vec<FundSummary>),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn list_funds(State(state): State<AppState>, SignedIn(principal): SignedIn) -> Result<Json<Vec<FundSummary>>, ApiError> {
    Ok(Json(state.store.funds_for_user(principal.user.id).await?))
}

/// `GET /api/funds/{id}`
#[utoipa::path(
    get, path = "/api/funds/{id}", tag = "funds",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "The fund", body = FundSummary),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_fund(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<FundSummary>, ApiError> {
    Ok(Json(state.store.fund(params::uuid("fund_id", &id)?).await?))
}
