use domain::access::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use serde_json::json;

use crate::store::audit::{self, AuditAction, AuditActor, AuditNote, AuditScope};
use crate::store::funds::bump_revision;
use crate::store::{Store, StoreError};

/// A user's role in a fund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub role: Role,
}

impl Store {
    /// Grants `role` in the fund (replacing any earlier role). Every server process forgets its
    /// cached role for the user when this commits (`access_cache`).
    pub async fn grant_role(&self, actor: &AuditActor, fund_id: Uuid, user_id: Uuid, role: Role) -> Result<(), StoreError> {
        self.fund_version(fund_id).await?;
        let mut tx = self.pool.begin().await?;
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *tx).await?;
        let Some(email) = email else {
            return Err(StoreError::invalid("user", format!("no user {user_id}")));
        };
        let before: Option<String> = sqlx::query_scalar("SELECT role FROM fund_members WHERE fund_id = $1 AND user_id = $2 FOR UPDATE")
            .bind(fund_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if before.as_deref() == Some(Role::Admin.as_str()) && role != Role::Admin && last_admin(&mut tx, fund_id).await? {
            return Err(StoreError::invalid("role", format!("{email} is the fund's only admin: make someone else admin first")));
        }
        sqlx::query(
            "INSERT INTO fund_members (fund_id, user_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (fund_id, user_id) DO UPDATE SET role = EXCLUDED.role, granted_at = now()",
        )
        .bind(fund_id)
        .bind(user_id)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.constraint() == Some("fund_members_user_id_fkey") => StoreError::invalid("user", format!("no user {user_id}")),
            _ => StoreError::Database(e),
        })?;
        let summary = match &before {
            Some(old) if old == role.as_str() => format!("confirmed {email} as {role}"),
            Some(old) => format!("changed {email} from {old} to {role}"),
            None => format!("added {email} as {role}"),
        };
        let note = AuditNote {
            scope: AuditScope::Fund(fund_id),
            action: AuditAction::MemberRole,
            subject: user_id.to_string(),
            summary,
            detail: json!({ "email": email, "role": role.as_str(), "previous_role": before }),
        };
        audit::record(&mut tx, actor, note).await?;
        // Cached pages show what a role offers.
        bump_revision(&mut tx, fund_id).await?;
        self.commit_access_change(tx, user_id).await
    }

    /// [`Self::grant_role`] for the account with this e-mail, which must exist.
    pub async fn grant_role_by_email(&self, actor: &AuditActor, fund_id: Uuid, email: &str, role: Role) -> Result<(), StoreError> {
        let email = email.trim();
        if email.is_empty() || email.chars().count() > 254 || email.chars().any(char::is_control) {
            return Err(StoreError::invalid("email", "give the e-mail of an existing account"));
        }
        let Some(user) = self.user_by_email(email).await? else {
            return Err(StoreError::invalid("email", format!("no account for {email} (an administrator creates accounts with `server admin create-user`)")));
        };
        self.grant_role(actor, fund_id, user.id, role).await
    }

    /// Removes a member. An admin cannot remove themselves (another admin must), and the fund
    /// always keeps one admin.
    pub async fn remove_member(&self, actor: &AuditActor, fund_id: Uuid, user_id: Uuid) -> Result<(), StoreError> {
        if actor.user_id == Some(user_id) {
            return Err(StoreError::invalid("user_id", "you cannot remove yourself; ask another admin"));
        }
        let mut tx = self.pool.begin().await?;
        // Locks the fund's admins, so two removals at once cannot leave none.
        let only_admin = last_admin(&mut tx, fund_id).await?;
        let removed = sqlx::query(
            "DELETE FROM fund_members m USING users u WHERE m.fund_id = $1 AND m.user_id = $2 AND u.id = m.user_id RETURNING u.email, m.role",
        )
        .bind(fund_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(removed) = removed else {
            return Err(StoreError::invalid("user_id", format!("{user_id} is not a member of this fund")));
        };
        let email: String = removed.try_get("email")?;
        let role: String = removed.try_get("role")?;
        if role == Role::Admin.as_str() && only_admin {
            return Err(StoreError::invalid("user_id", format!("{email} is the fund's only admin: make someone else admin first")));
        }
        let note = AuditNote {
            scope: AuditScope::Fund(fund_id),
            action: AuditAction::MemberRemove,
            subject: user_id.to_string(),
            summary: format!("removed {email} ({role}) from the fund"),
            detail: json!({ "email": email, "previous_role": role }),
        };
        audit::record(&mut tx, actor, note).await?;
        bump_revision(&mut tx, fund_id).await?;
        self.commit_access_change(tx, user_id).await
    }

    /// The user's role in the fund, if they are a member; from this process's access cache when
    /// it has the answer (see `access_cache`).
    pub async fn member_role(&self, fund_id: Uuid, user_id: Uuid) -> Result<Option<Role>, StoreError> {
        if let Some(role) = self.access.role(user_id, fund_id) {
            return Ok(role);
        }
        let generation = self.access.start_lookup();
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM fund_members WHERE fund_id = $1 AND user_id = $2")
            .bind(fund_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let role = role.map(|r| r.parse::<Role>().map_err(StoreError::Corrupt)).transpose()?;
        if let Some(generation) = generation {
            self.access.keep_role(user_id, fund_id, role, generation);
        }
        Ok(role)
    }

    pub async fn members(&self, fund_id: Uuid) -> Result<Vec<Member>, StoreError> {
        let rows = sqlx::query("SELECT m.user_id, u.email, m.role FROM fund_members m JOIN users u ON u.id = m.user_id WHERE m.fund_id = $1 ORDER BY u.email")
            .bind(fund_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(Member { user_id: r.try_get("user_id")?, email: r.try_get("email")?, role: r.try_get::<String, _>("role")?.parse().map_err(StoreError::Corrupt)? }))
            .collect()
    }

    /// The ids of the funds the user belongs to.
    pub async fn member_fund_ids(&self, user_id: Uuid) -> Result<std::sync::Arc<Vec<Uuid>>, StoreError> {
        if let Some(funds) = self.access.memberships(user_id) {
            return Ok(funds);
        }
        let generation = self.access.start_lookup();
        let funds: std::sync::Arc<Vec<Uuid>> =
            std::sync::Arc::new(sqlx::query_scalar("SELECT fund_id FROM fund_members WHERE user_id = $1").bind(user_id).fetch_all(&self.pool).await?);
        if let Some(generation) = generation {
            self.access.keep_memberships(user_id, funds.clone(), generation);
        }
        Ok(funds)
    }

}

/// Whether the fund has exactly one admin, with its admins locked until the transaction ends (so
/// two demotions at once cannot leave none).
async fn last_admin(conn: &mut sqlx::PgConnection, fund_id: Uuid) -> Result<bool, StoreError> {
    let admins: Vec<Uuid> = sqlx::query_scalar("SELECT user_id FROM fund_members WHERE fund_id = $1 AND role = 'admin' FOR UPDATE")
        .bind(fund_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(admins.len() <= 1)
}
