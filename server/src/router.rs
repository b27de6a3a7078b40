use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;
use axum_login::AuthManagerLayerBuilder;
use leptos::prelude::provide_context;
use leptos_axum::{handle_server_fns_with_context, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::auth::backend::Backend;
use crate::{api, auth, headers, health, observability, page_cache};

/// The whole HTTP surface: pages, server functions, REST, sign-in, health and metrics.
///
/// Every request passes, outermost first: sessions (axum-login on tower-sessions), who is calling
/// (`auth::principal`), the cross-site check for writes (`auth::csrf`); then pages need a signed-in
/// member (`auth::page_guard`), REST routes the role they declare (`auth::access`), and server
/// functions check the fund role themselves (`app::accounts::authorize`).
pub fn router(state: AppState) -> Router {
    let routes = state.routes.as_ref().clone();
    let (api_routes, _) = api::routes(&state);
    let hashing = std::sync::Arc::new(tokio::sync::Semaphore::new(state.config.auth.password_hash_concurrency));
    let backend = Backend { store: state.store.clone(), throttle: state.config.auth.throttle(), hashing };
    let sessions = AuthManagerLayerBuilder::new(backend, auth::session_layer(state.store.clone(), &state.config.auth)).build();
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(observability::metrics_endpoint))
        .route("/login", post(auth::login::login))
        .route("/logout", post(auth::login::logout))
        .nest("/api", api_routes)
        .route("/sfn/{*fn_name}", get(server_fn_handler).post(server_fn_handler))
        .leptos_routes_with_handler(routes, get(page_handler))
        .layer(from_fn_with_state(state.clone(), page_cache::cache_fund_pages))
        .layer(from_fn_with_state(state.clone(), auth::page_guard::require_sign_in_for_pages))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(from_fn(auth::csrf::refuse_cross_site))
        .layer(from_fn_with_state(state.clone(), auth::principal::resolve_principal))
        .layer(sessions)
        .layer(from_fn(observability::track_requests));
    // Outside the page cache (cached pages carry them too) and inside compression (the CSP reads
    // the page's inline scripts).
    let timeout = state.config.request_timeout;
    headers::apply(router, state.config.auth.cookie_secure)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What every page render and server function sees in its Leptos context.
fn provide_app_context(state: &AppState) {
    provide_context(state.store.clone());
    provide_context(state.features);
    provide_context(state.config.auth.throttle());
    provide_context(app::reserves::ReserveSettings { default_iterations: state.config.monte_carlo_iterations });
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_app_context(&state), req).await
}

async fn page_handler(State(state): State<AppState>, req: Request<Body>) -> Response {
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_route_with_context(
        state.routes.as_ref().clone(),
        move || {
            provide_app_context(&context_state);
            hand_nonce_to_csp();
        },
        move || app::shell(options.clone()),
    );
    handler(State(state), req).await.into_response()
}

/// Passes the render's Leptos nonce (which Leptos puts on every inline script it writes) to the
/// Content-Security-Policy in a response header, which `headers` removes (see `headers::SCRIPT_NONCE`).
fn hand_nonce_to_csp() {
    let nonce = leptos::nonce::use_nonce();
    let options = leptos::prelude::use_context::<leptos_axum::ResponseOptions>();
    if let (Some(nonce), Some(options)) = (nonce, options) {
        if let Ok(value) = axum::http::HeaderValue::from_str(&nonce) {
            options.insert_header(headers::SCRIPT_NONCE, value);
        }
    }
}
