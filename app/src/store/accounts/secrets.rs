use crate::store::{Store, StoreError};

impl Store {
    /// The named secret shared by every server process, created (32 random bytes) on first use;
    /// kept in memory for `SIGNING_SECRET_TTL` (every page signs share links with it).
    pub async fn server_secret(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        if let Some(secret) = self.caches.signing_secrets.get(name) {
            return Ok(secret.as_ref().clone());
        }
        let secret = self.server_secret_stored(name).await?;
        self.caches.signing_secrets.insert(name.to_string(), std::sync::Arc::new(secret.clone()));
        Ok(secret)
    }

    /// The secret as stored now, created on first use.
    async fn server_secret_stored(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        // Read first: pages sign share links on every render, and the secret exists after the
        // first use (an INSERT … ON CONFLICT per render was a write per page view).
        let existing: Option<Vec<u8>> = sqlx::query_scalar("SELECT secret FROM server_secrets WHERE name = $1").bind(name).fetch_optional(&self.pool).await?;
        if let Some(secret) = existing {
            return Ok(secret);
        }
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
        sqlx::query("INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(&fresh[..])
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT secret FROM server_secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await?)
    }

    /// The current secret `name` first, then the retired ones (`rotate_server_secret`) retired
    /// less than `keep_for` ago, newest first: what may still verify a signature.
    pub async fn server_secrets_for_verifying(&self, name: &str, keep_for: chrono::Duration) -> Result<Vec<Vec<u8>>, StoreError> {
        let current = self.server_secret_stored(name).await?;
        let cutoff = (chrono::Utc::now() - keep_for).timestamp();
        let retired: Vec<(String, Vec<u8>)> = sqlx::query_as("SELECT name, secret FROM server_secrets WHERE starts_with(name, $1)")
            .bind(format!("{name}.retired."))
            .fetch_all(&self.pool)
            .await?;
        let mut retired: Vec<(i64, Vec<u8>)> = retired
            .into_iter()
            .filter_map(|(n, secret)| n.rsplit('.').next().and_then(|t| t.parse::<i64>().ok()).map(|t| (t, secret)))
            .filter(|(t, _)| *t > cutoff)
            .collect();
        retired.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(std::iter::once(current).chain(retired.into_iter().map(|(_, s)| s)).collect())
    }

    /// Retires the secret `name` (kept as `<name>.retired.<unix seconds>`) and puts a fresh one in
    /// its place: new signatures use the new secret, old ones still verify while
    /// `server_secrets_for_verifying` keeps the retired one.
    pub async fn rotate_server_secret(&self, name: &str) -> Result<(), StoreError> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE server_secrets SET name = name || '.retired.' || floor(extract(epoch FROM clock_timestamp()))::bigint::text WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO server_secrets (name, secret) VALUES ($1, $2)").bind(name).bind(&fresh[..]).execute(&mut *tx).await?;
        tx.commit().await?;
        self.caches.signing_secrets.invalidate(name);
        Ok(())
    }
}
