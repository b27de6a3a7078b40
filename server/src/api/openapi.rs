//! The REST API's OpenAPI 3.1 document, generated from the code: each handler's
//! `#[utoipa::path]` (method, path, parameters, bodies, answers) and the schemas derived on the
//! request and response types. Served at `GET /api/openapi.json`, trimmed to the routes this
//! process serves (features off: their routes are not listed). `server/tests/openapi.rs` fails
//! when a route of `api::routes` is missing from [`ApiDoc`] or the document lists one that is not
//! routed.

use std::sync::Arc;

use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, PathItem};
use utoipa::{IntoParams, Modify, OpenApi};

use super::error::ErrorBody;
use super::{actuals, alerts, audit, events, funds, ledger, members, reserves, time_machine};
use crate::auth::access::RouteSpec;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Fundlens API",
        description = "A venture fund's event-sourced records: funds, events, the Time Machine, variance and alerts, \
                       Optimal Reserves. Authenticate with `Authorization: Bearer <API token>` (create one on the \
                       Account page). Errors are JSON `{error, field?}`; `field` names the request field at fault.",
        license(name = "Proprietary")
    ),
    paths(
        funds::create_fund, funds::list_funds, funds::get_fund,
        events::append_events,
        members::list_members, members::put_member, members::delete_member,
        audit::list_audit,
        ledger::template, ledger::export, ledger::preview, ledger::import, ledger::upload,
        time_machine::get_state, time_machine::get_timeline, time_machine::get_diff,
        time_machine::create_snapshot, time_machine::list_snapshots,
        actuals::record_actual, actuals::import_actuals, actuals::template, actuals::variance, actuals::variance_csv, actuals::forecast_accuracy,
        alerts::list_alerts, alerts::read_alerts, alerts::read_alert, alerts::resolve_alert,
        alerts::list_rules, alerts::create_rule, alerts::update_rule, alerts::delete_rule,
        alerts::get_settings, alerts::put_settings,
        reserves::start_run, reserves::list_runs, reserves::get_run, reserves::cancel_run, reserves::run_events,
        reserves::apply_run, reserves::list_scenarios, reserves::create_scenario, reserves::delete_scenario,
        reserves::get_ranking, reserves::get_ranking_csv, reserves::get_assumptions, reserves::put_assumptions,
        openapi_json,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerToken),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An API token from the Account page"))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every error answer a route may give, in the `{error, field?}` shape. (A 500 is a bug: it is
/// not part of the contract, and the fuzzing suite fails on one.)
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ApiErrors {
    /// Malformed request: bad JSON, a parameter that does not parse, out of its bounds.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No valid session or API token.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Signed in, but not a member of the fund with the role this needs.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such fund, company, run, rule… (`field` names which).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// `expected_version` is stale, or the fund changed since a run looked at it (`current_version`).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is over the route's limit.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// Well-formed, but breaks a rule of the fund (`field`, and `conflicts_with` or `rows`).
    #[response(status = 422)]
    Unprocessable(ErrorBody),
    /// The database is unavailable or busy: retry after `Retry-After` seconds.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// `{id}`: the fund.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct FundPath {
    /// The fund's id (a UUID).
    id: uuid::Uuid,
}

/// `{id}` and `{alert_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct AlertPath {
    /// The fund's id (a UUID).
    id: uuid::Uuid,
    /// The alert's id (a UUID).
    alert_id: uuid::Uuid,
}

/// `{id}` and `{rule_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct RulePath {
    /// The fund's id (a UUID).
    id: uuid::Uuid,
    /// The alert rule's id (a UUID).
    rule_id: uuid::Uuid,
}

/// `{id}` and `{user_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct MemberPath {
    /// The fund's id (a UUID).
    id: uuid::Uuid,
    /// The member's user id (a UUID).
    user_id: uuid::Uuid,
}

/// `{id}` and `{run_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct RunPath {
    /// The fund's id (a UUID).
    id: uuid::Uuid,
    /// The reserve run's id (a UUID).
    run_id: uuid::Uuid,
}

/// `{id}` and `{scenario_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ScenarioPath {
    /// The fund's id (a UUID).
    id: uuid::Uuid,
    /// The saved scenario's id (a UUID).
    scenario_id: uuid::Uuid,
}

/// `GET /api/openapi.json`: this document (public: it describes the API, it holds no data).
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object)))]
pub async fn openapi_json(document: Arc<str>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        document.to_string(),
    )
        .into_response()
}

/// The document for the routes in `specs` (what this process serves) and for itself, as JSON.
pub fn document_json(specs: &[RouteSpec]) -> String {
    let mut specs = specs.to_vec();
    specs.push(RouteSpec {
        method: Method::GET,
        path: "/api/openapi.json".into(),
        access: crate::auth::access::Access::Public,
    });
    let mut doc = ApiDoc::openapi();
    let paths = std::mem::take(&mut doc.paths.paths);
    for (path, mut item) in paths {
        for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
            if !specs.iter().any(|s| s.path == path && s.method == method) {
                *operation_mut(&mut item, &method) = None;
            }
        }
        if [Method::GET, Method::POST, Method::PUT, Method::DELETE]
            .iter()
            .any(|m| operation_mut(&mut item, m).is_some())
        {
            doc.paths.paths.insert(path, item);
        }
    }
    doc.to_json().expect("the OpenAPI document serializes")
}

/// The (method, path) pairs a document lists.
pub fn operations(doc: &Document) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        let mut item = item.clone();
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
            Method::HEAD,
            Method::OPTIONS,
        ] {
            if operation_mut(&mut item, &method).is_some() {
                out.push((method, path.clone()));
            }
        }
    }
    out
}

fn operation_mut<'a>(
    item: &'a mut PathItem,
    method: &Method,
) -> &'a mut Option<utoipa::openapi::path::Operation> {
    match *method {
        Method::GET => &mut item.get,
        Method::POST => &mut item.post,
        Method::PUT => &mut item.put,
        Method::DELETE => &mut item.delete,
        Method::PATCH => &mut item.patch,
        Method::HEAD => &mut item.head,
        _ => &mut item.options,
    }
}
