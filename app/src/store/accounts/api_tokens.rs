use chrono::{DateTime, Utc};
use domain::access::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use super::User;
use crate::store::audit::{self, AuditAction, AuditActor, AuditNote, AuditScope};
use crate::store::{Store, StoreError};

/// What a user sees about one of their tokens (never the token itself after creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: Uuid,
    pub name: String,
    pub max_role: Role,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// After this the token answers 401; `None`: it does not expire.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Who a presented token acts for.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenOwner {
    pub token_id: Uuid,
    pub user: User,
    pub max_role: Role,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Longest lifetime a token can be given, in days.
pub const MAX_TOKEN_DAYS: u32 = 3_650;

/// Tokens start with this, so they are recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "flt_";

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

impl Store {
    /// Creates a token for the user from the command line (`mint-token`). Returns it in clear
    /// exactly once; only its hash is stored.
    pub async fn create_api_token(&self, user_id: Uuid, name: &str, max_role: Role) -> Result<(ApiTokenInfo, String), StoreError> {
        self.create_expiring_api_token(&AuditActor::command_line(), user_id, name, max_role, None).await
    }

    /// The same, by `actor`, expiring `expires_in_days` days from now (1 to [`MAX_TOKEN_DAYS`]).
    pub async fn create_expiring_api_token(
        &self,
        actor: &AuditActor,
        user_id: Uuid,
        name: &str,
        max_role: Role,
        expires_in_days: Option<u32>,
    ) -> Result<(ApiTokenInfo, String), StoreError> {
        if let Some(days) = expires_in_days {
            if !(1..=MAX_TOKEN_DAYS).contains(&days) {
                return Err(StoreError::invalid("expires_in_days", format!("{days} is not between 1 and {MAX_TOKEN_DAYS}")));
            }
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid("name", "give the token a name of 1 to 100 characters"));
        }
        let token = new_token()?;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, max_role, expires_at)
             VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
             RETURNING id, name, max_role, created_at, last_used_at, revoked_at, expires_at",
        )
        .bind(Uuid::new_v4())
        .bind(user_id)
        .bind(name)
        .bind(token_hash(&token))
        .bind(max_role.as_str())
        .bind(expires_in_days.map(|d| d as i32))
        .fetch_one(&mut *tx)
        .await?;
        let info = info_from_row(&row)?;
        let expiry = match info.expires_at {
            Some(at) => format!("expiring {}", at.format("%Y-%m-%d")),
            None => "never expiring".into(),
        };
        let note = AuditNote {
            scope: AuditScope::Account(user_id),
            action: AuditAction::ApiTokenCreate,
            subject: info.id.to_string(),
            summary: format!("created API token {:?} (capped at {max_role}, {expiry})", info.name),
            detail: json!({ "user_id": user_id, "name": info.name, "max_role": max_role.as_str(), "expires_at": info.expires_at }),
        };
        audit::record(&mut tx, actor, note).await?;
        tx.commit().await?;
        Ok((info, token))
    }

    pub async fn api_tokens(&self, user_id: Uuid) -> Result<Vec<ApiTokenInfo>, StoreError> {
        let rows = sqlx::query("SELECT id, name, max_role, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(info_from_row).collect()
    }

    /// Revokes one of the user's tokens; another user's token is "not found". Every server
    /// process forgets its cached answer for the token when this commits (`access_cache`).
    pub async fn revoke_api_token(&self, actor: &AuditActor, user_id: Uuid, token_id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2 RETURNING name",
        )
        .bind(token_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(name) = name else {
            return Err(StoreError::invalid("token_id", format!("you have no token {token_id}")));
        };
        let note = AuditNote {
            scope: AuditScope::Account(user_id),
            action: AuditAction::ApiTokenRevoke,
            subject: token_id.to_string(),
            summary: format!("revoked API token {name:?}"),
            detail: json!({ "user_id": user_id, "name": name }),
        };
        audit::record(&mut tx, actor, note).await?;
        self.commit_access_change(tx, user_id).await
    }

    /// The owner of a live (unrevoked, unexpired) token, from this process's access cache when it
    /// has the answer (see `access_cache`; a cached answer is dropped once the token expires).
    pub async fn token_owner(&self, token: &str) -> Result<Option<TokenOwner>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = token_hash(token);
        if let Some(owner) = self.access.token(&hash) {
            if owner.expires_at.is_none_or(|e| e > Utc::now()) {
                return Ok(Some(owner));
            }
            return Ok(None);
        }
        let generation = self.access.start_lookup();
        let owner = self.token_owner_uncached(&hash).await?;
        if let (Some(owner), Some(generation)) = (&owner, generation) {
            self.access.keep_token(hash, owner.clone(), generation);
        }
        Ok(owner)
    }

    /// The owner of a live token, from the database. Marks the token used at most once a minute,
    /// so busy integrations do not queue on its row; cached answers expire after a minute, so
    /// `last_used_at` lags real use by at most about two minutes.
    async fn token_owner_uncached(&self, hash: &[u8]) -> Result<Option<TokenOwner>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id AS token_id, t.max_role, t.expires_at, t.last_used_at > now() - interval '1 minute' AS recently_used,
                    u.id, u.email, u.created_at, u.session_epoch
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id: Uuid = row.try_get("token_id")?;
        if !row.try_get::<Option<bool>, _>("recently_used")?.unwrap_or(false) {
            sqlx::query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1").bind(token_id).execute(&self.pool).await?;
        }
        Ok(Some(TokenOwner {
            token_id,
            max_role: row.try_get::<String, _>("max_role")?.parse().map_err(StoreError::Corrupt)?,
            expires_at: row.try_get("expires_at")?,
            user: User { id: row.try_get("id")?, email: row.try_get("email")?, created_at: row.try_get("created_at")?, session_epoch: row.try_get("session_epoch")? },
        }))
    }
}

fn info_from_row(row: &sqlx::postgres::PgRow) -> Result<ApiTokenInfo, StoreError> {
    Ok(ApiTokenInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        max_role: row.try_get::<String, _>("max_role")?.parse().map_err(StoreError::Corrupt)?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}
