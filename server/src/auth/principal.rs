use std::net::SocketAddr;

use app::accounts::authorize::ClientAddress;
use app::accounts::principal::{Principal, Via};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::Backend;
use crate::api::error::ApiError;
use crate::state::AppState;

pub type AuthSession = axum_login::AuthSession<Backend>;

/// Session key: when the user signed in (unix seconds), for the absolute session limit.
pub const SIGNED_IN_AT: &str = "fundlens.signed_in_at";

/// Works out who is calling and puts it in the request's extensions: an `Authorization: Bearer`
/// token (a bad one is refused here, 401), else the signed-in session (ended when older than
/// SESSION_MAX_AGE_SECS), else nobody. Also records the client's address.
pub async fn resolve_principal(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let address = client_address(&req, state.config.auth.trust_forwarded_for);
    req.extensions_mut().insert(ClientAddress(address));

    if let Some(value) = req.headers().get(AUTHORIZATION) {
        let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) else {
            return ApiError::Unauthorized { message: "Authorization must be \"Bearer <API token>\"".into() }.into_response();
        };
        match state.store.token_owner(token).await {
            Ok(Some(owner)) => {
                req.extensions_mut().insert(Principal { user: owner.user, via: Via::Token { token_id: owner.token_id, max_role: owner.max_role } });
            }
            Ok(None) => return ApiError::Unauthorized { message: "this API token is not valid: it was revoked or mistyped".into() }.into_response(),
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(mut auth) = req.extensions().get::<AuthSession>().cloned() {
        if let Some(account) = auth.user.clone() {
            let session = req.extensions().get::<Session>().cloned();
            let signed_in_at = match &session {
                Some(s) => s.get::<i64>(SIGNED_IN_AT).await.ok().flatten(),
                None => None,
            };
            let max_age = state.config.auth.session_max_age_secs as i64;
            let fresh = signed_in_at.is_some_and(|t| chrono::Utc::now().timestamp() - t < max_age);
            if fresh {
                req.extensions_mut().insert(Principal { user: account.0, via: Via::Session });
            } else if let Err(e) = auth.logout().await {
                tracing::warn!(error = %e, "could not end an expired session");
            }
        }
    }
    next.run(req).await
}

/// The peer's address; behind a trusted proxy, the first X-Forwarded-For entry.
fn client_address(req: &Request, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next()).map(|s| s.trim().to_string()))
        .flatten()
        .filter(|s| !s.is_empty());
    forwarded
        .or_else(|| req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}
