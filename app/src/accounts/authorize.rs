//! The access check every server function makes before touching a fund (server side). REST
//! handlers get the same answers from `fund_access`, through the server's route table.

use axum::http::request::Parts;
use axum::http::StatusCode;
use domain::access::Role;
use leptos::prelude::*;
use uuid::Uuid;

use super::principal::Principal;
use crate::server::set_status;
use crate::store::{Store, StoreError};

/// Why a request may not touch a fund.
#[derive(Debug, Clone, PartialEq)]
pub enum AccessDenied {
    /// Nobody is signed in (401).
    Anonymous,
    /// Signed in, but not a member of the fund (403).
    NotMember,
    /// A member whose role is below what the action needs (403).
    RoleTooLow { have: Role, need: Role },
}

impl AccessDenied {
    pub fn status(&self) -> StatusCode {
        match self {
            AccessDenied::Anonymous => StatusCode::UNAUTHORIZED,
            _ => StatusCode::FORBIDDEN,
        }
    }

    pub fn message(&self) -> String {
        match self {
            AccessDenied::Anonymous => "sign in (or send an API token) to continue".into(),
            AccessDenied::NotMember => "you are not a member of this fund".into(),
            AccessDenied::RoleTooLow { have, need } => format!("this needs the {need} role in this fund; you are {have}"),
        }
    }
}

/// The role `principal` may use in the fund, or why not. Unknown funds read as "not a member", so
/// outsiders cannot probe which fund ids exist.
pub async fn fund_access(store: &Store, principal: Option<&Principal>, fund_id: Uuid, need: Role) -> Result<Result<Role, AccessDenied>, StoreError> {
    let Some(principal) = principal else { return Ok(Err(AccessDenied::Anonymous)) };
    let Some(member) = store.member_role(fund_id, principal.user.id).await? else { return Ok(Err(AccessDenied::NotMember)) };
    let have = principal.effective_role(member);
    Ok(if have.allows(need) { Ok(have) } else { Err(AccessDenied::RoleTooLow { have, need }) })
}

/// The principal the server attached to this request (server functions and page renders).
pub fn current_principal() -> Option<Principal> {
    use_context::<Parts>().and_then(|parts| parts.extensions.get::<Principal>().cloned())
}

/// The signed-in principal, or a 401 error.
pub fn require_signed_in() -> Result<Principal, ServerFnError> {
    current_principal().ok_or_else(|| deny(AccessDenied::Anonymous))
}

/// Checks the caller's right to `need` in the fund named by the `fund_id` argument. Errors are
/// 400 for a malformed id, 401 anonymous, 403 otherwise.
/// Returns the fund id, the caller and the role they may use in it.
pub async fn require_fund_role(store: &Store, fund_id: &str, need: Role) -> Result<(Uuid, Principal, Role), ServerFnError> {
    let principal = require_signed_in()?;
    let id = crate::server::parse_uuid("fund_id", fund_id)?;
    match fund_access(store, Some(&principal), id, need).await.map_err(crate::server::to_server_error)? {
        Ok(role) => Ok((id, principal, role)),
        Err(denied) => Err(deny(denied)),
    }
}

fn deny(denied: AccessDenied) -> ServerFnError {
    set_status(denied.status());
    ServerFnError::new(denied.message())
}


/// What events written by a request record about their author: the principal (user, and token),
/// the client address and the user agent. REST handlers and server functions both use this.
pub fn event_metadata_of(parts: &Parts) -> crate::store::EventMetadata {
    let user_agent = parts.headers.get("user-agent").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect::<String>());
    let address = parts.extensions.get::<ClientAddress>().map(|a| a.0.clone());
    let actor = parts.extensions.get::<Principal>().map(Principal::actor);
    crate::store::EventMetadata { actor, address, user_agent, ..Default::default() }
}

/// `event_metadata_of` for the request this server function serves.
pub fn event_metadata() -> crate::store::EventMetadata {
    use_context::<Parts>().map(|parts| event_metadata_of(&parts)).unwrap_or_default()
}

/// Who is making a change, for the audit trail (`store::audit`): the principal (user, and token)
/// and the client address. REST handlers and server functions both use this.
pub fn audit_actor_of(parts: &Parts) -> crate::store::AuditActor {
    let principal = parts.extensions.get::<Principal>();
    crate::store::AuditActor {
        user_id: principal.map(|p| p.user.id),
        token_id: principal.and_then(|p| match p.via {
            super::principal::Via::Token { token_id, .. } => Some(token_id),
            super::principal::Via::Session => None,
        }),
        address: parts.extensions.get::<ClientAddress>().map(|a| a.0.clone()),
    }
}

/// `audit_actor_of` for the request this server function serves.
pub fn audit_actor() -> crate::store::AuditActor {
    use_context::<Parts>().map(|parts| audit_actor_of(&parts)).unwrap_or_default()
}

/// The client's address as the server determined it (peer address, or X-Forwarded-For behind a
/// trusted proxy), attached to each request.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientAddress(pub String);

/// A signed-in browser session (not an API token), or a 401/403 error.
pub fn require_session() -> Result<Principal, ServerFnError> {
    let principal = require_signed_in()?;
    if principal.via != super::principal::Via::Session {
        set_status(StatusCode::FORBIDDEN);
        return Err(ServerFnError::new("API tokens can only be managed from a signed-in browser session"));
    }
    Ok(principal)
}
