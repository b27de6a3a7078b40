//! The per-process access cache (`app::store::accounts::access_cache`) with two server processes
//! on one database: a token revoked or a membership changed through one is refused by the other
//! at once, and a process that cannot hear changes stops trusting what it cached.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use app::store::Store;
use domain::access::Role;
use tower::ServiceExt;

/// How long a change may take to reach the other process (a NOTIFY takes milliseconds).
const PROPAGATION: Duration = Duration::from_secs(2);

async fn status(router: &Router, method: &str, uri: &str, token: &str, body: Option<&str>) -> StatusCode {
    let mut req = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
    router.clone().oneshot(req).await.unwrap().status()
}

/// Waits until both processes hear access changes (they bypass the cache until then).
async fn wait_until_listening(stores: &[&Store]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !stores.iter().all(|s| s.access_cache_listening()) {
        assert!(Instant::now() < deadline, "the access-change listeners never connected");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls `probe` until it answers `want`, failing after PROPAGATION: a cache still serving the
/// old answer then fails the test. `what` names the request in that failure.
async fn eventually_answers<F, Fut>(what: &str, want: StatusCode, probe: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = StatusCode>,
{
    let deadline = Instant::now() + PROPAGATION;
    loop {
        let got = probe().await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{what} still answers {got} (want {want}) {PROPAGATION:?} after the change: a stale cached answer");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn expect_within_propagation(router: &Router, method: &str, uri: &str, token: &str, body: Option<&str>, want: StatusCode) {
    eventually_answers(&format!("{method} {uri}"), want, || status(router, method, uri, token, body)).await;
}

#[tokio::test]
async fn a_token_revoked_through_one_process_is_refused_by_another_at_once() {
    let app = common::spawn().await;
    let (other, other_store) = common::replica(&app).await;
    wait_until_listening(&[&app.store, &other_store]).await;
    let fund = app.fund(30).await;
    let (info, token) = app.store.create_api_token(app.owner.id, "integration", Role::Admin).await.unwrap();
    let uri = format!("/api/funds/{fund}");
    for _ in 0..3 {
        assert_eq!(status(&other, "GET", &uri, &token, None).await, StatusCode::OK);
    }
    app.store.revoke_api_token(&app::store::AuditActor::command_line(), app.owner.id, info.id).await.unwrap();
    // The process that revoked it refuses it on the very next request.
    assert_eq!(status(&app.router, "GET", &uri, &token, None).await, StatusCode::UNAUTHORIZED);
    expect_within_propagation(&other, "GET", &uri, &token, None, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_role_lowered_or_removed_through_one_process_applies_on_another_at_once() {
    let app = common::spawn().await;
    let (other, other_store) = common::replica(&app).await;
    wait_until_listening(&[&app.store, &other_store]).await;
    let fund = app.fund(30).await;
    let analyst = common::create_user(&app.store, "analyst@test.local").await;
    app.store.grant_role(&app::store::AuditActor::command_line(), fund.parse().unwrap(), analyst.id, Role::Analyst).await.unwrap();
    let (_, token) = app.store.create_api_token(analyst.id, "t", Role::Admin).await.unwrap();
    let snapshots = format!("/api/funds/{fund}/snapshots");
    let body = Some(r#"{"description":"month end"}"#);
    assert_eq!(status(&other, "POST", &snapshots, &token, body).await, StatusCode::CREATED);
    assert_eq!(status(&other, "GET", &format!("/api/funds/{fund}"), &token, None).await, StatusCode::OK);

    app.store.grant_role(&app::store::AuditActor::command_line(), fund.parse().unwrap(), analyst.id, Role::Viewer).await.unwrap();
    expect_within_propagation(&other, "POST", &snapshots, &token, body, StatusCode::FORBIDDEN).await;
    assert_eq!(status(&other, "GET", &format!("/api/funds/{fund}"), &token, None).await, StatusCode::OK, "a viewer still reads");

    app.store.remove_member(&app::store::AuditActor::command_line(), fund.parse().unwrap(), analyst.id).await.unwrap();
    expect_within_propagation(&other, "GET", &format!("/api/funds/{fund}"), &token, None, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_process_that_loses_its_listener_stops_trusting_its_cache() {
    let app = common::spawn().await;
    let (other, other_store) = common::replica(&app).await;
    wait_until_listening(&[&app.store, &other_store]).await;
    let (info, token) = app.store.create_api_token(app.owner.id, "integration", Role::Admin).await.unwrap();
    assert_eq!(status(&other, "GET", "/api/funds", &token, None).await, StatusCode::OK);

    // Revoked behind the store's back (no notification): the other process still answers from
    // its cache, which shows the tests above really exercise it.
    sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1").bind(info.id).execute(app.store.pool()).await.unwrap();
    assert_eq!(status(&other, "GET", "/api/funds", &token, None).await, StatusCode::OK, "served from the cache");

    // Cut every access listener's connection: notifications sent now would be lost, so the
    // processes must drop what they cached rather than serve it.
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = $1",
    )
    .bind(format!("LISTEN \"{}\"", app::store::accounts::ACCESS_CHANNEL))
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(cut.len(), 2, "one listener per process");
    expect_within_propagation(&other, "GET", "/api/funds", &token, None, StatusCode::UNAUTHORIZED).await;
    // They listen again, and what was cached before the cut is gone.
    wait_until_listening(&[&app.store, &other_store]).await;
    assert_eq!(status(&other, "GET", "/api/funds", &token, None).await, StatusCode::UNAUTHORIZED, "cache emptied on reconnecting");
}

/// Signs in through the form on `router`; the session cookie.
async fn sign_in(router: &Router) -> String {
    let body = format!("email=owner%40test.local&password={}&next=%2F", form_urlencoded::byte_serialize(common::PASSWORD.as_bytes()).collect::<String>());
    let req = Request::builder().method("POST").uri("/login").header("content-type", "application/x-www-form-urlencoded").body(Body::from(body)).unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).find(|c| c.starts_with("fundlens_session=")).expect("a session cookie");
    cookie.split(';').next().unwrap().to_string()
}

/// The home page's status for the session: 200 signed in, 303 (to the sign-in form) otherwise.
async fn home_page(router: &Router, cookie: &str) -> StatusCode {
    let req = Request::builder().uri("/").header("cookie", cookie).body(Body::empty()).unwrap();
    router.clone().oneshot(req).await.unwrap().status()
}

async fn expect_home_within_propagation(router: &Router, cookie: &str, want: StatusCode) {
    eventually_answers("the home page", want, || home_page(router, cookie)).await;
}

#[tokio::test]
async fn a_session_signed_out_or_outdated_through_one_process_ends_on_another_at_once() {
    let app = common::spawn().await;
    let (other, other_store) = common::replica(&app).await;
    wait_until_listening(&[&app.store, &other_store]).await;

    // Signed out through one process: the other, which has the session cached, refuses it.
    let cookie = sign_in(&app.router).await;
    for _ in 0..3 {
        assert_eq!(home_page(&other, &cookie).await, StatusCode::OK);
        assert_eq!(home_page(&app.router, &cookie).await, StatusCode::OK);
    }
    // Deleted behind the store's back (no notification): still served from the cache, which shows
    // this test exercises it.
    sqlx::query("DELETE FROM sessions").execute(app.store.pool()).await.unwrap();
    assert_eq!(home_page(&other, &cookie).await, StatusCode::OK, "served from the cache");
    let req = Request::builder().method("POST").uri("/logout").header("cookie", cookie.as_str()).body(Body::empty()).unwrap();
    assert_eq!(app.router.clone().oneshot(req).await.unwrap().status(), StatusCode::SEE_OTHER);
    expect_home_within_propagation(&other, &cookie, StatusCode::SEE_OTHER).await;
    assert_eq!(home_page(&app.router, &cookie).await, StatusCode::SEE_OTHER);

    // A password changed through one process ends the sessions the other has cached.
    let cookie = sign_in(&app.router).await;
    for _ in 0..3 {
        assert_eq!(home_page(&other, &cookie).await, StatusCode::OK);
    }
    let hash = app::accounts::password::hash_password("a new password 123".to_string()).await.unwrap();
    app.store.set_password_hash(app.owner.id, &hash).await.unwrap();
    expect_home_within_propagation(&other, &cookie, StatusCode::SEE_OTHER).await;
    assert_eq!(home_page(&app.router, &cookie).await, StatusCode::SEE_OTHER);
}
