//! The common append — new facts after everything stored, to a fund this process has just seen —
//! without taking the fund's row lock first: validated against the cached latest state, then
//! written by one statement that applies only if the fund's head is still the one that state
//! belongs to. That statement runs outside an explicit transaction, so the whole append is one
//! round trip and one commit instead of BEGIN, lock, insert, update, alerts and COMMIT, and the
//! row lock is held only for that commit. Anything else goes the locked way (`append_in`), which
//! stays the authority: a rejected event, a stale cache or a late event simply falls back to it.

use chrono::Utc;
use domain::fund::{decide, evolve, EventPayload, FundState, NewEvent};
use uuid::Uuid;

use super::append::{micros, numbered, outcome_of, AppendOutcome, AppendRequest};
use super::append_write::{write_append, ExpectedHead};
use super::{Store, StoreError};

impl Store {
    /// The append done optimistically, or `None` when it must take the locked path: an
    /// idempotency key (the stored answer is read under the lock), a reversal (checked against the
    /// stored event it names), a forecast in the batch or an
    /// actual that may raise an alert (alerts are evaluated under the lock), events out of
    /// order, no cached state, or a head that moved since.
    pub(super) async fn append_optimistic(&self, fund_id: Uuid, req: &AppendRequest) -> Result<Option<AppendOutcome>, StoreError> {
        let locked_only = |e: &NewEvent| matches!(e.payload, EventPayload::ForecastCreated(_) | EventPayload::EventReversed(_));
        if req.idempotency_key.is_some() || req.events.iter().any(locked_only) {
            return Ok(None);
        }
        let Some(latest) = self.caches.latest.get(&fund_id) else { return Ok(None) };
        if req.expected_version.is_some_and(|v| v != latest.version) {
            return Ok(None);
        }
        let now = micros(Utc::now());
        if now < latest.last_recorded_at {
            return Ok(None);
        }
        let events = numbered(&req.events, &req.undated, latest.version, now);
        if !events.windows(2).all(|w| w[0].effective_at <= w[1].effective_at) {
            return Ok(None);
        }

        let mut running: FundState = latest.state.clone();
        let mut snapshots: Vec<(usize, FundState)> = Vec::new();
        for (index, e) in events.iter().enumerate() {
            let candidate = NewEvent { effective_at: e.effective_at, payload: e.payload.clone() };
            // Against a cached state a refusal may be wrong (the head may have moved): the locked
            // path decides, and words the error.
            if decide(&running, &candidate, now).is_err() {
                return Ok(None);
            }
            running = evolve(running, e);
            if self.snapshot_due(&events, index) {
                snapshots.push((index, running.clone()));
            }
        }

        let mut actual_companies: Vec<Uuid> = events
            .iter()
            .filter_map(|e| match &e.payload {
                EventPayload::ActualRecorded(p) => Some(p.company_id),
                _ => None,
            })
            .collect();
        actual_companies.sort_unstable();
        actual_companies.dedup();
        let expected = ExpectedHead {
            version: latest.version,
            last_recorded_at: latest.last_recorded_at,
            min_new_effective_at: events[0].effective_at,
            actual_companies,
        };
        let mut conn = self.pool.acquire().await?;
        if !write_append(&mut conn, fund_id, &events, &req.metadata, &snapshots, Some(&expected)).await? {
            return Ok(None);
        }
        let outcome = outcome_of(fund_id, &events, Vec::new());
        self.remember_latest(fund_id, outcome.version, now, Some(running));
        Ok(Some(outcome))
    }
}
