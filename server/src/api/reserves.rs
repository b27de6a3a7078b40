//! REST routes of Optimal Reserves: runs (start, list, read, cancel, follow over SSE), the ranking
//! for a date, and the fund's model assumptions.

use app::reserves::run_spec::{RawRunSpec, RunSpec};
use app::reserves::service::{request_run, Answered, Requester};
use app::store::{ReserveRun, RunStatus, MAX_RUNS_LISTED};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use domain::reserves::{ReserveAssumptions, RunParams};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::caller::{Caller, SignedIn};
use super::error::ApiError;
use super::params;
use super::query::ApiQuery;
use crate::state::AppState;

fn events_url(fund_id: Uuid, run_id: Uuid) -> String {
    format!("/api/funds/{fund_id}/reserves/runs/{run_id}/events")
}

/// `POST /api/funds/{id}/reserves/runs {as_of?, known_at?, iterations?, increment?, seed?}` →
/// `202 {run_id, status, events_url, run}` for a queued (or identical, already running) run;
/// `200` with the result when the same question was answered before (`cached`: memory|database).
#[utoipa::path(
    post, path = "/api/funds/{id}/reserves/runs", tag = "reserves",
    params(crate::api::openapi::FundPath),
    request_body(content = Option<app::reserves::run_spec::RawRunSpec>, content_type = "application/json", description = "All optional; an empty body takes the defaults"),
    responses(
        (status = 200, description = "Answered before: `{run_id, status, events_url, cached, run}` with the result", body = Object),
        (status = 202, description = "Queued, or joined an identical run: `{run_id, status, events_url, joined?, run}`", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn start_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedIn(principal): SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let raw: RawRunSpec = if body.iter().all(u8::is_ascii_whitespace) { RawRunSpec::default() } else { params::json_body(&headers, &body)? };
    let spec = RunSpec::parse(&raw, state.config.monte_carlo_iterations, Utc::now())?;
    let who = Requester { user: Some(principal.user.id), actor: principal.actor() };
    let answer = request_run(&state.store, fund_id, &who, &spec).await?;
    let run = answer.run.as_ref();
    let body = json!({
        "run_id": run.id,
        "status": run.status,
        "events_url": events_url(fund_id, run.id),
        "cached": matches!(answer.answered, Answered::Memory | Answered::Database).then_some(answer.answered),
        "joined": (answer.answered == Answered::Joined).then_some(true),
        "run": run,
    });
    let status = if run.status == RunStatus::Succeeded { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((status, Json(strip_nulls(body))).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    limit: Option<String>,
}

/// `GET /api/funds/{id}/reserves/runs?limit=` → `{runs: [...]}`, newest first, without results.
#[utoipa::path(
    get, path = "/api/funds/{id}/reserves/runs", tag = "reserves",
    params(crate::api::openapi::FundPath, ListParams),
    responses(
        (status = 200, description = "`{runs: [...]}`, newest first, without results", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn list_runs(State(state): State<AppState>, Path(id): Path<String>, ApiQuery(q): ApiQuery<ListParams>) -> Result<Json<Value>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let limit = match q.limit.as_deref() {
        None => 20,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=MAX_RUNS_LISTED).contains(&n) => n,
            _ => return Err(ApiError::bad("limit", format!("must be a whole number between 1 and {MAX_RUNS_LISTED}"))),
        },
    };
    state.store.fund(fund_id).await?;
    let runs = state.store.reserve_runs(fund_id, limit).await?;
    Ok(Json(json!({ "runs": runs })))
}

/// `GET /api/funds/{id}/reserves/runs/{run_id}` → the run: status, progress, timings, result.
#[utoipa::path(
    get, path = "/api/funds/{id}/reserves/runs/{run_id}", tag = "reserves",
    params(crate::api::openapi::RunPath),
    responses(
        (status = 200, description = "The run, with its result once succeeded", body = ReserveRun),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_run(State(state): State<AppState>, Path((id, run_id)): Path<(String, String)>) -> Result<Json<ReserveRun>, ApiError> {
    let (fund_id, run_id) = ids(&id, &run_id)?;
    Ok(Json(find_run(&state, fund_id, run_id).await?))
}

/// `POST /api/funds/{id}/reserves/runs/{run_id}/cancel` → the run: `cancelled` at once when it
/// was queued; when running, `cancel_requested` and the executing process stops it within a
/// second. A finished run cannot be cancelled (422).
#[utoipa::path(
    post, path = "/api/funds/{id}/reserves/runs/{run_id}/cancel", tag = "reserves",
    params(crate::api::openapi::RunPath),
    responses(
        (status = 200, description = "The run, with cancellation requested", body = ReserveRun),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn cancel_run(State(state): State<AppState>, Path((id, run_id)): Path<(String, String)>) -> Result<Json<ReserveRun>, ApiError> {
    let (fund_id, run_id) = ids(&id, &run_id)?;
    let before = find_run(&state, fund_id, run_id).await?;
    if before.status.is_final() {
        return Err(ApiError::Unprocessable { field: Some("run_id".into()), message: format!("the run has already finished ({})", before.status.as_str()) });
    }
    let after = state.store.cancel_reserve_run(fund_id, run_id).await?.ok_or_else(|| unknown_run(run_id))?;
    Ok(Json(after))
}

/// `GET /api/funds/{id}/reserves/runs/{run_id}/events` → `text/event-stream` (see
/// `reserves::events_stream`); `Last-Event-ID` resumes.
#[utoipa::path(
    get, path = "/api/funds/{id}/reserves/runs/{run_id}/events", tag = "reserves",
    params(crate::api::openapi::RunPath),
    responses(
        (status = 200, description = "Server-sent events: `progress`, then `done` with the run", content_type = "text/event-stream", body = String),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn run_events(State(state): State<AppState>, Path((id, run_id)): Path<(String, String)>, headers: HeaderMap) -> Result<Response, ApiError> {
    let (fund_id, run_id) = ids(&id, &run_id)?;
    let run = find_run(&state, fund_id, run_id).await?;
    let last = match headers.get("last-event-id").map(|v| v.to_str().unwrap_or("")) {
        None => None,
        Some(raw) => Some(raw.trim().parse::<i64>().map_err(|_| ApiError::bad("last-event-id", format!("{raw:?} is not an event id of this stream")))?),
    };
    let hub = state.reserve_hub.as_ref().ok_or(ApiError::Unavailable)?;
    let stream = crate::reserves::events_stream::run_events(state.store.clone(), hub, run, last);
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)).text("keep-alive"));
    Ok(([("cache-control", "no-store"), ("x-accel-buffering", "no")], sse).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    #[serde(default)]
    companies: Option<Vec<String>>,
}

/// `POST /api/funds/{id}/reserves/runs/{run_id}/apply {companies?: [company ids]}` (analysts) →
/// `201 {version, changed: [[name, planned]]}`: the recommendation as the fund's reserve plan, one
/// RESERVE_ALLOCATED per changed company in one batch, recorded with the run; 409 with
/// `current_version` when the fund changed since the run looked at it.
#[utoipa::path(
    post, path = "/api/funds/{id}/reserves/runs/{run_id}/apply", tag = "reserves",
    params(crate::api::openapi::RunPath),
    request_body(content = Option<ApplyBody>, content_type = "application/json"),
    responses(
        (status = 201, description = "The recommendation recorded as the reserve plan", body = app::reserves::actions::AppliedPlan),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn apply_run(
    State(state): State<AppState>,
    Path((id, run_id)): Path<(String, String)>,
    Caller(metadata): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<app::reserves::actions::AppliedPlan>), ApiError> {
    let (fund_id, run_id) = ids(&id, &run_id)?;
    let body: ApplyBody = if body.iter().all(u8::is_ascii_whitespace) { ApplyBody { companies: None } } else { params::json_body(&headers, &body)? };
    find_run(&state, fund_id, run_id).await?;
    let plan = app::reserves::actions::apply_recommendation(&state.store, fund_id, run_id, body.companies, metadata).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

/// `GET /api/funds/{id}/reserves/scenarios` → `{scenarios: [...]}` (with their frozen results).
#[utoipa::path(
    get, path = "/api/funds/{id}/reserves/scenarios", tag = "reserves",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "`{scenarios: [...]}`", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn list_scenarios(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    state.store.fund(fund_id).await?;
    Ok(Json(json!({ "scenarios": state.store.reserve_scenarios(fund_id).await? })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioBody {
    run_id: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
}

/// `POST /api/funds/{id}/reserves/scenarios {run_id, name, description?}` (analysts) → 201, the
/// scenario: the run's settings and result frozen under a name unique in the fund.
#[utoipa::path(
    post, path = "/api/funds/{id}/reserves/scenarios", tag = "reserves",
    params(crate::api::openapi::FundPath),
    request_body(content = ScenarioBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The saved scenario", body = app::store::ReserveScenario),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn create_scenario(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedIn(principal): SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<app::store::ReserveScenario>), ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let body: ScenarioBody = params::json_body(&headers, &body)?;
    let run_id = params::uuid("run_id", &body.run_id)?;
    let saved = app::reserves::actions::save_scenario(&state.store, fund_id, run_id, &body.name, body.description.as_deref().unwrap_or(""), &principal.user.email).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `DELETE /api/funds/{id}/reserves/scenarios/{scenario_id}` (analysts) → 204.
#[utoipa::path(
    delete, path = "/api/funds/{id}/reserves/scenarios/{scenario_id}", tag = "reserves",
    params(crate::api::openapi::ScenarioPath),
    responses(
        (status = 204, description = "Deleted"),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn delete_scenario(State(state): State<AppState>, Path((id, scenario_id)): Path<(String, String)>) -> Result<StatusCode, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let scenario_id = params::uuid("scenario_id", &scenario_id)?;
    if state.store.delete_reserve_scenario(fund_id, scenario_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound { field: Some("scenario_id".into()), message: format!("scenario {scenario_id} not found in this fund") })
    }
}

/// `GET /api/funds/{id}/reserves.csv?at=&known_at=` → the newest ranking for that date as CSV
/// (ranked companies, then excluded ones with their reason); 404 when none was computed.
#[utoipa::path(
    get, path = "/api/funds/{id}/reserves.csv", tag = "reserves",
    params(crate::api::openapi::FundPath, DateParams),
    responses(
        (status = 200, description = "The ranking as CSV", content_type = "text/csv", body = String),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_ranking_csv(State(state): State<AppState>, Path(id): Path<String>, ApiQuery(q): ApiQuery<DateParams>) -> Result<Response, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let spec = dates(&state, &q)?;
    let Some((_, report)) = state.store.latest_reserve_ranking(fund_id, spec.as_of, spec.known_at).await? else {
        state.store.fund(fund_id).await?;
        return Err(ApiError::NotFound { field: Some("at".into()), message: "no ranking has been computed for this date yet".into() });
    };
    let body = app::reserves::csv_export::ranking_csv(&report);
    let name = format!("attachment; filename=\"reserves-{}.csv\"", spec.as_of.date_naive());
    Ok(([("content-type", "text/csv; charset=utf-8".to_string()), ("content-disposition", name)], body).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DateParams {
    at: Option<String>,
    known_at: Option<String>,
}

/// `GET /api/funds/{id}/reserves?at=&known_at=` → the newest ranking computed for that date,
/// with `current` (false when events since have changed what the date sees) — 404 when none.
#[utoipa::path(
    get, path = "/api/funds/{id}/reserves", tag = "reserves",
    params(crate::api::openapi::FundPath, DateParams),
    responses(
        (status = 200, description = "The newest ranking computed for the date: `{as_of, known_at, current, fund_version, run}`", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_ranking(State(state): State<AppState>, Path(id): Path<String>, ApiQuery(q): ApiQuery<DateParams>) -> Result<Json<Value>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let spec = dates(&state, &q)?;
    let Some(run) = state.store.latest_reserve_result(fund_id, spec.as_of, spec.known_at).await? else {
        state.store.fund(fund_id).await?;
        return Err(ApiError::NotFound {
            field: Some("at".into()),
            message: format!("no ranking has been computed for this date yet; POST /api/funds/{fund_id}/reserves/runs computes one"),
        });
    };
    let now = state.store.state(fund_id, spec.as_of, spec.known_at).await?;
    let current_version = now.state.last_version;
    Ok(Json(json!({
        "as_of": spec.as_of,
        "known_at": spec.known_at,
        "current": current_version == run.fund_version,
        "fund_version": current_version,
        "run": run,
    })))
}

/// `GET /api/funds/{id}/reserves/assumptions?at=&known_at=` → the assumptions in force at that
/// date (`null` when the fund has set none), and every model parameter and constraint they
/// resolve to, each with its value and source.
#[utoipa::path(
    get, path = "/api/funds/{id}/reserves/assumptions", tag = "reserves",
    params(crate::api::openapi::FundPath, DateParams),
    responses(
        (status = 200, description = "The assumptions in force at the date and every parameter they resolve to", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_assumptions(State(state): State<AppState>, Path(id): Path<String>, ApiQuery(q): ApiQuery<DateParams>) -> Result<Json<Value>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let spec = dates(&state, &q)?;
    let at = state.store.state(fund_id, spec.as_of, spec.known_at).await?;
    Ok(Json(assumptions_view(&at.state)))
}


/// `PUT /api/funds/{id}/reserves/assumptions {model?, constraints?, reserve_budget?, effective_at?}`
/// (admins) → records RESERVE_ASSUMPTIONS_SET, which replaces the whole set from `effective_at`
/// (default now) on; runs for earlier dates keep the assumptions then in force.
#[utoipa::path(
    put, path = "/api/funds/{id}/reserves/assumptions", tag = "reserves",
    params(crate::api::openapi::FundPath),
    request_body(content = Object, content_type = "application/json", description = "`{model?, constraints?, reserve_budget?, effective_at?}`: replaces the whole set from `effective_at` on"),
    responses(
        (status = 200, description = "The assumptions now in force, with the new `version`", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn put_assumptions(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(metadata): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let mut fields: serde_json::Map<String, Value> = params::json_body(&headers, &body)?;
    let effective_at = match fields.remove("effective_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(ApiError::bad("effective_at", "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp")),
    };
    let assumptions: ReserveAssumptions = params::json_value("", Value::Object(fields)).map_err(|e| match e {
        ApiError::BadRequest { field, message } => ApiError::BadRequest { field: field.map(|f| f.trim_start_matches('.').to_string()).filter(|f| !f.is_empty()), message },
        other => other,
    })?;
    let effective_at = params::optional_moment("effective_at", effective_at.as_deref(), false)?.unwrap_or_else(Utc::now);
    let version = app::reserves::actions::set_assumptions(&state.store, fund_id, assumptions, effective_at, metadata).await?;
    let at = state.store.state(fund_id, Utc::now().max(effective_at), None).await?;
    let mut view = assumptions_view(&at.state);
    view["version"] = json!(version);
    Ok(Json(view))
}

fn assumptions_view(fund: &domain::fund::FundState) -> Value {
    let in_force = fund.reserve_assumptions.as_ref();
    let assumptions = in_force.map(|a| a.assumptions.clone()).unwrap_or_default();
    let mut params = RunParams::default();
    assumptions.apply(&mut params);
    json!({
        "assumptions": in_force.map(|a| &a.assumptions),
        "set_at": in_force.map(|a| a.effective_at),
        "set_in_version": in_force.map(|a| a.version),
        "parameters": { "model": params.model, "constraints": params.constraints, "reserve_budget": assumptions.reserve_budget },
    })
}

fn dates(state: &AppState, q: &DateParams) -> Result<RunSpec, ApiError> {
    let raw = RawRunSpec { as_of: q.at.clone(), known_at: q.known_at.clone(), ..Default::default() };
    RunSpec::parse(&raw, state.config.monte_carlo_iterations, Utc::now()).map_err(|e| match e {
        app::store::StoreError::Invalid { field, message } => ApiError::bad(if field == "as_of" { "at".to_string() } else { field }, message),
        other => other.into(),
    })
}

fn ids(fund: &str, run: &str) -> Result<(Uuid, Uuid), ApiError> {
    Ok((params::uuid("fund_id", fund)?, params::uuid("run_id", run)?))
}

async fn find_run(state: &AppState, fund_id: Uuid, run_id: Uuid) -> Result<ReserveRun, ApiError> {
    state.store.reserve_run(fund_id, run_id).await?.ok_or_else(|| unknown_run(run_id))
}

fn unknown_run(run_id: Uuid) -> ApiError {
    ApiError::NotFound { field: Some("run_id".into()), message: format!("reserve run {run_id} not found in this fund") }
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(mut m) => {
            m.retain(|_, v| !v.is_null());
            Value::Object(m)
        }
        other => other,
    }
}
