use crate::store::{Store, StoreError};

impl Store {
    /// The named secret shared by every server process, created (32 random bytes) on first use.
    pub async fn server_secret(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
        sqlx::query("INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(&fresh[..])
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT secret FROM server_secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await?)
    }
}
