use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use crate::store::{Store, StoreError};

/// A person who signs in. The password hash never leaves the store except for verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub created_at: DateTime<Utc>,
    /// Changes with the password, so sessions made before a change end.
    pub session_epoch: Uuid,
}

/// The canonical form of an e-mail address, or an error naming the field.
pub fn normalize_email(raw: &str) -> Result<String, StoreError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(StoreError::invalid("email", format!("{raw:?} is not an e-mail address")))
    }
}

impl Store {
    /// Creates a user with an already-computed password hash. A taken address is refused by name.
    pub async fn create_user(&self, email: &str, password_hash: &str) -> Result<User, StoreError> {
        let email = normalize_email(email)?;
        let row = sqlx::query(
            "INSERT INTO users (id, email, password_hash, session_epoch) VALUES ($1, $2, $3, $4)
             ON CONFLICT (email) DO NOTHING
             RETURNING id, email, created_at, session_epoch",
        )
        .bind(Uuid::new_v4())
        .bind(&email)
        .bind(password_hash)
        .bind(Uuid::new_v4())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::invalid("email", format!("{email} already has an account")))?;
        user_from_row(&row)
    }

    /// The user, from this process's access cache when it is current (see `access_cache`).
    pub async fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.access.user(id) {
            return Ok(Some(user));
        }
        let generation = self.access.start_lookup();
        let row = sqlx::query("SELECT id, email, created_at, session_epoch FROM users WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        let user = row.as_ref().map(user_from_row).transpose()?;
        if let (Some(user), Some(generation)) = (&user, generation) {
            self.access.keep_user(user.clone(), generation);
        }
        Ok(user)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, email, created_at, session_epoch FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// The user and their password hash, for verifying a login.
    pub async fn user_with_password_hash(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query("SELECT id, email, created_at, session_epoch, password_hash FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("password_hash")?))),
            None => Ok(None),
        }
    }

    /// Sets a new password hash, ends every session made with the old password and revokes the
    /// user's API tokens (a changed password often means a leaked one, and a token minted by
    /// whoever had it must stop too); every server process forgets what it cached about the user
    /// (`access_cache`).
    pub async fn set_password_hash(&self, user_id: Uuid, password_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $2, session_epoch = $3 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .bind(Uuid::new_v4())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::invalid("user", format!("no user {user_id}")));
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL").bind(user_id).execute(&mut *tx).await?;
        self.commit_access_change(tx, user_id).await
    }
}

fn user_from_row(row: &sqlx::postgres::PgRow) -> Result<User, StoreError> {
    Ok(User { id: row.try_get("id")?, email: row.try_get("email")?, created_at: row.try_get("created_at")?, session_epoch: row.try_get("session_epoch")? })
}

#[cfg(test)]
mod tests {
    use super::normalize_email;

    #[test]
    fn emails_are_trimmed_and_lower_cased_and_checked() {
        assert_eq!(normalize_email("  Ana@Fund.COM ").unwrap(), "ana@fund.com");
        for bad in ["", "ana", "@fund.com", "ana@fund", "ana @fund.com", "ana@.com"] {
            assert!(normalize_email(bad).unwrap_err().to_string().starts_with("email:"), "{bad}");
        }
    }
}
