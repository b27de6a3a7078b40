use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use crate::store::{Store, StoreError};

/// Failed-login limits, counted in PostgreSQL so every server process sees the same counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoginThrottle {
    /// Failures for one account within `window` before it is locked.
    pub per_account: i64,
    /// Failures from one address within `window` before it is refused.
    pub per_address: i64,
    pub window: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle { per_account: 5, per_address: 30, window: Duration::minutes(15) }
    }
}

/// Why a login attempt is refused before the password is checked, and until when.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginBlock {
    Account { until: DateTime<Utc> },
    Address { until: DateTime<Utc> },
}

impl Store {
    /// Counts a sign-in attempt before its password is checked: unless the account or the address
    /// has reached its limit, records the attempt as a failure (a successful sign-in then clears
    /// the account's failures) and answers `None`; otherwise answers the block and records nothing.
    ///
    /// Attempts for one account or one address are serialised by transaction-scoped advisory
    /// locks, taken before the counting statement reads (in READ COMMITTED each statement sees
    /// what committed before it began): N parallel attempts cannot all pass a check that none of
    /// them has been counted in yet.
    pub async fn count_login_attempt(&self, email: &str, address: &str, limits: LoginThrottle) -> Result<Option<LoginBlock>, StoreError> {
        let email = email.trim().to_lowercase();
        let since = Utc::now() - limits.window;
        let mut tx = self.pool.begin().await?;
        // Always account before address, so two attempts never wait for each other in a cycle.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('fundlens.login.account:' || $1, 0)), pg_advisory_xact_lock(hashtextextended('fundlens.login.address:' || $2, 0))")
            .bind(&email)
            .bind(address)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "WITH counts AS (
                 SELECT (SELECT count(*) FROM login_failures WHERE email = $1 AND failed_at > $3) AS account_failures,
                        (SELECT min(failed_at) FROM (SELECT failed_at FROM login_failures WHERE email = $1 AND failed_at > $3
                                                     ORDER BY failed_at DESC LIMIT $4) a) AS account_oldest,
                        (SELECT count(*) FROM login_failures WHERE address = $2 AND failed_at > $3) AS address_failures,
                        (SELECT min(failed_at) FROM (SELECT failed_at FROM login_failures WHERE address = $2 AND failed_at > $3
                                                     ORDER BY failed_at DESC LIMIT $5) b) AS address_oldest),
             counted AS (
                 INSERT INTO login_failures (email, address)
                 SELECT $1, $2 FROM counts WHERE account_failures < $4 AND address_failures < $5
                 RETURNING 1)
             SELECT counts.*, EXISTS (SELECT 1 FROM counted) AS counted FROM counts",
        )
        .bind(&email)
        .bind(address)
        .bind(since)
        .bind(limits.per_account)
        .bind(limits.per_address)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let account: i64 = row.try_get("account_failures")?;
        if account >= limits.per_account {
            let oldest: DateTime<Utc> = row.try_get("account_oldest")?;
            return Ok(Some(LoginBlock::Account { until: oldest + limits.window }));
        }
        let address_count: i64 = row.try_get("address_failures")?;
        if address_count >= limits.per_address {
            let oldest: DateTime<Utc> = row.try_get("address_oldest")?;
            return Ok(Some(LoginBlock::Address { until: oldest + limits.window }));
        }
        Ok(None)
    }

    /// Whether the account or address has reached its limit of recent failures.
    pub async fn login_blocked(&self, email: &str, address: &str, limits: LoginThrottle) -> Result<Option<LoginBlock>, StoreError> {
        let since = Utc::now() - limits.window;
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM login_failures WHERE email = $1 AND failed_at > $3) AS account_failures,
                    (SELECT min(failed_at) FROM (SELECT failed_at FROM login_failures WHERE email = $1 AND failed_at > $3
                                                 ORDER BY failed_at DESC LIMIT $4) a) AS account_oldest,
                    (SELECT count(*) FROM login_failures WHERE address = $2 AND failed_at > $3) AS address_failures,
                    (SELECT min(failed_at) FROM (SELECT failed_at FROM login_failures WHERE address = $2 AND failed_at > $3
                                                 ORDER BY failed_at DESC LIMIT $5) b) AS address_oldest",
        )
        .bind(email.trim().to_lowercase())
        .bind(address)
        .bind(since)
        .bind(limits.per_account)
        .bind(limits.per_address)
        .fetch_one(&self.pool)
        .await?;
        let account: i64 = row.try_get("account_failures")?;
        let address_count: i64 = row.try_get("address_failures")?;
        if account >= limits.per_account {
            let oldest: DateTime<Utc> = row.try_get("account_oldest")?;
            return Ok(Some(LoginBlock::Account { until: oldest + limits.window }));
        }
        if address_count >= limits.per_address {
            let oldest: DateTime<Utc> = row.try_get("address_oldest")?;
            return Ok(Some(LoginBlock::Address { until: oldest + limits.window }));
        }
        Ok(None)
    }

    pub async fn record_login_failure(&self, email: &str, address: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO login_failures (email, address) VALUES ($1, $2)").bind(email.trim().to_lowercase()).bind(address).execute(&self.pool).await?;
        Ok(())
    }

    /// A successful login forgets the account's failures (not the address's).
    pub async fn clear_login_failures(&self, email: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1").bind(email.trim().to_lowercase()).execute(&self.pool).await?;
        Ok(())
    }
}
