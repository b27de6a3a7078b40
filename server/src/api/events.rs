use app::store::{AppendOutcome, AppendRequest, MAX_BATCH};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use domain::fund::{EventPayload, NewEvent, EVENT_TYPES};
use serde::Deserialize;
use serde_json::Value;

use super::caller::Caller;
use super::error::ApiError;
use super::params::{self, json_value};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AppendBody {
    #[serde(default)]
    expected_version: Option<u64>,
    #[serde(default)]
    idempotency_key: Option<String>,
    events: Vec<EventBody>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EventBody {
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    effective_at: Option<String>,
    #[serde(default)]
    payload: Value,
}

/// `POST /api/funds/{id}/events` → 201 `{version, …}`; 409 `{error, current_version}` when
/// `expected_version` is stale; 4xx naming the field for anything invalid, and nothing written.
#[utoipa::path(
    post, path = "/api/funds/{id}/events", tag = "events",
    params(crate::api::openapi::FundPath),
    request_body(content = AppendBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Appended (or the stored answer of an earlier request with the same idempotency key)", body = app::store::AppendOutcome),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn append_events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(metadata): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<AppendOutcome>), ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let fingerprint = String::from_utf8_lossy(&body).into_owned();
    let body: AppendBody = params::json_body(&headers, &body)?;
    if body.events.len() > MAX_BATCH {
        return Err(ApiError::bad("events", format!("at most {MAX_BATCH} events per request")));
    }
    let now = Utc::now();
    // Events without an effective time take the append's time, read under the fund's lock.
    let undated: Vec<usize> = body.events.iter().enumerate().filter(|(_, e)| e.effective_at.is_none()).map(|(i, _)| i).collect();
    let events = body
        .events
        .into_iter()
        .enumerate()
        .map(|(i, e)| new_event(i, e, now))
        .collect::<Result<Vec<_>, _>>()?;
    let req = AppendRequest { expected_version: body.expected_version, idempotency_key: body.idempotency_key, fingerprint, events, undated, metadata };
    let outcome = state.store.append(fund_id, req).await?;
    metrics::counter!("fund_events_appended_total").increment(if outcome.replayed { 0 } else { outcome.appended as u64 });
    if !outcome.replayed {
        super::actuals::count_alerts(outcome.alerts.len());
    }
    Ok((StatusCode::CREATED, Json(outcome)))
}

fn new_event(i: usize, e: EventBody, now: chrono::DateTime<Utc>) -> Result<NewEvent, ApiError> {
    let effective_at = params::optional_moment(&format!("events[{i}].effective_at"), e.effective_at.as_deref(), false)?.unwrap_or(now);
    let mut payload = e.payload;
    if !payload.is_object() {
        return Err(ApiError::bad(format!("events[{i}].payload"), "must be a JSON object"));
    }
    // A company added without an id gets a fresh one; the response lists it.
    if e.event_type == "COMPANY_ADDED" && payload.get("company_id").is_none() {
        payload["company_id"] = Value::String(uuid::Uuid::new_v4().to_string());
    }
    let at = format!("events[{i}].payload");
    let payload = match e.event_type.as_str() {
        "COMPANY_ADDED" => EventPayload::CompanyAdded(json_value(&at, payload)?),
        "INVESTMENT_MADE" => EventPayload::InvestmentMade(json_value(&at, payload)?),
        "VALUATION_UPDATED" => EventPayload::ValuationUpdated(json_value(&at, payload)?),
        "CAPITAL_CALLED" => EventPayload::CapitalCalled(json_value(&at, payload)?),
        "DISTRIBUTION_MADE" => EventPayload::DistributionMade(json_value(&at, payload)?),
        "RESERVE_ALLOCATED" => EventPayload::ReserveAllocated(json_value(&at, payload)?),
        "FORECAST_CREATED" => EventPayload::ForecastCreated(json_value(&at, payload)?),
        "ACTUAL_RECORDED" => EventPayload::ActualRecorded(json_value(&at, payload)?),
        "COMPANY_EXITED" => EventPayload::CompanyExited(json_value(&at, payload)?),
        "COMPANY_WRITTEN_OFF" => EventPayload::CompanyWrittenOff(json_value(&at, payload)?),
        "EVENT_REVERSED" => EventPayload::EventReversed(json_value(&at, payload)?),
        "FUND_CREATED" => {
            return Err(ApiError::bad(format!("events[{i}].type"), "FUND_CREATED is recorded by POST /api/funds"))
        }
        "RESERVE_ASSUMPTIONS_SET" => {
            return Err(ApiError::bad(
                format!("events[{i}].type"),
                "RESERVE_ASSUMPTIONS_SET is set by PUT /api/funds/{id}/reserves/assumptions (admins)",
            ))
        }
        other => {
            return Err(ApiError::bad(
                format!("events[{i}].type"),
                format!("unknown event type {other:?}; expected one of {}", EVENT_TYPES[1..].iter().filter(|t| **t != "RESERVE_ASSUMPTIONS_SET").copied().collect::<Vec<_>>().join(", ")),
            ))
        }
    };
    Ok(NewEvent { effective_at, payload })
}
