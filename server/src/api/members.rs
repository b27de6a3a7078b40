use app::store::accounts::Member;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::access::Role;
use serde::Deserialize;

use super::caller::Actor;
use super::error::ApiError;
use super::params;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Grant {
    email: String,
    role: String,
}

/// `GET /api/funds/{id}/members` (admins)
#[utoipa::path(
    get, path = "/api/funds/{id}/members", tag = "members",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "The fund's members", body = Vec<Member>),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn list_members(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Vec<Member>>, ApiError> {
    Ok(Json(state.store.members(params::uuid("fund_id", &id)?).await?))
}

/// `PUT /api/funds/{id}/members {email, role}` (admins): grants or changes a role. The user must
/// have an account.
#[utoipa::path(
    put, path = "/api/funds/{id}/members", tag = "members",
    params(crate::api::openapi::FundPath),
    request_body(content = Grant, content_type = "application/json"),
    responses(
        (status = 200, description = "The members after the change", body = Vec<Member>),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn put_member(State(state): State<AppState>, Actor(actor): Actor, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<Json<Vec<Member>>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let req: Grant = params::json_body(&headers, &body)?;
    let role: Role = req.role.parse().map_err(|e: String| ApiError::bad("role", e))?;
    state.store.grant_role_by_email(&actor, fund_id, &req.email, role).await?;
    Ok(Json(state.store.members(fund_id).await?))
}

/// `DELETE /api/funds/{id}/members/{user_id}` (admins). An admin cannot remove themselves, and
/// the fund always keeps one admin (`Store::remove_member`).
#[utoipa::path(
    delete, path = "/api/funds/{id}/members/{user_id}", tag = "members",
    params(crate::api::openapi::MemberPath),
    responses(
        (status = 204, description = "Removed"),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn delete_member(
    State(state): State<AppState>,
    Actor(actor): Actor,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let user_id = params::uuid("user_id", &user_id)?;
    state.store.remove_member(&actor, fund_id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
