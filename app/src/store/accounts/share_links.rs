use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use serde_json::json;

use crate::store::audit::{self, AuditAction, AuditActor, AuditNote, AuditScope};
use crate::store::{Store, StoreError};

/// A shared, read-only view of one hub tab at fixed dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareLink {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub tab: String,
    pub as_of: NaiveDate,
    pub known_at: Option<DateTime<Utc>>,
    pub created_by_email: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub const SHARE_TABS: [&str; 4] = ["overview", "time-machine", "variance", "reserves"];

const SELECT: &str = "SELECT s.id, s.fund_id, s.tab, s.as_of, s.known_at, u.email AS created_by_email, s.created_at, s.expires_at, s.revoked_at
                      FROM share_links s JOIN users u ON u.id = s.created_by";

impl Store {
    pub async fn create_share_link(
        &self,
        actor: &AuditActor,
        fund_id: Uuid,
        tab: &str,
        as_of: NaiveDate,
        known_at: Option<DateTime<Utc>>,
        created_by: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<ShareLink, StoreError> {
        if !SHARE_TABS.contains(&tab) {
            return Err(StoreError::invalid("tab", format!("{tab:?} is not a tab ({})", SHARE_TABS.join(", "))));
        }
        if expires_at <= Utc::now() {
            return Err(StoreError::invalid("expires_in_days", "the link must expire in the future"));
        }
        self.fund_version(fund_id).await?;
        let id = Uuid::new_v4();
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO share_links (id, fund_id, tab, as_of, known_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(fund_id)
            .bind(tab)
            .bind(as_of)
            .bind(known_at)
            .bind(created_by)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        let known = known_at.map(|k| format!(", as known at {}", k.format("%Y-%m-%d"))).unwrap_or_default();
        let note = AuditNote {
            scope: AuditScope::Fund(fund_id),
            action: AuditAction::ShareLinkCreate,
            subject: id.to_string(),
            summary: format!("shared the {tab} tab at {as_of}{known}, until {}", expires_at.format("%Y-%m-%d %H:%M UTC")),
            detail: json!({ "tab": tab, "as_of": as_of, "known_at": known_at, "expires_at": expires_at }),
        };
        // The hub pages list the fund's links: cached copies must not show the old list.
        audit::commit_fund_change(tx, actor, fund_id, note).await?;
        self.share_link(id).await?.ok_or_else(|| StoreError::Corrupt(format!("share link {id} vanished")))
    }

    pub async fn share_link(&self, id: Uuid) -> Result<Option<ShareLink>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE s.id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(link_from_row).transpose()
    }

    /// The fund's links, newest first (revoked and expired ones included; whether a link has
    /// expired is decided when it is shown). Kept per (fund, revision), which creating or revoking
    /// a link bumps.
    pub async fn share_links(&self, fund_id: Uuid) -> Result<std::sync::Arc<Vec<ShareLink>>, StoreError> {
        let key = (fund_id, self.fund_head(fund_id).await?.revision);
        crate::store::kept(&self.caches.share_links, key, async {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE s.fund_id = $1 ORDER BY s.created_at DESC LIMIT 200")))
                .bind(fund_id)
                .fetch_all(&self.pool)
                .await?;
            Ok(std::sync::Arc::new(rows.iter().map(link_from_row).collect::<Result<Vec<_>, _>>()?))
        })
        .await
    }

    /// Revokes a link of this fund; a link of another fund is "not found".
    pub async fn revoke_share_link(&self, actor: &AuditActor, fund_id: Uuid, link_id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let tab: Option<String> = sqlx::query_scalar(
            "UPDATE share_links SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $3)
             WHERE id = $1 AND fund_id = $2 RETURNING tab",
        )
        .bind(link_id)
        .bind(fund_id)
        .bind(actor.user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(tab) = tab else {
            return Err(StoreError::invalid("link_id", format!("this fund has no share link {link_id}")));
        };
        let note = AuditNote {
            scope: AuditScope::Fund(fund_id),
            action: AuditAction::ShareLinkRevoke,
            subject: link_id.to_string(),
            summary: format!("revoked a share link to the {tab} tab"),
            detail: json!({ "tab": tab }),
        };
        audit::commit_fund_change(tx, actor, fund_id, note).await
    }
}

fn link_from_row(row: &sqlx::postgres::PgRow) -> Result<ShareLink, StoreError> {
    Ok(ShareLink {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        tab: row.try_get("tab")?,
        as_of: row.try_get("as_of")?,
        known_at: row.try_get("known_at")?,
        created_by_email: row.try_get("created_by_email")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}
