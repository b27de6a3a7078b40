use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::state::AppState;

/// How long the health check waits for the database (shorter than the pool's own wait,
/// DATABASE_ACQUIRE_TIMEOUT_MS).
const HEALTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// `GET /healthz`: 200 when the database answers within a second, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let check = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(state.store.pool());
    match tokio::time::timeout(HEALTH_TIMEOUT, check).await {
        Ok(Ok(_)) => (StatusCode::OK, Json(json!({ "status": "ok", "database": "ok" }))),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "degraded", "database": "unreachable" })))
        }
        Err(_) => {
            tracing::warn!("health check: no database answer within 1 s");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "degraded", "database": "no answer within 1 s" })))
        }
    }
}
