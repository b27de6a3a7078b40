use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Store, StoreError};

impl Store {
    /// Seeds the demo fund when the database has no fund yet. Returns its id when it seeded.
    pub async fn seed_demo_if_empty(&self, now: DateTime<Utc>) -> Result<Option<Uuid>, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM funds").fetch_one(&self.pool).await?;
        if count > 0 {
            return Ok(None);
        }
        let events = domain::demo::generate(&domain::demo::DemoSpec::demo_fund(now));
        self.import_history(&events).await.map(Some)
    }
}
