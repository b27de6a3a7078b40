//! The alert inbox, alert rules and a fund's notification settings.

use app::store::{AlertRule, NotificationSettingsView};
use app::variance::page_data::AlertRow;
use app::variance::service;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::fund::Metric;
use domain::variance::{Channel, Comparison, NotificationSettings, RuleSpec, Severity, ThresholdUnit, DEFAULT_COOLDOWN_DAYS};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::caller::Actor;
use super::error::ApiError;
use super::params;
use super::query::ApiQuery;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlertListParams {
    state: Option<String>,
    severity: Option<String>,
}

/// `GET /api/funds/{id}/alerts?state=unread|read|resolved&severity=info|warning|critical|urgent`
#[utoipa::path(
    get, path = "/api/funds/{id}/alerts", tag = "alerts",
    params(crate::api::openapi::FundPath, AlertListParams),
    responses(
        (status = 200, description = "Alerts, newest first", body = Vec<AlertRow>),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn list_alerts(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AlertListParams>,
) -> Result<Json<Vec<AlertRow>>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let filter = service::alert_filter(q.state.as_deref(), q.severity.as_deref()).map_err(params::bad_param)?;
    let alerts = state.store.alerts(fund_id, &filter).await?;
    Ok(Json(alerts.into_iter().map(service::alert_row).collect()))
}

/// A query parameter that does not parse is a malformed request (400), not a broken rule.
/// `POST /api/funds/{id}/alerts/{alert_id}/read`
#[utoipa::path(
    post, path = "/api/funds/{id}/alerts/{alert_id}/read", tag = "alerts",
    params(crate::api::openapi::AlertPath),
    responses(
        (status = 200, description = "The alert, marked read", body = AlertRow),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn read_alert(State(state): State<AppState>, Path((id, alert)): Path<(String, String)>) -> Result<Json<AlertRow>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let alert_id = params::uuid("alert_id", &alert)?;
    Ok(Json(service::alert_row(state.store.mark_alert_read(fund_id, alert_id).await?)))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    /// How many unread alerts were marked read.
    marked: u64,
}

/// `POST /api/funds/{id}/alerts/read?state=&severity=`: "mark all read" for a filter.
#[utoipa::path(
    post, path = "/api/funds/{id}/alerts/read", tag = "alerts",
    params(crate::api::openapi::FundPath, AlertListParams),
    responses(
        (status = 200, description = "How many alerts were marked read", body = MarkedRead),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn read_alerts(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AlertListParams>,
) -> Result<Json<MarkedRead>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let filter = service::alert_filter(q.state.as_deref(), q.severity.as_deref()).map_err(params::bad_param)?;
    Ok(Json(MarkedRead { marked: state.store.mark_alerts_read(fund_id, &filter).await? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ResolveBody {
    #[serde(default)]
    note: String,
}

/// `POST /api/funds/{id}/alerts/{alert_id}/resolve {note}`
#[utoipa::path(
    post, path = "/api/funds/{id}/alerts/{alert_id}/resolve", tag = "alerts",
    params(crate::api::openapi::AlertPath),
    request_body(content = ResolveBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The alert, resolved", body = AlertRow),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn resolve_alert(
    State(state): State<AppState>,
    Actor(actor): Actor,
    Path((id, alert)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<AlertRow>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let alert_id = params::uuid("alert_id", &alert)?;
    let body: ResolveBody = if body.is_empty() { ResolveBody { note: String::new() } } else { params::json_body(&headers, &body)? };
    Ok(Json(service::alert_row(state.store.resolve_alert(&actor, fund_id, alert_id, &body.note).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RuleBody {
    /// Omitted or null: every metric.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    metric: Option<Metric>,
    #[schema(value_type = String)]
    comparison: Comparison,
    #[serde(deserialize_with = "domain::amount::strict")]
    threshold: Decimal,
    #[schema(value_type = String)]
    unit: ThresholdUnit,
    #[schema(value_type = String)]
    severity: Severity,
    #[schema(value_type = Vec<String>)]
    channels: Vec<Channel>,
    #[serde(default)]
    cooldown_days: Option<u32>,
    #[serde(default)]
    enabled: Option<bool>,
    /// Fire only when the miss is also outside the company's usual error band for the metric
    /// (bias ± 2 × spread of its earlier errors, from at least 4 earlier actuals). Default false.
    #[serde(default)]
    adaptive: Option<bool>,
}

impl RuleBody {
    fn spec(self) -> RuleSpec {
        RuleSpec {
            metric: self.metric,
            comparison: self.comparison,
            threshold: self.threshold,
            unit: self.unit,
            severity: self.severity,
            channels: self.channels,
            cooldown_days: self.cooldown_days.unwrap_or(DEFAULT_COOLDOWN_DAYS),
            enabled: self.enabled.unwrap_or(true),
            adaptive: self.adaptive.unwrap_or(false),
        }
    }
}

/// `GET /api/funds/{id}/alert-rules`
#[utoipa::path(
    get, path = "/api/funds/{id}/alert-rules", tag = "alerts",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "The fund's alert rules", body = Vec<Object>),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn list_rules(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Vec<AlertRule>>, ApiError> {
    Ok(Json(state.store.alert_rules(params::uuid("fund_id", &id)?).await?))
}

/// `POST /api/funds/{id}/alert-rules` → 201 with the rule.
#[utoipa::path(
    post, path = "/api/funds/{id}/alert-rules", tag = "alerts",
    params(crate::api::openapi::FundPath),
    request_body(content = RuleBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The rule", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn create_rule(
    State(state): State<AppState>,
    Actor(actor): Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<AlertRule>), ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let body: RuleBody = params::json_body(&headers, &body)?;
    Ok((StatusCode::CREATED, Json(state.store.create_alert_rule(&actor, fund_id, &body.spec()).await?)))
}

/// `PUT /api/funds/{id}/alert-rules/{rule_id}`: replaces the rule.
#[utoipa::path(
    put, path = "/api/funds/{id}/alert-rules/{rule_id}", tag = "alerts",
    params(crate::api::openapi::RulePath),
    request_body(content = RuleBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The rule", body = Object),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn update_rule(
    State(state): State<AppState>,
    Actor(actor): Actor,
    Path((id, rule)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<AlertRule>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let rule_id = params::uuid("rule_id", &rule)?;
    let body: RuleBody = params::json_body(&headers, &body)?;
    Ok(Json(state.store.update_alert_rule(&actor, fund_id, rule_id, &body.spec()).await?))
}

/// `DELETE /api/funds/{id}/alert-rules/{rule_id}` → 204.
#[utoipa::path(
    delete, path = "/api/funds/{id}/alert-rules/{rule_id}", tag = "alerts",
    params(crate::api::openapi::RulePath),
    responses(
        (status = 204, description = "Deleted"),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn delete_rule(State(state): State<AppState>, Actor(actor): Actor, Path((id, rule)): Path<(String, String)>) -> Result<StatusCode, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let rule_id = params::uuid("rule_id", &rule)?;
    state.store.delete_alert_rule(&actor, fund_id, rule_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    #[serde(default)]
    webhook_url: Option<String>,
    #[serde(default)]
    webhook_secret: Option<String>,
    #[serde(default)]
    email_to: Vec<String>,
}

/// `GET /api/funds/{id}/notification-settings` (the secret is never returned, only `webhook_secret_set`).
#[utoipa::path(
    get, path = "/api/funds/{id}/notification-settings", tag = "alerts",
    params(crate::api::openapi::FundPath),
    responses(
        (status = 200, description = "Where alerts go (the webhook secret is never returned)", body = NotificationSettingsView),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn get_settings(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<NotificationSettingsView>, ApiError> {
    let s = state.store.notification_settings(params::uuid("fund_id", &id)?).await?;
    Ok(Json(NotificationSettingsView::from(&s)))
}

/// `PUT /api/funds/{id}/notification-settings {webhook_url?, webhook_secret?, email_to?: [..]}`
#[utoipa::path(
    put, path = "/api/funds/{id}/notification-settings", tag = "alerts",
    params(crate::api::openapi::FundPath),
    request_body(content = SettingsBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The settings", body = NotificationSettingsView),
        crate::api::openapi::ApiErrors,
    ),
)]
pub async fn put_settings(
    State(state): State<AppState>,
    Actor(actor): Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<NotificationSettingsView>, ApiError> {
    let fund_id = params::uuid("fund_id", &id)?;
    let b: SettingsBody = params::json_body(&headers, &body)?;
    if let Some(url) = b.webhook_url.as_deref().filter(|u| !u.trim().is_empty()) {
        if !state.config.delivery.allow_private {
            crate::alerts::address::check_webhook_url(url)
                .await
                .map_err(|e| ApiError::Unprocessable { field: Some("webhook_url".into()), message: e.to_string() })?;
        }
    }
    let new = NotificationSettings { webhook_url: b.webhook_url, webhook_secret: b.webhook_secret, email_to: b.email_to };
    let saved = state.store.put_notification_settings(&actor, fund_id, new).await?;
    Ok(Json(NotificationSettingsView::from(&saved)))
}
