use axum::extract::Request;
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::error::ApiError;

/// Refuses state-changing requests that a browser sent from another site. The session cookie is
/// SameSite=Lax already; this also checks `Sec-Fetch-Site` (modern browsers) or else `Origin`
/// against the request's own host. Requests with an `Authorization` header carry no ambient
/// credentials and pass. Leptos adds no CSRF protection of its own.
pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    if is_safe(req.method()) || req.headers().contains_key(AUTHORIZATION) {
        return next.run(req).await;
    }
    match cross_site_reason(&req) {
        None => next.run(req).await,
        Some(reason) => ApiError::Forbidden { message: format!("cross-site request refused: {reason}") }.into_response(),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn cross_site_reason(req: &Request) -> Option<String> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return (!matches!(site, "same-origin" | "none")).then(|| format!("Sec-Fetch-Site is {site}"));
    }
    let origin = header(ORIGIN.as_str())?;
    let host = header(HOST.as_str()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
    (origin == "null" || !origin_host.eq_ignore_ascii_case(host)).then(|| format!("Origin {origin} is not this site"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(method: &str, headers: &[(&str, &str)]) -> Request {
        let mut r = Request::builder().method(method).uri("/sfn/record_actual");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_posts_pass_and_cross_site_posts_do_not() {
        let host = ("host", "fundlens.example");
        assert_eq!(cross_site_reason(&request("POST", &[host, ("sec-fetch-site", "same-origin")])), None);
        assert_eq!(cross_site_reason(&request("POST", &[host, ("origin", "https://fundlens.example")])), None);
        assert_eq!(cross_site_reason(&request("POST", &[host])), None, "non-browser clients send neither header");
        assert!(cross_site_reason(&request("POST", &[host, ("sec-fetch-site", "cross-site")])).is_some());
        assert!(cross_site_reason(&request("POST", &[host, ("origin", "https://evil.example")])).is_some());
        assert!(cross_site_reason(&request("POST", &[host, ("origin", "null")])).is_some());
    }
}
