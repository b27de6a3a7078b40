use app::accounts::authorize::fund_access;
use app::accounts::principal::Principal;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Role;

use crate::state::AppState;

/// Pages need a signed-in user: anonymous visitors go to the sign-in form (and come back after),
/// and a fund's pages need membership (403 page otherwise). The sign-in form, share links, static
/// files, server functions and the API (which answer 401/403 themselves) pass through. The members
/// and audit-trail pages are for the fund's admins ([`page_role`]).
pub async fn require_sign_in_for_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !(req.method() == Method::GET || req.method() == Method::HEAD) {
        return next.run(req).await;
    }
    let path = req.uri().path();
    let fund_page = path.strip_prefix("/funds/").map(|rest| rest.split('/').next().unwrap_or_default().to_string());
    if !(path == "/" || path == "/account" || fund_page.is_some()) {
        return next.run(req).await;
    }
    let Some(principal) = req.extensions().get::<Principal>().cloned() else {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let query = form_urlencoded::Serializer::new(String::new()).append_pair("next", target).finish();
        return Redirect::to(&format!("/login?{query}")).into_response();
    };
    if let Some(raw) = fund_page {
        let Ok(fund_id) = raw.parse() else { return next.run(req).await };
        match fund_access(&state.store, Some(&principal), fund_id, page_role(path)).await {
            Ok(Ok(_)) => {}
            Ok(Err(d)) => return forbidden_page(&d.message()),
            Err(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "access check: database unavailable");
                let retry = [(header::RETRY_AFTER, crate::api::error::RETRY_AFTER_SECS)];
                return (StatusCode::SERVICE_UNAVAILABLE, retry, "The database is unavailable or busy; retry in a moment.").into_response();
            }
            Err(e) => {
                tracing::error!(error = %e, "access check failed");
                return (StatusCode::INTERNAL_SERVER_ERROR, "internal error; it has been logged").into_response();
            }
        }
    }
    next.run(req).await
}

/// The role a fund page needs: admin for members and the audit trail, viewer for the rest.
pub fn page_role(path: &str) -> Role {
    if path.ends_with("/audit") || path.ends_with("/members") {
        Role::Admin
    } else {
        Role::Viewer
    }
}

fn forbidden_page(message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>No access · Fundlens</title>\
         <link rel=\"stylesheet\" href=\"/pkg/fundlens.css\"></head><body><main class=\"page\" data-test=\"forbidden\">\
         <h1>No access</h1><p>{}.</p><p><a href=\"/\">Your funds</a></p></main></body></html>",
        html_escape(message)
    );
    Response::builder()
        .status(StatusCode::FORBIDDEN)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(html))
        .expect("a static response")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
