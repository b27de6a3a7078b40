use chrono::{DateTime, Utc};
use domain::demo::GeneratedEvent;
use domain::fund::EventPayload;
use domain::reserves::{ReserveAssumptions, VarianceAdjustmentRule};
use uuid::Uuid;

use super::{Store, StoreError};

impl Store {
    /// Seeds the demo fund when the database has no fund yet. Returns its id when it seeded.
    pub async fn seed_demo_if_empty(&self, now: DateTime<Utc>) -> Result<Option<Uuid>, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM funds").fetch_one(&self.pool).await?;
        if count > 0 {
            return Ok(None);
        }
        let mut events = domain::demo::generate(&domain::demo::DemoSpec::demo_fund(now));
        events.extend(variance_adjustment_on(&events));
        self.import_history(&events).await.map(Some)
    }
}

/// The demo fund turns the reserve model's variance adjustment on (docs/reserves-model.md,
/// "Variance adjustment"; off for every other fund until an admin sets it): one
/// RESERVE_ASSUMPTIONS_SET with the demo's rule (20% below plan, two periods running), effective from the fund's first day and recorded
/// with the history's last event, so the generated history itself is unchanged.
fn variance_adjustment_on(history: &[GeneratedEvent]) -> Option<GeneratedEvent> {
    let (first, last) = (history.first()?, history.last()?);
    let assumptions = ReserveAssumptions { variance_adjustment: Some(VarianceAdjustmentRule::demo_fund()), ..Default::default() };
    Some(GeneratedEvent { effective_at: first.effective_at, recorded_at: last.recorded_at, payload: EventPayload::ReserveAssumptionsSet(Box::new(assumptions)) })
}
