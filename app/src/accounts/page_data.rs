//! What the accounts and sharing server functions send to the browser.

use chrono::{DateTime, NaiveDate, Utc};
use domain::access::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::time_machine::page_data::DatedView;
use crate::variance::page_data::VarianceView;

/// Shortest password accepted (a new account, a changed password).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The signed-in user, for the top bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub email: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkStatus {
    Active,
    Expired,
    Revoked,
}

/// A share link as its fund's members see it, with its URL (path) while it is active.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareLinkRow {
    pub id: Uuid,
    pub tab: String,
    pub at: NaiveDate,
    pub known_at: Option<NaiveDate>,
    pub path: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub status: LinkStatus,
}

/// One tab of a fund, frozen at the shared dates, for readers without an account (who do not
/// learn who shared it: members' e-mail addresses stay inside the fund).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedReport {
    pub fund_name: String,
    pub tab: String,
    pub at: NaiveDate,
    pub known_at: Option<NaiveDate>,
    pub expires_at: DateTime<Utc>,
    pub dated: Option<DatedView>,
    pub variance: Option<VarianceView>,
    pub reserves: Option<crate::reserves::page_data::ReservesPageData>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub name: String,
    pub max_role: Role,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new token: shown once, never again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: String,
    pub info: ApiTokenRow,
}

/// A member of a fund, as its admins see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    /// The admin looking at the list.
    pub you: bool,
}

/// Entries per page of the audit trail when none is asked for.
pub const DEFAULT_AUDIT_LIMIT: u32 = 100;

/// One entry of a fund's audit trail, as its admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// e.g. `share_link.create` (`store::audit::AuditAction`).
    pub action: String,
    /// The id of what changed.
    pub subject: String,
    pub summary: String,
    /// The user's e-mail; `None`: the command line.
    pub actor: Option<String>,
    /// The API token the user acted with, if not a browser session.
    pub via_token: Option<Uuid>,
    pub address: Option<String>,
}
