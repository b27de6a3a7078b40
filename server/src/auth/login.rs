//! `POST /login` and `POST /logout`: plain form posts, so signing in works without JavaScript.
//! The form itself is the Leptos page `/login`, which shows the `error` this redirects with.

use app::accounts::authorize::ClientAddress;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tower_sessions::Session;

use super::backend::{Credentials, LoginError};
use super::principal::{AuthSession, SIGNED_IN_AT};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// Signs in and goes to `next` (a local path) or home; on failure back to the form with a reason.
/// axum-login gives the session a new id on sign-in (no session fixation).
pub async fn login(mut auth: AuthSession, session: Session, req: Request) -> Response {
    let address = req.extensions().get::<ClientAddress>().map(|a| a.0.clone()).unwrap_or_else(|| "unknown".into());
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &()).await else {
        return back("The sign-in form was incomplete.", "", None);
    };
    let next = form.next.filter(|n| is_local_path(n));
    if form.email.trim().is_empty() || form.password.is_empty() {
        return back("Enter your e-mail and password.", &form.email, next.as_deref());
    }
    let creds = Credentials { email: form.email.clone(), password: form.password, address };
    match auth.authenticate(creds).await {
        Ok(Some(account)) => {
            if let Err(e) = auth.login(&account).await {
                tracing::error!(error = %e, "could not start a session");
                return back("Signing in failed on our side; it has been logged. Please try again.", &form.email, next.as_deref());
            }
            if let Err(e) = session.insert(SIGNED_IN_AT, chrono::Utc::now().timestamp()).await {
                tracing::error!(error = %e, "could not stamp the session");
            }
            tracing::info!(user_id = %account.0.id, "signed in");
            Redirect::to(next.as_deref().unwrap_or("/")).into_response()
        }
        Ok(None) => back("Wrong e-mail or password.", &form.email, next.as_deref()),
        Err(axum_login::Error::Backend(e @ (LoginError::AccountLocked(_) | LoginError::AddressLocked(_)))) => back(&e.to_string(), &form.email, next.as_deref()),
        Err(axum_login::Error::Backend(e @ LoginError::Busy)) => {
            metrics::counter!("login_busy_total").increment(1);
            (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")], e.to_string()).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            back("Signing in failed on our side; it has been logged. Please try again.", &form.email, next.as_deref())
        }
    }
}

/// Ends the session (the cookie's session is deleted from the database) and shows the form.
pub async fn logout(mut auth: AuthSession) -> Response {
    if let Err(e) = auth.logout().await {
        tracing::warn!(error = %e, "sign-out failed");
    }
    Redirect::to("/login?signed_out=1").into_response()
}

/// Only same-origin paths, so the form cannot be used to bounce users to another site: `/`
/// followed by anything but `/` or `\\` (which browsers read as the start of a host), and no
/// backslash or control character anywhere (browsers drop tabs and newlines, so `/\t/evil` would
/// become `//evil`, and read `\\` as `/`).
fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !matches!(next.as_bytes().get(1), Some(b'/' | b'\\'))
        && !next.chars().any(|c| c.is_control() || c == '\\')
}

fn back(error: &str, email: &str, next: Option<&str>) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("error", error);
    if !email.trim().is_empty() {
        query.append_pair("email", email.trim());
    }
    if let Some(next) = next {
        query.append_pair("next", next);
    }
    Redirect::to(&format!("/login?{}", query.finish())).into_response()
}



#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert!(is_local_path("/funds/1/overview?at=2024-01-01"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("/\t/evil.example"));
        assert!(!is_local_path("/\n/evil.example"));
        assert!(!is_local_path("/funds\\..\\x"));
        assert!(!is_local_path("evil.example"));
        assert!(!is_local_path(""));
        assert!(is_local_path("/"));
    }
}
