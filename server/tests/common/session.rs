//! Requests as a browser makes them: the sign-in form, a session cookie, raw answers.

use axum::http::StatusCode;

use super::TestApp;

/// Sends a request through the router; the status, headers and body text.
pub async fn raw(app: &TestApp, req: axum::http::Request<axum::body::Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    // A request that never answers fails the test with its URI instead of hanging the run.
    let uri = req.uri().to_string();
    let limit = std::time::Duration::from_secs(30);
    let res = tokio::time::timeout(limit, app.router.clone().oneshot(req)).await.unwrap_or_else(|_| panic!("{uri}: no answer within 30 s")).unwrap();
    let (parts, body) = res.into_parts();
    let bytes = tokio::time::timeout(limit, body.collect()).await.unwrap_or_else(|_| panic!("{uri}: body not complete within 30 s")).unwrap().to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// Posts the sign-in form; the answer's status and headers.
pub async fn post_login(app: &TestApp, email: &str, password: &str, next: &str) -> (StatusCode, axum::http::HeaderMap) {
    let form = form_urlencoded::Serializer::new(String::new()).append_pair("email", email).append_pair("password", password).append_pair("next", next).finish();
    let req = axum::http::Request::post("/login").header("content-type", "application/x-www-form-urlencoded").body(axum::body::Body::from(form)).unwrap();
    let (s, h, _) = raw(app, req).await;
    (s, h)
}

/// Signs in and returns the session cookie (`name=value`).
pub async fn session_cookie(app: &TestApp, email: &str, password: &str) -> Option<String> {
    let (_, headers) = post_login(app, email, password, "/").await;
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("fundlens_session=") && !c.starts_with("fundlens_session=;"))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
}
