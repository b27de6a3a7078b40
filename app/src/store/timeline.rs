use chrono::{DateTime, Utc};
use domain::fund::{EVENT_TYPES, FundState};
use domain::time_machine::{diff, StateDiff};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use super::{Store, StoreError};

pub const MAX_TIMELINE_LIMIT: u32 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineOrder {
    #[default]
    Effective,
    Recorded,
}

#[derive(Debug, Clone, Default)]
pub struct TimelineQuery {
    pub order: TimelineOrder,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub types: Vec<String>,
    pub limit: Option<u32>,
    /// Opaque position returned as `next_cursor` by the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEvent {
    pub version: u64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub company_id: Option<Uuid>,
    pub payload: serde_json::Value,
    /// The version of the EVENT_REVERSED that cancels this event, if one was recorded since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversed_by: Option<u64>,
}

impl TimelineEvent {
    /// Recorded more than a week after it took effect: a late fact that changed the past.
    pub fn is_late(&self) -> bool {
        self.recorded_at - self.effective_at > chrono::Duration::days(7)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelinePage {
    pub events: Vec<TimelineEvent>,
    pub next_cursor: Option<String>,
}

/// The diff between two dates plus the events that explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffView {
    #[serde(flatten)]
    pub diff: StateDiff,
    pub events: Vec<TimelineEvent>,
    pub events_truncated: bool,
}

impl Store {
    pub async fn timeline(&self, fund_id: Uuid, q: &TimelineQuery) -> Result<TimelinePage, StoreError> {
        if let Some(t) = q.types.iter().find(|t| !EVENT_TYPES.contains(&t.as_str())) {
            return Err(StoreError::invalid("types", format!("unknown event type {t}")));
        }
        if let (Some(s), Some(e)) = (q.start, q.end) {
            if s > e {
                return Err(StoreError::invalid("end", "is before start"));
            }
        }
        let limit = q.limit.unwrap_or(100);
        if limit == 0 || limit > MAX_TIMELINE_LIMIT {
            return Err(StoreError::invalid("limit", format!("must be between 1 and {MAX_TIMELINE_LIMIT}")));
        }
        let cursor = q.cursor.as_deref().map(parse_cursor).transpose()?;
        self.fund_version(fund_id).await?;
        let sql = match q.order {
            TimelineOrder::Effective => {
                "SELECT version, event_type, effective_at, recorded_at, company_id, payload, effective_at AS pos,
                    (SELECT min(r.version) FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                       AND (r.payload->>'reverses')::bigint = fund_events.version) AS reversed_by
                 FROM fund_events
                 WHERE fund_id = $1 AND ($2::timestamptz IS NULL OR effective_at >= $2)
                   AND ($3::timestamptz IS NULL OR effective_at <= $3)
                   AND (cardinality($4::text[]) = 0 OR event_type = ANY($4))
                   AND ($5::timestamptz IS NULL OR (effective_at, version) > ($5, $6))
                 ORDER BY effective_at, version LIMIT $7"
            }
            TimelineOrder::Recorded => {
                "SELECT version, event_type, effective_at, recorded_at, company_id, payload, recorded_at AS pos,
                    (SELECT min(r.version) FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                       AND (r.payload->>'reverses')::bigint = fund_events.version) AS reversed_by
                 FROM fund_events
                 WHERE fund_id = $1 AND ($2::timestamptz IS NULL OR recorded_at >= $2)
                   AND ($3::timestamptz IS NULL OR recorded_at <= $3)
                   AND (cardinality($4::text[]) = 0 OR event_type = ANY($4))
                   AND ($5::timestamptz IS NULL OR (recorded_at, version) > ($5, $6))
                 ORDER BY recorded_at, version LIMIT $7"
            }
        };
        let rows = sqlx::query(sql)
            .bind(fund_id)
            .bind(q.start)
            .bind(q.end)
            .bind(&q.types)
            .bind(cursor.map(|c| c.0))
            .bind(cursor.map_or(0, |c| c.1))
            .bind(limit as i64 + 1)
            .fetch_all(&self.pool)
            .await?;
        let has_more = rows.len() > limit as usize;
        let mut events = Vec::with_capacity(rows.len().min(limit as usize));
        let mut last_pos = None;
        for row in rows.iter().take(limit as usize) {
            let pos: DateTime<Utc> = row.try_get("pos")?;
            let e = timeline_event(row)?;
            last_pos = Some(format!("{}_{}", pos.timestamp_micros(), e.version));
            events.push(e);
        }
        Ok(TimelinePage { events, next_cursor: if has_more { last_pos } else { None } })
    }

    /// What changed between `from` and `to` (both as known at `known_at`), and the events that
    /// took effect in between.
    pub async fn diff(
        &self,
        fund_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        known_at: Option<DateTime<Utc>>,
    ) -> Result<DiffView, StoreError> {
        if from > to {
            return Err(StoreError::invalid("to", "is before from"));
        }
        let a = self.state(fund_id, from, known_at).await?;
        let b = self.state(fund_id, to, known_at).await?;
        let page = self
            .timeline(
                fund_id,
                &TimelineQuery {
                    start: Some(from + chrono::Duration::microseconds(1)),
                    end: Some(to),
                    limit: Some(MAX_TIMELINE_LIMIT),
                    ..Default::default()
                },
            )
            .await?;
        let events: Vec<TimelineEvent> = page.events.into_iter().filter(|e| e.version <= b.version).collect();
        Ok(DiffView { diff: diff(&a.state, from, &b.state, to), events, events_truncated: page.next_cursor.is_some() })
    }
}

/// Names of the fund's companies, for showing timelines (company ids mean nothing to people).
pub fn company_names(state: &FundState) -> std::collections::HashMap<Uuid, String> {
    state.companies.iter().map(|(id, c)| (*id, c.name.clone())).collect()
}

fn parse_cursor(s: &str) -> Result<(DateTime<Utc>, i64), StoreError> {
    let bad = || StoreError::invalid("cursor", "is not a cursor returned by this endpoint");
    let (micros, version) = s.split_once('_').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let version: i64 = version.parse().ok().filter(|v| *v >= 0).ok_or_else(bad)?;
    let at = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
    domain::dates::check_moment(at).map_err(|_| bad())?;
    Ok((at, version))
}

fn timeline_event(row: &sqlx::postgres::PgRow) -> Result<TimelineEvent, StoreError> {
    Ok(TimelineEvent {
        version: row.try_get::<i64, _>("version")? as u64,
        event_type: row.try_get("event_type")?,
        effective_at: row.try_get("effective_at")?,
        recorded_at: row.try_get("recorded_at")?,
        company_id: row.try_get("company_id")?,
        payload: row.try_get("payload")?,
        reversed_by: row.try_get::<Option<i64>, _>("reversed_by")?.map(|v| v as u64),
    })
}
