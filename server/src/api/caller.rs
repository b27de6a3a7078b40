use app::accounts::authorize::{audit_actor_of, event_metadata_of};
use app::accounts::principal::Principal;
use app::store::{AuditActor, EventMetadata};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;

/// Who is calling, recorded with every event they write: the user (and token), their address and
/// user agent.
pub struct Caller(pub EventMetadata);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller(event_metadata_of(parts)))
    }
}

/// Who is making a change, for the audit trail: the user (and token) and their address.
pub struct Actor(pub AuditActor);

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Actor(audit_actor_of(parts)))
    }
}

/// The signed-in caller (session or API token); 401 without one. Route access is checked before
/// handlers run (`auth::access`); this gives handlers the identity.
pub struct SignedIn(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().map(SignedIn).ok_or_else(|| ApiError::Unauthorized { message: "sign in (or send an API token) to continue".into() })
    }
}
