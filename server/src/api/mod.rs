//! The REST API for integrations: JSON in and out, errors as `{error, field?}`.

mod actuals;
mod alerts;
mod caller;
pub mod error;
mod events;
mod funds;
pub mod params;
mod query;
mod time_machine;

use app::features::Features;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;

use crate::state::AppState;

/// Routes under `/api`. Time Machine reads exist only when that feature is on.
pub fn router(features: Features) -> Router<AppState> {
    let mut r = Router::new()
        .route("/funds", post(funds::create_fund).get(funds::list_funds))
        .route("/funds/{id}", get(funds::get_fund))
        .route("/funds/{id}/events", post(events::append_events).layer(DefaultBodyLimit::max(32 * 1024 * 1024)));
    if features.time_machine {
        r = r
            .route("/funds/{id}/state", get(time_machine::get_state))
            .route("/funds/{id}/timeline", get(time_machine::get_timeline))
            .route("/funds/{id}/diff", get(time_machine::get_diff))
            .route("/funds/{id}/snapshots", post(time_machine::create_snapshot).get(time_machine::list_snapshots));
    }
    if features.variance {
        r = r
            .route("/funds/{id}/actuals", post(actuals::record_actual))
            .route("/funds/{id}/actuals/import", post(actuals::import_actuals).layer(DefaultBodyLimit::max(32 * 1024 * 1024)))
            .route("/funds/{id}/actuals/template.csv", get(actuals::template))
            .route("/funds/{id}/variance", get(actuals::variance))
            .route("/funds/{id}/variance.csv", get(actuals::variance_csv))
            .route("/funds/{id}/alerts", get(alerts::list_alerts))
            .route("/funds/{id}/alerts/{alert_id}/read", post(alerts::read_alert))
            .route("/funds/{id}/alerts/{alert_id}/resolve", post(alerts::resolve_alert))
            .route("/funds/{id}/alert-rules", get(alerts::list_rules).post(alerts::create_rule))
            .route("/funds/{id}/alert-rules/{rule_id}", put(alerts::update_rule).delete(alerts::delete_rule))
            .route("/funds/{id}/notification-settings", get(alerts::get_settings).put(alerts::put_settings));
    }
    r.fallback(|| async { error::ApiError::NotFound { field: None, message: "no such API route".into() } })
}
