//! REST reads of the Time Machine: state at a date, timeline, diff, snapshots.

use app::store::{DiffView, SnapshotInfo, TimelineOrder, TimelinePage, TimelineQuery};
use app::time_machine::view::{StateResponse, StateView};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use serde::Deserialize;

use super::error::ApiError;
use super::params;
use super::query::ApiQuery;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StateParams {
    at: Option<String>,
    known_at: Option<String>,
}

/// `GET /api/funds/{id}/state?at=&known_at=` (both default to now).
#[utoipa::path(
    get, path = "/api/funds/{id}/state", tag = "time-machine",
    params(crate::api::openapi::FundPath, StateParams),
    responses(
        (status = 200, description = "The fund's state at `at` as known at `known_at`", body = StateResponse),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_state(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<StateParams>,
) -> Result<Json<StateResponse>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let as_of = params::optional_moment("at", q.at.as_deref(), true)?.unwrap_or_else(Utc::now);
    let known_at = params::optional_moment("known_at", q.known_at.as_deref(), true)?;
    let s = state.store.state(fund_id, as_of, known_at).await?;
    Ok(Json(StateResponse {
        fund_id,
        as_of: s.as_of,
        known_at: s.known_at,
        version: s.version,
        state: StateView::new(&s.state, s.as_of),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    start: Option<String>,
    end: Option<String>,
    types: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
    order: Option<String>,
}

/// `GET /api/funds/{id}/timeline?start=&end=&types=A,B&limit=&cursor=&order=effective|recorded`
#[utoipa::path(
    get, path = "/api/funds/{id}/timeline", tag = "time-machine",
    params(crate::api::openapi::FundPath, TimelineParams),
    responses(
        (status = 200, description = "A page of events", body = TimelinePage),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_timeline(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TimelineParams>,
) -> Result<Json<TimelinePage>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let order = match q.order.as_deref() {
        None | Some("effective") => TimelineOrder::Effective,
        Some("recorded") => TimelineOrder::Recorded,
        Some(other) => return Err(ApiError::bad("order", format!("{other:?} is not effective or recorded"))),
    };
    let limit = q
        .limit
        .as_deref()
        .map(|l| l.parse::<u32>().map_err(|_| ApiError::bad("limit", format!("{l:?} is not a whole number"))))
        .transpose()?;
    let query = TimelineQuery {
        order,
        start: params::optional_moment("start", q.start.as_deref(), false)?,
        end: params::optional_moment("end", q.end.as_deref(), true)?,
        types: q.types.map(|t| t.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()).unwrap_or_default(),
        limit,
        cursor: q.cursor,
    };
    Ok(Json(state.store.timeline(fund_id, &query).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    from: Option<String>,
    to: Option<String>,
    known_at: Option<String>,
}

/// `GET /api/funds/{id}/diff?from=&to=` (to defaults to now).
#[utoipa::path(
    get, path = "/api/funds/{id}/diff", tag = "time-machine",
    params(crate::api::openapi::FundPath, DiffParams),
    responses(
        (status = 200, description = "What changed between `from` and `to`, and the events that explain it", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_diff(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DiffParams>,
) -> Result<Json<DiffView>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let from = params::optional_moment("from", q.from.as_deref(), true)?.ok_or_else(|| ApiError::bad("from", "is required"))?;
    let to = params::optional_moment("to", q.to.as_deref(), true)?.unwrap_or_else(Utc::now);
    let known_at = params::optional_moment("known_at", q.known_at.as_deref(), true)?;
    Ok(Json(state.store.diff(fund_id, from, to, known_at).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateSnapshot {
    description: String,
}

/// `POST /api/funds/{id}/snapshots {description}` → 201 with the snapshot.
#[utoipa::path(
    post, path = "/api/funds/{id}/snapshots", tag = "time-machine",
    params(crate::api::openapi::FundPath),
    request_body(content = CreateSnapshot, content_type = "application/json"),
    responses(
        (status = 201, description = "The snapshot", body = SnapshotInfo),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn create_snapshot(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<SnapshotInfo>), ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let req: CreateSnapshot = params::json_body(&headers, &body)?;
    Ok((StatusCode::CREATED, Json(state.store.create_snapshot(fund_id, &req.description).await?)))
}

/// `GET /api/funds/{id}/snapshots`
#[utoipa::path(
    get, path = "/api/funds/{id}/snapshots", tag = "time-machine",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "The fund's snapshots", body = Vec<SnapshotInfo>),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn list_snapshots(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Vec<SnapshotInfo>>, ApiError> {
    Ok(Json(state.store.snapshots(params::uuid("fund_id", &id)?).await?.as_ref().clone()))
}
