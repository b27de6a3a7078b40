use chrono::{DateTime, Utc};
use domain::demo::GeneratedEvent;
use domain::fund::{EventPayload, NewEvent};
use uuid::Uuid;

use super::append::{AppendRequest, EventMetadata};
use super::funds::insert_fund_row;
use super::{Store, StoreError};

impl Store {
    /// Imports a fund's history with its original recorded times (demo seed, benchmarks). Events
    /// must be in recorded order and start with FUND_CREATED; each group sharing a recorded time
    /// is one atomic, validated append, so the import obeys the same rules as live traffic.
    pub async fn import_history(&self, events: &[GeneratedEvent]) -> Result<Uuid, StoreError> {
        let Some(EventPayload::FundCreated(created)) = events.first().map(|e| &e.payload) else {
            return Err(StoreError::invalid("events[0].type", "history must start with FUND_CREATED"));
        };
        let fund_id = Uuid::new_v4();
        let mut tx = self.pool.begin().await?;
        insert_fund_row(&mut tx, fund_id, &created.name, created.size, created.vintage).await?;
        super::alert_rules::insert_default_rules(&mut tx, fund_id).await?;
        let metadata = EventMetadata { actor: Some("import".into()), ..Default::default() };
        let mut start = 0;
        while start < events.len() {
            let recorded_at = events[start].recorded_at;
            let mut end = start + 1;
            while end < events.len() && events[end].recorded_at == recorded_at && end - start < super::append::MAX_BATCH {
                end += 1;
            }
            let req = AppendRequest {
                expected_version: None,
                idempotency_key: None,
                fingerprint: String::new(),
                events: events[start..end]
                    .iter()
                    .map(|e| NewEvent { effective_at: e.effective_at, payload: e.payload.clone() })
                    .collect(),
                metadata: metadata.clone(),
            };
            self.append_in(&mut tx, fund_id, &req, Some(recorded_at))
                .await
                .map_err(|e| StoreError::invalid("history", format!("event {start}: {e}")))?;
            start = end;
        }
        self.backfill_snapshots(&mut tx, fund_id, events.len() as u64).await?;
        tx.commit().await?;
        self.latest.invalidate(&fund_id);
        Ok(fund_id)
    }

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
