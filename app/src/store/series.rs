use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::time_machine::{sample, SeriesPoint};
use uuid::Uuid;

use super::rows::event_from_row;
use super::{Store, StoreError};

impl Store {
    /// NAV, invested, distributed and called at each month end from the fund's first event to
    /// `until`, as known at `known_version`. One replay per (fund, knowledge), then cached.
    pub async fn series(&self, fund_id: Uuid, known_version: u64, until: DateTime<Utc>) -> Result<Arc<Vec<SeriesPoint>>, StoreError> {
        let key = (fund_id, known_version, until.date_naive());
        super::kept(&self.caches.series, key, async {
            let rows = sqlx::query(
                "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
                 WHERE fund_id = $1 AND version <= $2 ORDER BY effective_at, version",
            )
            .bind(fund_id)
            .bind(known_version as i64)
            .fetch_all(&self.pool)
            .await?;
            let events = rows.iter().map(event_from_row).collect::<Result<Vec<_>, _>>()?;
            let dates = match events.first() {
                Some(first) => month_ends(first.effective_at, until),
                None => Vec::new(),
            };
            Ok(Arc::new(sample(&events, &dates)))
        })
        .await
    }
}

/// The last moment of each month from `from`'s month to `until`, ending with `until` itself.
fn month_ends(from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    loop {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let Some(next_first) = NaiveDate::from_ymd_opt(ny, nm, 1) else { break };
        let end = next_first.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc() - chrono::Duration::microseconds(1);
        if end >= until {
            break;
        }
        out.push(end);
        (y, m) = (ny, nm);
    }
    out.push(until);
    out
}

impl Store {
    /// The distinct days on which the fund's events took effect (for the slider's tick marks).
    pub async fn event_days(&self, fund_id: Uuid) -> Result<Vec<NaiveDate>, StoreError> {
        let days: Vec<NaiveDate> = sqlx::query_scalar(
            "SELECT DISTINCT (effective_at AT TIME ZONE 'UTC')::date AS day FROM fund_events WHERE fund_id = $1 ORDER BY day",
        )
        .bind(fund_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(days)
    }
}
