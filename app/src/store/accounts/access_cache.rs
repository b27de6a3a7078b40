//! A per-process cache of the lookups every authenticated request makes: whose an API token is,
//! a user's role in a fund and the funds they belong to, and for browsers the session and its user. Without it each append paid
//! two more queries than its own, and each page three more.
//!
//! Several server processes share one database, so a cached answer may only be served while this
//! process is sure to hear about every change: each write that revokes a token, changes or removes
//! a membership or changes a password sends `pg_notify(ACCESS_CHANNEL, user id)` in its own
//! transaction, and every process's listener (`Store::follow_access_changes`) forgets that user's
//! entries. Saving or deleting a session (sign-in, sign-out, expiry moved) sends
//! `session:<session id>` the same way, which forgets that session. While the listener is not connected (start-up, lost connection) the cache is neither
//! read nor filled, and it is emptied whenever the listener connects or disconnects, so a
//! notification missed in between cannot leave a stale answer behind. Entries also expire after
//! `TIME_TO_LIVE`, a safety net should a notification ever be lost without the connection failing.
//!
//! A lookup that raced a change (it read the database before the change committed and stores its
//! answer after the notification was handled) is dropped: every notification bumps `generation`,
//! and an answer is kept only if the generation it started under is still current after insertion.

use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use domain::access::Role;
use moka::sync::Cache;
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use super::{SessionRecord, TokenOwner, User};
use crate::store::{Store, StoreError};

/// The NOTIFY channel of access changes; the payload is the affected user's id, or
/// `session:<id>` for one session.
pub const ACCESS_CHANNEL: &str = "fundlens_access";

/// The payload prefix of a session change.
const SESSION_PAYLOAD: &str = "session:";

/// How long an answer is served at most, notification or not.
const TIME_TO_LIVE: Duration = Duration::from_secs(60);

/// Entries per cache; past that, the least used are dropped.
const MAX_ENTRIES: u64 = 10_000;

/// How long the listener waits before connecting again after a failure.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

pub(crate) struct AccessCache {
    /// SHA-256 of a live token → its owner. Only live tokens are cached.
    tokens: Cache<Vec<u8>, TokenOwner>,
    /// (user, fund) → the user's role there, `None` for "not a member".
    roles: Cache<(Uuid, Uuid), Option<Role>>,
    /// Session id → the stored session, served only until its own expiry.
    sessions: Cache<String, SessionRecord>,
    /// User id → the user (with the session epoch that a password change bumps).
    users: Cache<Uuid, User>,
    /// User id → the funds they are a member of (the hub's fund switcher).
    memberships: Cache<Uuid, std::sync::Arc<Vec<Uuid>>>,
    /// True while the listener is connected and listening.
    listening: AtomicBool,
    /// Bumped by every change heard and every (dis)connection of the listener.
    generation: AtomicU64,
}

impl AccessCache {
    pub(crate) fn new() -> Self {
        AccessCache {
            tokens: Cache::builder().max_capacity(MAX_ENTRIES).time_to_live(TIME_TO_LIVE).build(),
            roles: Cache::builder().max_capacity(MAX_ENTRIES).time_to_live(TIME_TO_LIVE).build(),
            sessions: Cache::builder().max_capacity(MAX_ENTRIES).time_to_live(TIME_TO_LIVE).build(),
            users: Cache::builder().max_capacity(MAX_ENTRIES).time_to_live(TIME_TO_LIVE).build(),
            memberships: Cache::builder().max_capacity(MAX_ENTRIES).time_to_live(TIME_TO_LIVE).build(),
            listening: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        }
    }

    /// The generation to pass to `keep_*` after reading the database, or `None` when answers must
    /// not be cached (the listener is not connected).
    pub(crate) fn start_lookup(&self) -> Option<u64> {
        self.listening.load(Ordering::SeqCst).then(|| self.generation.load(Ordering::SeqCst))
    }

    pub(crate) fn token(&self, hash: &[u8]) -> Option<TokenOwner> {
        self.served(&self.tokens, hash)
    }

    pub(crate) fn keep_token(&self, hash: Vec<u8>, owner: TokenOwner, generation: u64) {
        self.keep(&self.tokens, hash, owner, generation);
    }

    pub(crate) fn role(&self, user_id: Uuid, fund_id: Uuid) -> Option<Option<Role>> {
        self.served(&self.roles, &(user_id, fund_id))
    }

    pub(crate) fn keep_role(&self, user_id: Uuid, fund_id: Uuid, role: Option<Role>, generation: u64) {
        self.keep(&self.roles, (user_id, fund_id), role, generation);
    }

    /// The cached session, if it has not expired by its own clock.
    pub(crate) fn session(&self, id: &str) -> Option<SessionRecord> {
        self.served(&self.sessions, id).filter(|s| s.expires_at > chrono::Utc::now())
    }

    pub(crate) fn keep_session(&self, record: SessionRecord, generation: u64) {
        self.keep(&self.sessions, record.id.clone(), record, generation);
    }

    /// Forgets one session: called for its notification, and by the process that saved or
    /// deleted it right after the write.
    pub(crate) fn forget_session(&self, id: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.sessions.invalidate(id);
    }

    pub(crate) fn memberships(&self, user_id: Uuid) -> Option<std::sync::Arc<Vec<Uuid>>> {
        self.served(&self.memberships, &user_id)
    }

    pub(crate) fn keep_memberships(&self, user_id: Uuid, funds: std::sync::Arc<Vec<Uuid>>, generation: u64) {
        self.keep(&self.memberships, user_id, funds, generation);
    }

    pub(crate) fn user(&self, id: Uuid) -> Option<User> {
        self.served(&self.users, &id)
    }

    pub(crate) fn keep_user(&self, user: User, generation: u64) {
        self.keep(&self.users, user.id, user, generation);
    }

    /// `cache`'s answer for `key`, served only while the listener is connected.
    fn served<K, V, Q>(&self, cache: &Cache<K, V>, key: &Q) -> Option<V>
    where
        K: Hash + Eq + Send + Sync + Borrow<Q> + 'static,
        V: Clone + Send + Sync + 'static,
        Q: Hash + Eq + ?Sized,
    {
        if !self.listening.load(Ordering::SeqCst) {
            return None;
        }
        cache.get(key)
    }

    /// Stores a lookup's answer, then drops it again if a change was heard since the lookup
    /// began at `generation` (see `still_current`).
    fn keep<K, V>(&self, cache: &Cache<K, V>, key: K, value: V, generation: u64)
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        cache.insert(key.clone(), value);
        if !self.still_current(generation) {
            cache.invalidate(&key);
        }
    }

    pub(crate) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    /// Checked after inserting: a change heard since the lookup began (which bumps the
    /// generation before it evicts) means the answer may be stale.
    fn still_current(&self, generation: u64) -> bool {
        self.listening.load(Ordering::SeqCst) && self.generation.load(Ordering::SeqCst) == generation
    }

    /// Handles a notification: forgets the session or the user it names (everything, if it names
    /// neither).
    fn heard(&self, payload: &str) {
        if let Some(session_id) = payload.strip_prefix(SESSION_PAYLOAD) {
            self.forget_session(session_id);
            return;
        }
        match payload.parse::<Uuid>() {
            Ok(user_id) => self.forget_user(user_id),
            Err(_) => {
                tracing::warn!(payload, "unexpected access-change notification; emptying the access cache");
                self.generation.fetch_add(1, Ordering::SeqCst);
                self.forget_everything();
            }
        }
    }

    /// Forgets the user, their tokens and their roles. Called for every notification, and by the process
    /// that made the change right after its commit, so its own next request never waits on it.
    pub(crate) fn forget_user(&self, user_id: Uuid) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.users.invalidate(&user_id);
        self.memberships.invalidate(&user_id);
        for (hash, owner) in self.tokens.iter() {
            if owner.user.id == user_id {
                self.tokens.invalidate(hash.as_ref());
            }
        }
        for (key, _) in self.roles.iter() {
            if key.0 == user_id {
                self.roles.invalidate(key.as_ref());
            }
        }
    }

    fn forget_everything(&self) {
        self.tokens.invalidate_all();
        self.roles.invalidate_all();
        self.sessions.invalidate_all();
        self.users.invalidate_all();
        self.memberships.invalidate_all();
    }

    fn set_listening(&self, listening: bool) {
        if !listening {
            self.listening.store(false, Ordering::SeqCst);
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.forget_everything();
        if listening {
            self.listening.store(true, Ordering::SeqCst);
        }
    }
}

/// Tells every server process that `user_id`'s tokens, roles or password changed. Sent when the
/// caller's transaction commits (and not at all if it rolls back).
pub(crate) async fn notify_access_changed(conn: &mut PgConnection, user_id: Uuid) -> Result<(), StoreError> {
    notify(conn, user_id.to_string()).await
}

async fn notify(conn: &mut PgConnection, payload: String) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(ACCESS_CHANNEL).bind(payload).execute(&mut *conn).await?;
    Ok(())
}

impl Store {
    /// Commits `tx`, which changed what `user_id` may do (tokens, roles, password): every
    /// process hears of it with the commit, and this one forgets its cached answers at once.
    pub(crate) async fn commit_access_change(&self, mut tx: Transaction<'_, Postgres>, user_id: Uuid) -> Result<(), StoreError> {
        notify_access_changed(&mut tx, user_id).await?;
        tx.commit().await?;
        self.access.forget_user(user_id);
        Ok(())
    }

    /// Commits `tx`, which saved or deleted session `session_id`, as `commit_access_change` does.
    pub(crate) async fn commit_session_change(&self, mut tx: Transaction<'_, Postgres>, session_id: &str) -> Result<(), StoreError> {
        notify(&mut tx, format!("{SESSION_PAYLOAD}{session_id}")).await?;
        tx.commit().await?;
        self.access.forget_session(session_id);
        Ok(())
    }
}

impl Store {
    /// Keeps this process's access cache in step with every process's changes, reconnecting
    /// after failures; returns only when the pool is closed. Spawn it once per process.
    pub async fn follow_access_changes(self) {
        loop {
            match self.access_listener().await {
                Ok(mut listener) => {
                    self.access.set_listening(true);
                    tracing::debug!("access cache listening");
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notification)) => self.access.heard(notification.payload()),
                            Ok(None) => {
                                tracing::warn!("access-change listener lost its connection; bypassing the access cache");
                                break;
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "access-change listener failed; bypassing the access cache");
                                break;
                            }
                        }
                    }
                    self.access.set_listening(false);
                }
                Err(e) => tracing::warn!(error = %e, "access-change listener cannot connect; bypassing the access cache"),
            }
            if self.pool.is_closed() {
                return;
            }
            tokio::time::sleep(RECONNECT_DELAY).await;
        }
    }

    /// True while this process hears access changes (and so serves cached answers).
    pub fn access_cache_listening(&self) -> bool {
        self.access.is_listening()
    }

    async fn access_listener(&self) -> Result<PgListener, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        // Report a lost connection at once rather than after reconnecting: notifications sent in
        // between are lost, so the cache must stop serving before then.
        listener.eager_reconnect(false);
        listener.listen(ACCESS_CHANNEL).await?;
        Ok(listener)
    }
}
