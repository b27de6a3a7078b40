//! Rendered hub pages are cached, and any write to the fund makes the next request render afresh.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

async fn page(app: &common::TestApp, uri: &str) -> (StatusCode, String, String) {
    page_as(app, Some(&app.token), uri).await
}

async fn page_as(app: &common::TestApp, token: Option<&str>, uri: &str) -> (StatusCode, String, String) {
    let mut req = Request::get(uri);
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let res = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let cache = res.headers().get("x-page-cache").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, cache, body)
}

#[tokio::test]
async fn a_page_is_served_from_cache_until_the_fund_changes() {
    let app = common::spawn().await;
    let fund = app.fund(30).await;
    let uri = format!("/funds/{fund}/overview");
    let (s, first, body) = page(&app, &uri).await;
    assert_eq!((s, first.as_str()), (StatusCode::OK, "miss"));
    assert!(body.contains("data-kpi=\"called\""), "server-rendered KPIs");
    let (_, second, again) = page(&app, &uri).await;
    assert_eq!(second, "hit");
    assert_eq!(again, body);

    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1234567"}}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, third, fresh) = page(&app, &uri).await;
    assert_eq!(third, "miss");
    assert!(fresh.contains("data-value=\"1234567\""), "the new call shows at once");

    let (s, _) = app.post(&format!("/api/funds/{fund}/snapshots"), json!({"description": "Quarter close"})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(page(&app, &uri).await.1, "miss", "a snapshot changes the fund's pages too");
}

#[tokio::test]
async fn pages_are_cached_per_user_and_checked_for_access_on_every_request() {
    let app = common::spawn().await;
    let fund = app.fund(30).await;
    let uri = format!("/funds/{fund}/overview");
    assert_eq!(page(&app, &uri).await.1, "miss");
    assert_eq!(page(&app, &uri).await.1, "hit");

    // Anonymous: sent to sign in, never served the cached page.
    let (s, cache, _) = page_as(&app, None, &uri).await;
    assert_eq!((s, cache.as_str()), (StatusCode::SEE_OTHER, ""));

    // Another user: 403 while not a member; once a viewer, their own cache entry.
    let other = common::create_user(&app.store, "viewer@test.local").await;
    let (_, token) = app.store.create_api_token(other.id, "t", domain::access::Role::Admin).await.unwrap();
    let (s, cache, _) = page_as(&app, Some(&token), &uri).await;
    assert_eq!((s, cache.as_str()), (StatusCode::FORBIDDEN, ""));
    app.store.grant_role(&app::store::AuditActor::command_line(), fund.parse().unwrap(), other.id, domain::access::Role::Viewer).await.unwrap();
    let (s, cache, _) = page_as(&app, Some(&token), &uri).await;
    assert_eq!((s, cache.as_str()), (StatusCode::OK, "miss"));

    let (_, cache, _) = page(&app, "/funds/00000000-0000-4000-8000-000000000000/overview").await;
    assert_eq!(cache, "", "an unknown fund is refused before the cache");
}
