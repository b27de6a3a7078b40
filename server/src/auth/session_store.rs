use app::store::accounts::SessionRecord;
use app::store::Store;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// tower-sessions records in the `sessions` table, so every server process sees every session.
#[derive(Clone)]
pub struct PgSessionStore {
    store: Store,
}

impl std::fmt::Debug for PgSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgSessionStore")
    }
}

impl PgSessionStore {
    pub fn new(store: Store) -> Self {
        PgSessionStore { store }
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
            if self.store.insert_session(&to_row(record)?).await.map_err(backend)? {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.save_session(&to_row(record)?).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = self.store.load_session(&id.to_string()).await.map_err(backend)? else { return Ok(None) };
        let data = serde_json::from_value(row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = tower_sessions::cookie::time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete_session(&id.to_string()).await.map_err(backend)
    }
}
