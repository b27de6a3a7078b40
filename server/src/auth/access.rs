//! The access each REST route needs, declared where the route is added, so the router and the
//! access table cannot drift apart; the check runs before the handler (and before any body is
//! read), and the access test calls every declared route.

use app::accounts::authorize::{fund_access, AccessDenied};
use app::accounts::principal::{Principal, Via};
use axum::extract::{RawPathParams, Request, State};
use axum::RequestExt;
use axum::http::Method;
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use domain::access::Role;

use crate::api::error::ApiError;
use crate::state::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Access {
    /// Anyone, signed in or not: only the API's own description (`/api/openapi.json`).
    Public,
    /// Any signed-in user (session or token); handlers scope what they return to the caller.
    /// Writes (creating a fund) need a session or a token capped at analyst or above.
    SignedIn,
    /// Members of the fund in the `{id}` path segment with at least this role.
    Fund(Role),
}

/// The least token cap for a write on a `SignedIn` route: a read-only (viewer) token only reads.
const SIGNED_IN_WRITE: Role = Role::Analyst;

/// One route as the access test sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteSpec {
    pub method: Method,
    /// With the `/api` prefix, e.g. `/api/funds/{id}/events`.
    pub path: String,
    pub access: Access,
}

/// Builds the API router one route at a time; each route states its access.
pub struct ApiRoutes {
    state: AppState,
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl ApiRoutes {
    pub fn new(state: AppState) -> Self {
        ApiRoutes { state, router: Router::new(), specs: Vec::new() }
    }

    /// Adds `method path` (relative to `/api`) behind the `access` check.
    pub fn add<H, T>(mut self, method: Method, path: &str, access: Access, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("an HTTP method axum routes");
        let route = on(filter, handler).route_layer(from_fn_with_state((self.state.clone(), access), check_access));
        self.router = self.router.route(path, route);
        self.specs.push(RouteSpec { method, path: format!("/api{path}"), access });
        self
    }

    /// The routes added so far.
    pub fn specs(&self) -> &[RouteSpec] {
        &self.specs
    }

    pub fn finish(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.specs)
    }
}

async fn check_access(State((state, access)): State<(AppState, Access)>, mut req: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(req).await;
    }
    let principal = req.extensions().get::<Principal>().cloned();
    let Some(principal) = principal else {
        return denied(AccessDenied::Anonymous);
    };
    if access == Access::SignedIn && !matches!(*req.method(), Method::GET | Method::HEAD) {
        if let Via::Token { max_role, .. } = principal.via {
            if !max_role.allows(SIGNED_IN_WRITE) {
                let message = format!("this API token is capped at {max_role}; this needs a token capped at {SIGNED_IN_WRITE} or above");
                return ApiError::Forbidden { message }.into_response();
            }
        }
    }
    if let Access::Fund(need) = access {
        let params = match req.extract_parts::<RawPathParams>().await {
            Ok(p) => p,
            Err(_) => return ApiError::bad("fund_id", "missing from the path").into_response(),
        };
        let Some(raw) = params.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.to_string()) else {
            return ApiError::bad("fund_id", "missing from the path").into_response();
        };
        let Ok(fund_id) = raw.parse() else {
            return ApiError::bad("fund_id", format!("{raw:?} is not a fund id")).into_response();
        };
        match fund_access(&state.store, Some(&principal), fund_id, need).await {
            Ok(Ok(_)) => {}
            Ok(Err(d)) => return denied(d),
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    next.run(req).await
}

fn denied(d: AccessDenied) -> Response {
    match d {
        AccessDenied::Anonymous => ApiError::Unauthorized { message: d.message() }.into_response(),
        _ => ApiError::Forbidden { message: d.message() }.into_response(),
    }
}
