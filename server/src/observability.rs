//! Structured logs (tracing) and Prometheus metrics.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

/// JSON logs unless LOG_FORMAT=pretty; level from RUST_LOG (default info).
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "pretty") {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).try_init()
    };
    // Already initialised (tests build several servers in one process): keep the first.
    drop(result);
}

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide metrics recorder, installed on first use.
pub fn prometheus() -> &'static PrometheusHandle {
    PROMETHEUS.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
            .expect("static bucket list is valid")
            .build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder is installed; metrics then go there.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// `GET /metrics` in Prometheus text format, for the scraper only: with METRICS_TOKEN set, to
/// `Authorization: Bearer <METRICS_TOKEN>` (401 with `WWW-Authenticate` otherwise); without it,
/// to loopback peers only (in-process calls have no peer and count as local). Behind a proxy on
/// the same host every peer is loopback: set METRICS_TOKEN there. Reserve runs by status (and the
/// queue depth) are read from PostgreSQL at each scrape, so every process reports the whole picture.
pub async fn metrics_endpoint(axum::extract::State(state): axum::extract::State<crate::state::AppState>, req: Request) -> Response {
    use axum::http::{header, StatusCode};
    let allowed = match state.config.metrics_token.as_deref() {
        Some(expected) => req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.trim().as_bytes(), expected.as_bytes())),
        None => req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .is_none_or(|c| c.0.ip().is_loopback()),
    };
    if !allowed {
        let message = if state.config.metrics_token.is_some() { "send Authorization: Bearer <METRICS_TOKEN>" } else { "metrics answer only on loopback unless METRICS_TOKEN is set" };
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")], message).into_response();
    }
    if state.features.optimal_reserves {
        match state.store.reserve_run_counts().await {
            Ok(counts) => {
                for (status, n) in counts {
                    metrics::gauge!("reserve_runs", "status" => status.as_str()).set(n as f64);
                    if status == app::store::RunStatus::Queued {
                        metrics::gauge!("reserve_run_queue_depth").set(n as f64);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading reserve run counts for /metrics failed"),
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], prometheus().render()).into_response()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Counts requests and their latency per route and status.
pub async fn track_requests(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    response
}
