use app::store::accounts::SessionRecord;
use app::store::Store;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// tower-sessions records in the `sessions` table, so every server process sees every session.
///
/// With idle expiry tower-sessions saves the session on every request just to move its expiry; a
/// save that changes nothing but moves the expiry by less than `EXTEND_EVERY_SECS` is skipped, so a
/// busy page does not write (and lock) its session row on every request. An idle session may thus
/// end up to a minute before its configured idle time.
#[derive(Clone)]
pub struct PgSessionStore {
    store: Store,
    /// What this process last read or wrote per session: (hash of the data, expiry in unix seconds).
    seen: moka::sync::Cache<String, (u64, i64)>,
}

const EXTEND_EVERY_SECS: i64 = 60;

fn data_hash(row: &SessionRecord) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    row.data.to_string().hash(&mut h);
    h.finish()
}

impl std::fmt::Debug for PgSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgSessionStore")
    }
}

impl PgSessionStore {
    pub fn new(store: Store) -> Self {
        PgSessionStore { store, seen: moka::sync::Cache::builder().max_capacity(100_000).time_to_idle(std::time::Duration::from_secs(3_600)).build() }
    }
}

fn to_row(record: &Record) -> session_store::Result<SessionRecord> {
    let expires_at = DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), record.expiry_date.nanosecond())
        .ok_or_else(|| session_store::Error::Encode("session expiry out of range".into()))?;
    let data = serde_json::to_value(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok(SessionRecord { id: record.id.to_string(), data, expires_at })
}

fn backend(e: app::store::StoreError) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh id that collides with a stored one gets another draw.
        loop {
            let row = to_row(record)?;
            if self.store.insert_session(&row).await.map_err(backend)? {
                self.seen.insert(row.id.clone(), (data_hash(&row), row.expires_at.timestamp()));
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let row = to_row(record)?;
        let (hash, expiry) = (data_hash(&row), row.expires_at.timestamp());
        if let Some((seen_hash, seen_expiry)) = self.seen.get(&row.id) {
            if seen_hash == hash && (seen_expiry..seen_expiry + EXTEND_EVERY_SECS).contains(&expiry) {
                return Ok(());
            }
        }
        self.store.save_session(&row).await.map_err(backend)?;
        self.seen.insert(row.id, (hash, expiry));
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = self.store.load_session(&id.to_string()).await.map_err(backend)? else {
            self.seen.invalidate(&id.to_string());
            return Ok(None);
        };
        self.seen.insert(row.id.clone(), (data_hash(&row), row.expires_at.timestamp()));
        let data = serde_json::from_value(row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = tower_sessions::cookie::time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.seen.invalidate(&id.to_string());
        self.store.delete_session(&id.to_string()).await.map_err(backend)
    }
}
