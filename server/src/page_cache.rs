//! Rendered fund pages, cached per (URL, fund revision, day, user, token cap). Every request revalidates with
//! one indexed read of the fund's revision, which every write bumps (and so do membership and
//! share-link changes), so a page is never served stale after a change — on this replica or
//! another. Access is checked before this (`auth::page_guard`), on every request; the user is in
//! the key because pages show who is signed in and what their role offers, and so is the role cap
//! of an API token: a viewer-capped token of an analyst sees a viewer's page (no share links),
//! not the analyst's cached one. (The member role itself changes only with a revision bump.)

use std::sync::OnceLock;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use app::accounts::principal::{Principal, Via};
use chrono::{NaiveDate, Utc};
use domain::access::Role;
use moka::sync::Cache;
use uuid::Uuid;

use crate::state::AppState;

/// Pages larger than this are not kept.
const MAX_PAGE: usize = 2 * 1024 * 1024;

/// (URI, fund revision, day, user, the token's role cap: `None` for a session).
type Key = (String, u64, NaiveDate, Uuid, Option<Role>);

/// A rendered page: its content type, its Content-Security-Policy (for HTML: computed once from
/// the page, see `headers::html_policy`) and its bytes.
#[derive(Clone)]
struct Page {
    content_type: HeaderValue,
    policy: Option<HeaderValue>,
    body: Bytes,
}

fn cache() -> &'static Cache<Key, Page> {
    static CACHE: OnceLock<Cache<Key, Page>> = OnceLock::new();
    CACHE.get_or_init(|| {
        Cache::builder()
            .weigher(|_: &Key, v: &Page| v.body.len().try_into().unwrap_or(u32::MAX))
            .max_capacity(64 * 1024 * 1024)
            .build()
    })
}

/// The fund id of a hub page URL (`/funds/{id}/{tab}`).
fn fund_page(path: &str) -> Option<Uuid> {
    let rest = path.strip_prefix("/funds/")?;
    let (id, tab) = rest.split_once('/')?;
    // The inbox shows delivery progress, and the audit trail members' API tokens, both of which
    // change without a write to the fund: never cached.
    (!tab.is_empty() && !tab.contains('/') && tab != "alerts" && tab != "audit").then_some(())?;
    id.parse().ok()
}

pub async fn cache_fund_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let user = req.extensions().get::<Principal>().map(|p| {
        let cap = match p.via {
            Via::Session => None,
            Via::Token { max_role, .. } => Some(max_role),
        };
        (p.user.id, cap)
    });
    let fund = (req.method() == Method::GET).then(|| fund_page(req.uri().path())).flatten();
    let (Some(fund_id), Some((user, cap))) = (fund, user) else { return next.run(req).await };
    let Ok(head) = state.store.fund_head(fund_id).await else { return next.run(req).await };
    let key = (req.uri().to_string(), head.revision, Utc::now().date_naive(), user, cap);
    if let Some(cached) = cache().get(&key) {
        metrics::counter!("page_cache_hits_total").increment(1);
        return page(cached, "hit");
    }
    metrics::counter!("page_cache_misses_total").increment(1);
    // The render reads this fund at the head just read (`app::server::store`), as the key says.
    let mut req = req;
    req.extensions_mut().insert(head);
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let nonce = parts.headers.remove(crate::headers::SCRIPT_NONCE);
    let Some(content_type) = parts.headers.get(header::CONTENT_TYPE).cloned() else {
        return Response::from_parts(parts, body);
    };
    match to_bytes(body, MAX_PAGE).await {
        Ok(body) => {
            let is_html = content_type.to_str().is_ok_and(|v| v.starts_with("text/html"));
            let policy = is_html.then(|| crate::headers::html_policy(&body, nonce.as_ref()));
            let rendered = Page { content_type, policy, body };
            cache().insert(key, rendered.clone());
            page(rendered, "miss")
        }
        Err(e) => {
            tracing::warn!(error = %e, "page too large to cache or body failed");
            Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body(Body::empty()).unwrap_or_default()
        }
    }
}

fn page(cached: Page, outcome: &'static str) -> Response {
    let mut r = Response::new(Body::from(cached.body));
    r.headers_mut().insert(header::CONTENT_TYPE, cached.content_type);
    if let Some(policy) = cached.policy {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    r.headers_mut().insert("x-page-cache", HeaderValue::from_static(outcome));
    r
}

#[cfg(test)]
mod tests {
    use super::fund_page;

    #[test]
    fn only_hub_pages_are_cacheable() {
        let id = "2b0c8d6e-1111-4222-8333-444455556666";
        assert!(fund_page(&format!("/funds/{id}/time-machine")).is_some());
        assert!(fund_page(&format!("/funds/{id}")).is_none());
        assert!(fund_page(&format!("/funds/{id}/alerts")).is_none());
        assert!(fund_page(&format!("/funds/{id}/audit")).is_none());
        assert!(fund_page(&format!("/funds/{id}/a/b")).is_none());
        assert!(fund_page("/funds/not-a-uuid/overview").is_none());
        assert!(fund_page("/api/funds").is_none());
    }
}
