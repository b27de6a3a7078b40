use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::fund::{decide, decide_reversal, evolve, EventPayload, FundEvent, FundState, NewEvent};
use domain::time_machine::replay::canonical_cmp;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::append_write::write_append;
use super::head::lock_head;
use super::rows::event_from_row;
use super::{Latest, Store, StoreError};

/// Most events one append may carry.
pub const MAX_BATCH: usize = 10_000;

/// Who appended, from where: stored with every event.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EventMetadata {
    pub actor: Option<String>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// The reserve run whose recommendation the events apply (one-click rebalancing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserve_run: Option<uuid::Uuid>,
}

#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub expected_version: Option<u64>,
    pub idempotency_key: Option<String>,
    /// The request as the client sent it: a retry under the same idempotency key must match it.
    pub fingerprint: String,
    pub events: Vec<NewEvent>,
    /// Indexes of events sent without an effective time: they take the append's own time, read
    /// once the fund's lock is held, so concurrent appends cannot back-date each other.
    pub undated: Vec<usize>,
    pub metadata: EventMetadata,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppendOutcome {
    pub fund_id: Uuid,
    /// The fund's version after the append (the last new event's version).
    pub version: u64,
    pub first_version: u64,
    pub appended: usize,
    pub recorded_at: DateTime<Utc>,
    /// True when this answer is the stored result of an earlier request with the same key.
    #[serde(default)]
    pub replayed: bool,
    pub events: Vec<AppendedEvent>,
    /// Alerts raised by actuals in this batch (written in the same transaction).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Uuid>,
}

/// What a client needs back about each event it sent (ids of companies it added, say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppendedEvent {
    pub version: u64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub company_id: Option<Uuid>,
}

impl Store {
    /// Appends a batch atomically: all events are validated (each against the fund as it stands at
    /// its effective date) and written, or nothing is.
    pub async fn append(&self, fund_id: Uuid, req: AppendRequest) -> Result<AppendOutcome, StoreError> {
        check_request(&req)?;
        if let Some(i) = req.events.iter().position(|e| matches!(e.payload, EventPayload::FundCreated(_))) {
            return Err(StoreError::invalid(format!("events[{i}].type"), "FUND_CREATED is only recorded by creating a fund"));
        }
        if let Some(outcome) = self.append_optimistic(fund_id, &req).await? {
            return Ok(outcome);
        }
        let mut tx = self.pool.begin().await?;
        let (outcome, latest) = self.append_in(&mut tx, fund_id, &req).await?;
        // Cached before the commit: the next append to this fund waits on the row lock, which the
        // commit releases, and should find the state it needs rather than rebuild it.
        self.remember_latest(fund_id, outcome.version, outcome.recorded_at, latest);
        if let Err(e) = tx.commit().await {
            self.caches.latest.invalidate(&fund_id);
            return Err(e.into());
        }
        Ok(outcome)
    }

    /// Caches the state at a head (`None` drops the entry), unless a newer one is cached already.
    pub(super) fn remember_latest(&self, fund_id: Uuid, version: u64, last_recorded_at: DateTime<Utc>, latest: Option<FundState>) {
        match latest {
            Some(state) => {
                if self.caches.latest.get(&fund_id).is_some_and(|l| l.version > version) {
                    return;
                }
                self.caches.latest.insert(fund_id, Arc::new(Latest { version, last_recorded_at, state }));
            }
            None => self.caches.latest.invalidate(&fund_id),
        }
    }

    /// The append itself, inside the caller's transaction, recorded at the server's clock (never
    /// before the fund's last recorded time). Returns the new latest state when it was computed
    /// along the way (chronological appends), for the cache.
    pub(super) async fn append_in(
        &self,
        conn: &mut PgConnection,
        fund_id: Uuid,
        req: &AppendRequest,
    ) -> Result<(AppendOutcome, Option<FundState>), StoreError> {
        let head = lock_head(conn, fund_id).await?;
        if let Some(key) = &req.idempotency_key {
            if let Some(previous) = previous_answer(conn, fund_id, key, &req.fingerprint).await? {
                return Ok((previous, None));
            }
        }
        if let Some(expected) = req.expected_version {
            if expected != head.version {
                return Err(StoreError::Conflict { expected, current: head.version });
            }
        }
        // PostgreSQL keeps microseconds: truncate here so cached states equal replayed ones.
        let now = micros(Utc::now());
        let recorded_at = now.max(head.last_recorded_at);
        let mut new_events = numbered(&req.events, &req.undated, head.version, recorded_at);
        // Reversals: checked against what they reverse, and folded from that event's moment.
        let reversing = check_reversals(conn, fund_id, &mut new_events, &req.undated).await?;
        let min_new = new_events.iter().map(|e| e.effective_at).min().expect("non-empty batch");
        let max_new = new_events.iter().map(|e| e.effective_at).max().expect("non-empty batch");
        let chronological = reversing.is_empty() && head.max_effective_at.is_none_or(|m| min_new >= m);
        let sorted = new_events.windows(2).all(|w| w[0].effective_at <= w[1].effective_at);

        // Validate every new event against the state just before it in canonical order, and
        // every stored event after a back-dated one again: the whole resulting history must stay
        // valid, not only the new events at their own dates. A reversal shares its event's moment,
        // so with one in the batch the fold starts just before that moment, with the event in it.
        let (base, stored_after) = if chronological {
            (self.latest_state(conn, fund_id, &head).await?, Vec::new())
        } else {
            let from = if reversing.is_empty() { min_new } else { min_new - chrono::Duration::microseconds(1) };
            let base = self.state_in(conn, fund_id, from, head.version).await?;
            let until = head.max_effective_at.map_or(max_new, |m| m.max(max_new));
            (base, events_between(conn, fund_id, head.version, from, until).await?)
        };
        // Stored reversals share their event's moment, so any stored event in the fold that an
        // earlier append reversed has its reversal in the fold too: both are left out.
        let reversed_before: std::collections::HashSet<u64> = stored_after
            .iter()
            .filter_map(|e| match &e.payload {
                EventPayload::EventReversed(r) => Some(r.reverses),
                _ => None,
            })
            .collect();
        let mut merged: Vec<&FundEvent> = stored_after.iter().filter(|e| !reversed_before.contains(&e.version)).chain(new_events.iter()).collect();
        merged.sort_by(|a, b| canonical_cmp(a, b));
        let take_snapshots_inline = chronological && sorted;
        let mut inline_snapshots: Vec<(usize, FundState)> = Vec::new();
        let mut running = base;
        let mut last_new: Option<usize> = None;
        for e in merged {
            if let Some(index) = reversing.get(&e.version) {
                // Left out from here on: every stored event after it is checked again.
                last_new = Some(last_new.map_or(*index, |i| i.min(*index)));
                continue;
            }
            let event = || NewEvent { effective_at: e.effective_at, payload: e.payload.clone() };
            if e.version > head.version {
                let index = (e.version - head.version - 1) as usize;
                decide(&running, &event(), now).map_err(|err| StoreError::from_domain(index, err))?;
                last_new = Some(index);
                running = evolve(running, e);
                if take_snapshots_inline && self.snapshot_due(&new_events, index) {
                    inline_snapshots.push((index, running.clone()));
                }
            } else {
                if let Some(index) = last_new {
                    decide(&running, &event(), e.recorded_at.max(now)).map_err(|err| breaks_later(&new_events[index], index, e, err))?;
                }
                running = evolve(running, e);
            }
        }

        if head.max_effective_at.is_some_and(|m| min_new <= m) {
            invalidate_snapshots(conn, fund_id, &new_events, min_new).await?;
        }
        write_append(conn, fund_id, &new_events, &req.metadata, &inline_snapshots, None).await?;
        let alerts = super::alerts::raise_alerts_in(conn, fund_id, &new_events).await?;
        super::alerts::resolve_reversed_in(conn, fund_id, &new_events).await?;
        let last = new_events.last().expect("non-empty batch");
        if !take_snapshots_inline && last.version / self.snapshot_every > head.version / self.snapshot_every {
            let max_effective = head.max_effective_at.map_or(max_new, |m| m.max(max_new));
            let state = self.state_in(conn, fund_id, max_effective, last.version).await?;
            self.insert_snapshot(conn, fund_id, last.version, max_effective, &state, "automatic", None).await?;
        }

        let outcome = outcome_of(fund_id, &new_events, alerts);
        if let Some(key) = &req.idempotency_key {
            remember_answer(conn, fund_id, key, &req.fingerprint, &outcome).await?;
        }
        Ok((outcome, chronological.then_some(running)))
    }

    /// Inline snapshots fall on multiples of SNAPSHOT_FREQUENCY, moved to the end of a run of
    /// events sharing one effective date (a snapshot must hold all events at its effective date).
    pub(super) fn snapshot_due(&self, batch: &[FundEvent], index: usize) -> bool {
        let e = &batch[index];
        if let Some(next) = batch.get(index + 1) {
            if next.effective_at == e.effective_at {
                return false;
            }
        }
        let run_start = batch[..=index].iter().rposition(|x| x.effective_at != e.effective_at).map_or(0, |p| p + 1);
        let before_run = batch[run_start].version - 1;
        e.version / self.snapshot_every > before_run / self.snapshot_every
    }
}

/// Why new event `index` (`new`) is refused: the stored event `later` is no longer valid after
/// it. The field is the new event's (the same field when both are of one type, else its date).
fn breaks_later(new: &FundEvent, index: usize, later: &FundEvent, err: domain::DomainError) -> StoreError {
    let domain::DomainError::Invalid { field, message } = err;
    let event_type = later.payload.event_type().to_string();
    let same_type = new.payload.event_type() == later.payload.event_type();
    let field = if same_type && field.starts_with("payload.") {
        format!("events[{index}].{field}")
    } else if matches!(new.payload, EventPayload::EventReversed(_)) {
        // Leaving the reversed event out is what breaks it: the reversal's choice of event.
        format!("events[{index}].payload.reverses")
    } else {
        format!("events[{index}].effective_at")
    };
    StoreError::BreaksLaterEvent {
        field,
        message: format!(
            "would make a later event invalid: version {} ({event_type}, effective {}): {message}",
            later.version,
            later.effective_at.format("%Y-%m-%d")
        ),
        version: later.version,
        event_type,
    }
}

/// The request's events as stored: numbered after `after`, all recorded at `recorded_at`; the
/// `undated` ones effective at `recorded_at` too.
pub(super) fn numbered(events: &[NewEvent], undated: &[usize], after: u64, recorded_at: DateTime<Utc>) -> Vec<FundEvent> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| FundEvent {
            version: after + 1 + i as u64,
            effective_at: if undated.contains(&i) { recorded_at } else { micros(e.effective_at) },
            recorded_at,
            payload: e.payload.clone(),
        })
        .collect()
}

/// The answer to an append of `events` (numbered, non-empty).
pub(super) fn outcome_of(fund_id: Uuid, events: &[FundEvent], alerts: Vec<Uuid>) -> AppendOutcome {
    let first = events.first().expect("non-empty batch");
    let last = events.last().expect("non-empty batch");
    AppendOutcome {
        fund_id,
        version: last.version,
        first_version: first.version,
        appended: events.len(),
        recorded_at: first.recorded_at,
        replayed: false,
        events: events
            .iter()
            .map(|e| AppendedEvent {
                version: e.version,
                event_type: e.payload.event_type().to_string(),
                company_id: e.payload.company_id(),
            })
            .collect(),
        alerts,
    }
}

/// PostgreSQL keeps microseconds: truncating here keeps cached states equal to replayed ones.
pub(super) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

fn check_request(req: &AppendRequest) -> Result<(), StoreError> {
    if req.events.is_empty() {
        return Err(StoreError::invalid("events", "must contain at least one event"));
    }
    if req.events.len() > MAX_BATCH {
        return Err(StoreError::invalid("events", format!("at most {MAX_BATCH} events per request")));
    }
    if let Some(key) = &req.idempotency_key {
        if key.trim().is_empty() || key.chars().count() > 200 {
            return Err(StoreError::invalid("idempotency_key", "must be 1 to 200 characters"));
        }
        if key.chars().any(char::is_control) {
            return Err(StoreError::invalid("idempotency_key", "cannot contain control characters"));
        }
    }
    Ok(())
}

async fn previous_answer(
    conn: &mut PgConnection,
    fund_id: Uuid,
    key: &str,
    fingerprint: &str,
) -> Result<Option<AppendOutcome>, StoreError> {
    let row = sqlx::query("SELECT request_hash = md5($3) AS same, response FROM idempotency_keys WHERE fund_id = $1 AND key = $2")
        .bind(fund_id)
        .bind(key)
        .bind(fingerprint)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    if !row.try_get::<bool, _>("same")? {
        return Err(StoreError::IdempotencyMismatch);
    }
    let mut outcome: AppendOutcome = serde_json::from_value(row.try_get("response")?)?;
    outcome.replayed = true;
    Ok(Some(outcome))
}

async fn remember_answer(
    conn: &mut PgConnection,
    fund_id: Uuid,
    key: &str,
    fingerprint: &str,
    outcome: &AppendOutcome,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO idempotency_keys (fund_id, key, request_hash, response) VALUES ($1, $2, md5($3), $4)")
        .bind(fund_id)
        .bind(key)
        .bind(fingerprint)
        .bind(serde_json::to_value(outcome)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Checks the batch's reversals (`decide_reversal`) against the stored events they name, and
/// gives a reversal sent without an effective time its event's moment. Returns the reversed
/// versions, each with the index of the new event that reverses it.
async fn check_reversals(
    conn: &mut PgConnection,
    fund_id: Uuid,
    events: &mut [FundEvent],
    undated: &[usize],
) -> Result<std::collections::HashMap<u64, usize>, StoreError> {
    let named: Vec<i64> = events
        .iter()
        .filter_map(|e| match &e.payload {
            EventPayload::EventReversed(r) => Some(r.reverses.min(i64::MAX as u64) as i64),
            _ => None,
        })
        .collect();
    let mut reversing = std::collections::HashMap::new();
    if named.is_empty() {
        return Ok(reversing);
    }
    let first_new = events[0].version;
    let rows = sqlx::query(
        "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
         WHERE fund_id = $1 AND version = ANY($2) AND version < $3",
    )
    .bind(fund_id)
    .bind(&named)
    .bind(first_new as i64)
    .fetch_all(&mut *conn)
    .await?;
    let targets: std::collections::HashMap<u64, FundEvent> =
        rows.iter().map(event_from_row).collect::<Result<Vec<_>, _>>()?.into_iter().map(|e| (e.version, e)).collect();
    let earlier: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT (payload->>'reverses')::bigint, version FROM fund_events
         WHERE fund_id = $1 AND event_type = 'EVENT_REVERSED' AND (payload->>'reverses')::bigint = ANY($2)",
    )
    .bind(fund_id)
    .bind(&named)
    .fetch_all(&mut *conn)
    .await?;
    let mut reversed_by: std::collections::HashMap<u64, u64> = earlier.into_iter().map(|(t, v)| (t as u64, v as u64)).collect();
    for (index, e) in events.iter_mut().enumerate() {
        let EventPayload::EventReversed(r) = &e.payload else { continue };
        let target = targets.get(&r.reverses);
        if let (Some(t), true) = (target, undated.contains(&index)) {
            e.effective_at = t.effective_at;
        }
        decide_reversal(r, e.effective_at, target, reversed_by.get(&r.reverses).copied()).map_err(|err| StoreError::from_domain(index, err))?;
        reversed_by.insert(r.reverses, e.version);
        reversing.insert(r.reverses, index);
    }
    Ok(reversing)
}

/// Stored events effective in (after, until], known at `version`, in canonical order.
async fn events_between(
    conn: &mut PgConnection,
    fund_id: Uuid,
    version: u64,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<FundEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
         WHERE fund_id = $1 AND version <= $2 AND effective_at > $3 AND effective_at <= $4
         ORDER BY effective_at, version",
    )
    .bind(fund_id)
    .bind(version as i64)
    .bind(after)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// Marks snapshots that a late event makes stale: each gets the first new version whose effective
/// date is not after the snapshot's.
async fn invalidate_snapshots(
    conn: &mut PgConnection,
    fund_id: Uuid,
    events: &[FundEvent],
    min_new: DateTime<Utc>,
) -> Result<(), StoreError> {
    let versions: Vec<i64> = events.iter().map(|e| e.version as i64).collect();
    let effective: Vec<DateTime<Utc>> = events.iter().map(|e| e.effective_at).collect();
    sqlx::query(
        "UPDATE fund_snapshots s SET invalidated_by =
             (SELECT min(n.v) FROM UNNEST($3::bigint[], $4::timestamptz[]) AS n(v, e) WHERE n.e <= s.effective_at)
         WHERE s.fund_id = $1 AND s.invalidated_by IS NULL AND s.effective_at >= $2",
    )
    .bind(fund_id)
    .bind(min_new)
    .bind(versions)
    .bind(effective)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
