//! The audit trail (issue 12, #14): who created or revoked API tokens and share links, changed
//! roles, notification settings or alert rules, or resolved an alert, with the time and the
//! client's address. Each entry is written in the transaction of the change it records, so a
//! change without its entry (or an entry without its change) cannot be committed.

use serde_json::Value;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::{Store, StoreError};
use crate::accounts::page_data::AuditEntry;

/// Who made a change: the user (and the API token they used), and their address. Changes made
/// from the command line (admin CLI, demo seeding) have neither.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditActor {
    pub user_id: Option<Uuid>,
    pub token_id: Option<Uuid>,
    pub address: Option<String>,
}

impl AuditActor {
    /// A change made on this machine's command line.
    pub fn command_line() -> Self {
        AuditActor::default()
    }
}

/// What was changed. The strings are stored; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    ApiTokenCreate,
    ApiTokenRevoke,
    ShareLinkCreate,
    ShareLinkRevoke,
    MemberRole,
    MemberRemove,
    NotificationSettings,
    AlertRuleCreate,
    AlertRuleUpdate,
    AlertRuleDelete,
    AlertResolve,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::ApiTokenCreate => "api_token.create",
            AuditAction::ApiTokenRevoke => "api_token.revoke",
            AuditAction::ShareLinkCreate => "share_link.create",
            AuditAction::ShareLinkRevoke => "share_link.revoke",
            AuditAction::MemberRole => "member.role",
            AuditAction::MemberRemove => "member.remove",
            AuditAction::NotificationSettings => "notification_settings.update",
            AuditAction::AlertRuleCreate => "alert_rule.create",
            AuditAction::AlertRuleUpdate => "alert_rule.update",
            AuditAction::AlertRuleDelete => "alert_rule.delete",
            AuditAction::AlertResolve => "alert.resolve",
        }
    }
}

/// Where a change belongs.
pub(crate) enum AuditScope {
    Fund(Uuid),
    /// A user's own API tokens, which belong to no fund.
    Account(Uuid),
}

/// One change to record.
pub(crate) struct AuditNote {
    /// Where the change belongs: a fund, or a user's account (their API tokens).
    pub scope: AuditScope,
    pub action: AuditAction,
    /// The id of what changed.
    pub subject: String,
    /// What happened, in words.
    pub summary: String,
    pub detail: Value,
}

/// Longest address kept (an IPv6 address is at most 45 characters).
const MAX_ADDRESS_CHARS: usize = 64;

/// Most entries one page of the trail shows.
pub const MAX_AUDIT_LIMIT: u32 = 500;

/// Records `note` as done by `actor`, on `conn` (the change's own transaction).
pub(crate) async fn record(conn: &mut PgConnection, actor: &AuditActor, note: AuditNote) -> Result<(), StoreError> {
    let (fund_id, account_id) = match note.scope {
        AuditScope::Fund(id) => (Some(id), None),
        AuditScope::Account(id) => (None, Some(id)),
    };
    let address = actor.address.as_deref().map(|a| a.chars().take(MAX_ADDRESS_CHARS).collect::<String>());
    sqlx::query(
        "INSERT INTO audit_log (fund_id, account_id, actor_user_id, actor_token_id, address, action, subject, summary, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(fund_id)
    .bind(account_id)
    .bind(actor.user_id)
    .bind(actor.token_id)
    .bind(address)
    .bind(note.action.as_str())
    .bind(note.subject)
    .bind(note.summary)
    .bind(note.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records `note`, a change to one fund, marks the fund's pages changed and commits: the change,
/// its entry and the revision bump land together.
pub(crate) async fn commit_fund_change(mut tx: sqlx::Transaction<'_, sqlx::Postgres>, actor: &AuditActor, fund_id: Uuid, note: AuditNote) -> Result<(), StoreError> {
    record(&mut tx, actor, note).await?;
    super::funds::bump_revision(&mut tx, fund_id).await?;
    tx.commit().await?;
    Ok(())
}

impl Store {
    /// The fund's audit trail, newest first: its own entries and the API-token entries of its
    /// current members (a member's token acts on the fund). `before`: only entries older than
    /// this entry id (the next page); `limit`: 1 to [`MAX_AUDIT_LIMIT`].
    pub async fn audit_entries(&self, fund_id: Uuid, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        if !(1..=MAX_AUDIT_LIMIT).contains(&limit) {
            return Err(StoreError::invalid("limit", format!("{limit} is not between 1 and {MAX_AUDIT_LIMIT}")));
        }
        self.fund_version(fund_id).await?;
        let rows = sqlx::query(
            "SELECT a.id, a.at, a.action, a.subject, a.summary, a.address, a.actor_token_id, u.email AS actor_email
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
             WHERE (a.fund_id = $1
                    OR (a.fund_id IS NULL AND a.account_id IN (SELECT user_id FROM fund_members WHERE fund_id = $1)))
               AND ($2::bigint IS NULL OR a.id < $2)
             ORDER BY a.id DESC
             LIMIT $3",
        )
        .bind(fund_id)
        .bind(before)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                    summary: r.try_get("summary")?,
                    actor: r.try_get("actor_email")?,
                    via_token: r.try_get("actor_token_id")?,
                    address: r.try_get("address")?,
                })
            })
            .collect()
    }
}
