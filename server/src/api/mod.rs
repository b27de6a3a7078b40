//! The REST API for integrations: JSON in and out, errors as `{error, field?}`.

mod actuals;
mod alerts;
mod caller;
pub mod error;
mod events;
mod funds;
mod ledger;
mod audit;
mod members;
pub mod openapi;
pub mod params;
mod query;
mod reserves;
mod time_machine;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::Router;
use domain::access::Role::{Admin, Analyst, Viewer};

use crate::auth::access::{Access, ApiRoutes, RouteSpec};
use crate::state::AppState;

const BIG_BODY: usize = 32 * 1024 * 1024;

/// Routes under `/api`, each with the access it needs (see `auth::access`), and their list for the
/// access test. Time Machine and Variance routes exist only when their feature is on.
pub fn routes(state: &AppState) -> (Router<AppState>, Vec<RouteSpec>) {
    use Access::{Fund, SignedIn};
    let features = state.features;
    let mut r = ApiRoutes::new(state.clone())
        .add(Method::POST, "/funds", SignedIn, funds::create_fund)
        .add(Method::GET, "/funds", SignedIn, funds::list_funds)
        .add(Method::GET, "/funds/{id}", Fund(Viewer), funds::get_fund)
        .add(Method::POST, "/funds/{id}/events", Fund(Analyst), events::append_events.layer(DefaultBodyLimit::max(BIG_BODY)))
        .add(Method::GET, "/funds/{id}/members", Fund(Admin), members::list_members)
        .add(Method::PUT, "/funds/{id}/members", Fund(Admin), members::put_member)
        .add(Method::DELETE, "/funds/{id}/members/{user_id}", Fund(Admin), members::delete_member)
        .add(Method::GET, "/funds/{id}/audit", Fund(Admin), audit::list_audit)
        .add(Method::GET, "/funds/{id}/ledger/template.csv", Fund(Viewer), ledger::template)
        .add(Method::GET, "/funds/{id}/ledger.csv", Fund(Viewer), ledger::export)
        .add(Method::POST, "/funds/{id}/ledger/preview", Fund(Analyst), ledger::preview.layer(DefaultBodyLimit::max(BIG_BODY)))
        .add(Method::POST, "/funds/{id}/ledger/import", Fund(Analyst), ledger::import.layer(DefaultBodyLimit::max(BIG_BODY)))
        .add(Method::POST, "/funds/{id}/ledger/uploads", Fund(Analyst), ledger::upload.layer(DefaultBodyLimit::max(app::store::MAX_UPLOAD_BYTES + 64 * 1024)));
    if features.time_machine {
        r = r
            .add(Method::GET, "/funds/{id}/state", Fund(Viewer), time_machine::get_state)
            .add(Method::GET, "/funds/{id}/timeline", Fund(Viewer), time_machine::get_timeline)
            .add(Method::GET, "/funds/{id}/diff", Fund(Viewer), time_machine::get_diff)
            .add(Method::POST, "/funds/{id}/snapshots", Fund(Analyst), time_machine::create_snapshot)
            .add(Method::GET, "/funds/{id}/snapshots", Fund(Viewer), time_machine::list_snapshots);
    }
    if features.variance {
        r = r
            .add(Method::POST, "/funds/{id}/actuals", Fund(Analyst), actuals::record_actual)
            .add(Method::POST, "/funds/{id}/actuals/import", Fund(Analyst), actuals::import_actuals.layer(DefaultBodyLimit::max(BIG_BODY)))
            .add(Method::GET, "/funds/{id}/actuals/template.csv", Fund(Viewer), actuals::template)
            .add(Method::GET, "/funds/{id}/variance", Fund(Viewer), actuals::variance)
            .add(Method::GET, "/funds/{id}/variance.csv", Fund(Viewer), actuals::variance_csv)
            .add(Method::GET, "/funds/{id}/forecast-accuracy", Fund(Viewer), actuals::forecast_accuracy)
            .add(Method::GET, "/funds/{id}/alerts", Fund(Viewer), alerts::list_alerts)
            .add(Method::POST, "/funds/{id}/alerts/read", Fund(Analyst), alerts::read_alerts)
            .add(Method::POST, "/funds/{id}/alerts/{alert_id}/read", Fund(Analyst), alerts::read_alert)
            .add(Method::POST, "/funds/{id}/alerts/{alert_id}/resolve", Fund(Analyst), alerts::resolve_alert)
            .add(Method::GET, "/funds/{id}/alert-rules", Fund(Viewer), alerts::list_rules)
            .add(Method::POST, "/funds/{id}/alert-rules", Fund(Admin), alerts::create_rule)
            .add(Method::PUT, "/funds/{id}/alert-rules/{rule_id}", Fund(Admin), alerts::update_rule)
            .add(Method::DELETE, "/funds/{id}/alert-rules/{rule_id}", Fund(Admin), alerts::delete_rule)
            .add(Method::GET, "/funds/{id}/notification-settings", Fund(Admin), alerts::get_settings)
            .add(Method::PUT, "/funds/{id}/notification-settings", Fund(Admin), alerts::put_settings);
    }
    if features.optimal_reserves {
        r = r
            .add(Method::POST, "/funds/{id}/reserves/runs", Fund(Analyst), reserves::start_run)
            .add(Method::GET, "/funds/{id}/reserves/runs", Fund(Viewer), reserves::list_runs)
            .add(Method::GET, "/funds/{id}/reserves/runs/{run_id}", Fund(Viewer), reserves::get_run)
            .add(Method::POST, "/funds/{id}/reserves/runs/{run_id}/cancel", Fund(Analyst), reserves::cancel_run)
            .add(Method::GET, "/funds/{id}/reserves/runs/{run_id}/events", Fund(Viewer), reserves::run_events)
            .add(Method::POST, "/funds/{id}/reserves/runs/{run_id}/apply", Fund(Analyst), reserves::apply_run)
            .add(Method::GET, "/funds/{id}/reserves/scenarios", Fund(Viewer), reserves::list_scenarios)
            .add(Method::POST, "/funds/{id}/reserves/scenarios", Fund(Analyst), reserves::create_scenario)
            .add(Method::DELETE, "/funds/{id}/reserves/scenarios/{scenario_id}", Fund(Analyst), reserves::delete_scenario)
            .add(Method::GET, "/funds/{id}/reserves", Fund(Viewer), reserves::get_ranking)
            .add(Method::GET, "/funds/{id}/reserves.csv", Fund(Viewer), reserves::get_ranking_csv)
            .add(Method::GET, "/funds/{id}/reserves/assumptions", Fund(Viewer), reserves::get_assumptions)
            .add(Method::PUT, "/funds/{id}/reserves/assumptions", Fund(Admin), reserves::put_assumptions);
    }
    // Last, so the document lists every route above (and only those).
    let document: std::sync::Arc<str> = openapi::document_json(r.specs()).into();
    r = r.add(Method::GET, "/openapi.json", Access::Public, move || openapi::openapi_json(document.clone()));
    let (router, specs) = r.finish();
    let router = router
        .fallback(|| async { error::ApiError::NotFound { field: None, message: "no such API route".into() } })
        .layer(axum::middleware::map_response(json_too_large));
    (router, specs)
}

/// axum's own 413 (a body over the route's limit) is plain text: answer in the API's JSON shape.
async fn json_too_large(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    if response.status() != axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let message = "the request body is too large (2 MB at most; 32 MB for event batches and CSV imports)";
    (axum::http::StatusCode::PAYLOAD_TOO_LARGE, axum::Json(error::ErrorBody::new(message.into(), None))).into_response()
}
