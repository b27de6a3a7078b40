use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::store::{Store, StoreError};

/// One stored session: its data is the JSON map the session layer keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: String,
    pub data: serde_json::Value,
    pub expires_at: DateTime<Utc>,
}

/// Sessions are read on every browser request, so reads go through the per-process access cache
/// (`access_cache`); every save and delete tells the other server processes to forget the session.
impl Store {
    /// Inserts the session, or replaces it when the id exists.
    pub async fn save_session(&self, record: &SessionRecord) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at",
        )
        .bind(&record.id)
        .bind(&record.data)
        .bind(record.expires_at)
        .execute(&mut *tx)
        .await?;
        self.commit_session_change(tx, &record.id).await
    }

    /// Inserts a session with a fresh id; false when the id is taken (the caller draws another).
    pub async fn insert_session(&self, record: &SessionRecord) -> Result<bool, StoreError> {
        let done = sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(&record.id)
            .bind(&record.data)
            .bind(record.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A session that has not expired.
    pub async fn load_session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        if let Some(cached) = self.access.session(id) {
            return Ok(Some(cached));
        }
        let generation = self.access.start_lookup();
        let row = sqlx::query("SELECT id, data, expires_at FROM sessions WHERE id = $1 AND expires_at > now()").bind(id).fetch_optional(&self.pool).await?;
        let record = row.map(|r| Ok::<_, StoreError>(SessionRecord { id: r.try_get("id")?, data: r.try_get("data")?, expires_at: r.try_get("expires_at")? })).transpose()?;
        if let (Some(record), Some(generation)) = (&record, generation) {
            self.access.keep_session(record.clone(), generation);
        }
        Ok(record)
    }

    pub async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&mut *tx).await?;
        self.commit_session_change(tx, id).await
    }

    /// Removes expired sessions and old failed-login records; returns how many sessions went.
    pub async fn purge_expired_sessions(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= now()").execute(&self.pool).await?;
        sqlx::query("DELETE FROM login_failures WHERE failed_at < now() - interval '1 day'").execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}
