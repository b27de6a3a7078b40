use domain::access::Role;
use uuid::Uuid;

use crate::store::accounts::User;

/// Who is making a request: a signed-in user, or a user's API token (capped at its role). The
/// server puts it into the request's extensions; no principal means anonymous.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user: User,
    pub via: Via,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    Session,
    Token { token_id: Uuid, max_role: Role },
}

impl Principal {
    /// The role this request may use in a fund where the user holds `member_role`.
    pub fn effective_role(&self, member_role: Role) -> Role {
        match self.via {
            Via::Session => member_role,
            Via::Token { max_role, .. } => member_role.min(max_role),
        }
    }

    /// What events record as their author.
    pub fn actor(&self) -> String {
        match self.via {
            Via::Session => self.user.email.clone(),
            Via::Token { token_id, .. } => format!("{} (API token {token_id})", self.user.email),
        }
    }
}
