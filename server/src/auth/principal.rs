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
    let address = client_address(&req, state.config.auth.trust_forwarded_for, state.config.auth.trusted_proxy_hops);
    req.extensions_mut().insert(ClientAddress(address));
    // The scraper's bearer is METRICS_TOKEN, not an API token (observability::metrics_endpoint).
    if req.uri().path() == "/metrics" {
        return next.run(req).await;
    }

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

/// The peer's address; behind `hops` trusted proxies (TRUST_FORWARDED_FOR), the X-Forwarded-For
/// entry `hops` places from the right. Each proxy appends the address it received the request
/// from, so entries further left were written by the client and prove nothing. A header with
/// fewer entries than `hops`, or an entry that is not an IP address, falls back to the peer.
fn client_address(req: &Request, trust_forwarded_for: bool, hops: usize) -> String {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let forwarded = trust_forwarded_for.then(|| forwarded_client(req.headers(), hops)).flatten();
    forwarded.or(peer).unwrap_or_else(|| "unknown".into())
}

fn forwarded_client(headers: &axum::http::HeaderMap, hops: usize) -> Option<String> {
    let mut entries: Vec<&str> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        entries.extend(value.to_str().ok()?.split(',').map(str::trim));
    }
    let index = entries.len().checked_sub(hops.max(1))?;
    entries[index].parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;
    use axum::http::HeaderMap;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_entry_the_trusted_hops_from_the_right() {
        let h = headers(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(forwarded_client(&h, 1).as_deref(), Some("203.0.113.7"), "the leftmost entry is the client's own claim");
        assert_eq!(forwarded_client(&h, 2).as_deref(), Some("6.6.6.6"));
        assert_eq!(forwarded_client(&h, 3), None, "fewer entries than hops: the peer address is used");
        assert_eq!(forwarded_client(&headers(&["6.6.6.6", "203.0.113.7"]), 1).as_deref(), Some("203.0.113.7"), "several headers read as one list");
        assert_eq!(forwarded_client(&headers(&["203.0.113.7, not-an-ip"]), 1), None);
    }
}
