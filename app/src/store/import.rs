//! `import_history`: a fund's whole history written with its original recorded times (demo seed,
//! benchmarks), in one transaction. The events are validated and the alerts worked out in memory
//! (`import_replay`), then written in large multi-row INSERTs, with snapshots from one more
//! in-memory fold (`import_snapshots`): seconds for 100,000 events, where one append per recorded
//! instant took tens of minutes.

use domain::demo::GeneratedEvent;
use domain::fund::{EventPayload, FundEvent, CURRENT_SCHEMA_VERSION};
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::append::EventMetadata;
use super::funds::insert_fund_row;
use super::import_replay::plan_import;
use super::import_snapshots::{completion_snapshots, SnapshotRow};
use super::rows::EventColumns;
use super::{Store, StoreError};

/// Events per INSERT statement.
const EVENT_CHUNK: usize = 5_000;
/// Snapshots per INSERT statement (late ones are several hundred KB of JSON each).
const SNAPSHOT_CHUNK: usize = 20;
/// Alerts per INSERT statement.
const ALERT_CHUNK: usize = 2_000;

impl Store {
    /// Imports a fund's history with its original recorded times. Events must be in recorded order
    /// and start with FUND_CREATED; each group sharing a recorded time is validated as one append
    /// recorded then would be, and raises the alerts it would have, so the import obeys the same
    /// rules as live traffic. All or nothing: an invalid event is refused naming it
    /// (`events[i].field`) and nothing is written.
    pub async fn import_history(&self, history: &[GeneratedEvent]) -> Result<Uuid, StoreError> {
        let Some(EventPayload::FundCreated(created)) = history.first().map(|e| &e.payload) else {
            return Err(StoreError::invalid("events[0].type", "history must start with FUND_CREATED"));
        };
        if let Some(i) = history.iter().position(|e| matches!(e.payload, EventPayload::EventReversed(_))) {
            return Err(StoreError::invalid(format!("events[{i}].type"), "a reversal is appended to a fund's history, not imported"));
        }
        let fund_id = Uuid::new_v4();
        let mut tx = self.pool.begin().await?;
        insert_fund_row(&mut tx, fund_id, &created.name, created.size, created.vintage).await?;
        super::alert_rules::insert_default_rules(&mut tx, fund_id).await?;
        let rules = super::alert_rules::rules_in(&mut tx, fund_id, true).await?;

        let owned = history.to_vec();
        let plan = tokio::task::spawn_blocking(move || plan_import(&owned, &rules))
            .await
            .map_err(|e| StoreError::Corrupt(format!("import validation stopped: {e}")))??;

        let metadata = EventMetadata { actor: Some("import".into()), ..Default::default() };
        for chunk in plan.events.chunks(EVENT_CHUNK) {
            insert_events(&mut tx, fund_id, chunk, &metadata).await?;
        }
        set_head(&mut tx, fund_id, &plan.events).await?;
        let mut budget = super::alerts::OutboundBudget::default();
        for chunk in plan.alerts.chunks(ALERT_CHUNK) {
            super::alerts::insert_alerts(&mut tx, fund_id, chunk, &mut budget).await?;
        }
        self.write_completion_snapshots(&mut tx, fund_id, plan.canonical).await?;
        tx.commit().await?;
        self.caches.latest.invalidate(&fund_id);
        Ok(fund_id)
    }

    /// Computes the snapshots on a blocking thread and writes each chunk as it comes.
    async fn write_completion_snapshots(&self, conn: &mut PgConnection, fund_id: Uuid, canonical: Vec<FundEvent>) -> Result<(), StoreError> {
        let (sender, mut chunks) = tokio::sync::mpsc::channel::<Vec<SnapshotRow>>(2);
        let every = self.snapshot_every;
        let producer = tokio::task::spawn_blocking(move || {
            completion_snapshots(&canonical, every, SNAPSHOT_CHUNK, |rows| sender.blocking_send(rows).is_ok())
        });
        while let Some(rows) = chunks.recv().await {
            insert_snapshots(conn, fund_id, &rows).await?;
        }
        producer.await.map_err(|e| StoreError::Corrupt(format!("import snapshots stopped: {e}")))??;
        Ok(())
    }
}

async fn insert_events(conn: &mut PgConnection, fund_id: Uuid, events: &[FundEvent], metadata: &EventMetadata) -> Result<(), StoreError> {
    let columns = EventColumns::of(events);
    let head = sqlx::query(
        "INSERT INTO fund_events (fund_id, version, event_type, schema_version, payload, company_id, effective_at, recorded_at, metadata)
         SELECT $1, n.v, n.t, $2, n.p, n.c, n.e, n.r, $3
         FROM UNNEST($4::bigint[], $5::text[], $6::jsonb[], $7::uuid[], $8::timestamptz[], $9::timestamptz[]) AS n(v, t, p, c, e, r)",
    )
    .bind(fund_id)
    .bind(CURRENT_SCHEMA_VERSION)
    .bind(Json(metadata));
    columns.bind_to(head).bind(events.iter().map(|e| e.recorded_at).collect::<Vec<_>>()).execute(&mut *conn).await?;
    Ok(())
}

/// The fund row's head after the import: its last version and recorded time, latest effective date.
async fn set_head(conn: &mut PgConnection, fund_id: Uuid, events: &[FundEvent]) -> Result<(), StoreError> {
    let last = events.last().expect("a history starts with FUND_CREATED");
    sqlx::query("UPDATE funds SET version = $2, last_recorded_at = $3, max_effective_at = $4, revision = revision + 1 WHERE id = $1")
        .bind(fund_id)
        .bind(last.version as i64)
        .bind(last.recorded_at)
        .bind(events.iter().map(|e| e.effective_at).max())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn insert_snapshots(conn: &mut PgConnection, fund_id: Uuid, rows: &[SnapshotRow]) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO fund_snapshots (fund_id, version, effective_at, kind, event_count, state)
         SELECT $1, s.v, s.e, 'automatic', s.c, s.s::jsonb FROM UNNEST($2::bigint[], $3::timestamptz[], $4::bigint[], $5::text[]) AS s(v, e, c, s)",
    )
    .bind(fund_id)
    .bind(rows.iter().map(|r| r.version as i64).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.effective_at).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event_count as i64).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.state_json.as_str()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
