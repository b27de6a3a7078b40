//! argon2id password hashes, computed off the async runtime (each takes tens of milliseconds).

use crate::store::StoreError;

pub use super::page_data::MIN_PASSWORD_CHARS;

pub async fn hash_password(password: String) -> Result<String, StoreError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::invalid("password", format!("use at least {MIN_PASSWORD_CHARS} characters")));
    }
    if password.len() > 1024 {
        return Err(StoreError::invalid("password", "use at most 1024 bytes"));
    }
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| StoreError::Corrupt(format!("password hashing panicked: {e}")))
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok()).await.unwrap_or(false)
}

/// Verifying against this when the account does not exist takes as long as a real check, so the
/// response time does not tell which addresses have accounts.
pub async fn verify_against_dummy(password: String) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| password_auth::generate_hash("not a real password, only for timing")).clone();
    verify_password(password, hash).await;
}
