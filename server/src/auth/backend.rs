use app::accounts::password;
use app::store::accounts::{LoginBlock, LoginThrottle, User};
use app::store::{Store, StoreError};
use axum_login::{AuthUser, AuthnBackend};
use uuid::Uuid;

/// The signed-in user as axum-login keeps it. The session is bound to the user's session epoch,
/// which changes with the password: older sessions stop working.
#[derive(Debug, Clone)]
pub struct SessionAccount(pub User);

impl AuthUser for SessionAccount {
    type Id = Uuid;

    fn id(&self) -> Uuid {
        self.0.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        self.0.session_epoch.as_bytes()
    }
}

/// What the sign-in form sends, with the address it came from (for the failure limits).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
    pub address: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("Too many failed sign-ins for this account. Try again after {0} UTC.")]
    AccountLocked(String),
    #[error("Too many failed sign-ins from your address. Try again after {0} UTC.")]
    AddressLocked(String),
    /// Every password-hash slot of this process is taken (PASSWORD_HASH_CONCURRENCY).
    #[error("The server is busy signing others in. Try again in a moment.")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks e-mail and password against the store, counting failures in PostgreSQL.
#[derive(Clone)]
pub struct Backend {
    pub store: Store,
    pub throttle: LoginThrottle,
    /// Password checks in flight in this process: argon2 takes ~19 MiB and a blocking thread per
    /// check, so a burst of sign-ins past this bound is refused (503) instead of queued.
    pub hashing: std::sync::Arc<tokio::sync::Semaphore>,
}

impl AuthnBackend for Backend {
    type User = SessionAccount;
    type Credentials = Credentials;
    type Error = LoginError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<SessionAccount>, LoginError> {
        let email = creds.email.trim().to_lowercase();
        let Ok(_slot) = self.hashing.clone().try_acquire_owned() else {
            return Err(LoginError::Busy);
        };
        // Counted before the password is checked, so parallel attempts cannot all pass the limit.
        match self.store.count_login_attempt(&email, &creds.address, self.throttle).await? {
            Some(LoginBlock::Account { until }) => return Err(LoginError::AccountLocked(until.format("%H:%M").to_string())),
            Some(LoginBlock::Address { until }) => return Err(LoginError::AddressLocked(until.format("%H:%M").to_string())),
            None => {}
        }
        let found = self.store.user_with_password_hash(&email).await?;
        let verified = match found {
            Some((user, hash)) => password::verify_password(creds.password, hash).await.then_some(user),
            None => {
                password::verify_against_dummy(creds.password).await;
                None
            }
        };
        match verified {
            Some(user) => {
                self.store.clear_login_failures(&email).await?;
                Ok(Some(SessionAccount(user)))
            }
            // The attempt was counted as a failure before the check.
            None => Ok(None),
        }
    }

    async fn get_user(&self, id: &Uuid) -> Result<Option<SessionAccount>, LoginError> {
        Ok(self.store.user(*id).await?.map(SessionAccount))
    }
}
