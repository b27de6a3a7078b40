//! Snapshots for an imported history, in effective-date order, each marked with the version by
//! which everything up to its date was known.
//!
//! A snapshot at effective date T with version V holds every event with version <= V effective
//! on or before T. Taken at the end of a run of equal effective dates, with V the highest version
//! among the events up to there, it holds *every* event of the history effective on or before T,
//! so no event can ever invalidate it, and it serves every question asked with knowledge of V or
//! later: "as known now" everywhere, and past knowledge up to the last period complete by then.
//! (The appends' own snapshots, taken at the latest effective date, are invalidated by the next
//! late record almost at once in such a history, so the import writes only these.)

use chrono::{DateTime, Utc};
use domain::fund::{evolve, FundEvent, FundState};

/// One snapshot row, its state already JSON text.
pub(super) struct SnapshotRow {
    pub version: u64,
    pub effective_at: DateTime<Utc>,
    pub event_count: u64,
    pub state_json: String,
}

/// Folds `canonical` (the whole history in canonical order) and hands `emit` the snapshots every
/// `every` events (at the end of a run of equal dates), `chunk` at a time, so they need not all be
/// held at once. Stops early if `emit` returns false.
pub(super) fn completion_snapshots(
    canonical: &[FundEvent],
    every: u64,
    chunk: usize,
    mut emit: impl FnMut(Vec<SnapshotRow>) -> bool,
) -> Result<(), serde_json::Error> {
    let mut state = FundState::default();
    let mut since_last = 0;
    let mut complete_to = 0;
    let mut rows = Vec::with_capacity(chunk);
    for (i, event) in canonical.iter().enumerate() {
        state = evolve(state, event);
        since_last += 1;
        complete_to = complete_to.max(event.version);
        let run_ends = canonical.get(i + 1).is_none_or(|next| next.effective_at != event.effective_at);
        if since_last >= every && run_ends {
            since_last = 0;
            rows.push(SnapshotRow {
                version: complete_to,
                effective_at: event.effective_at,
                event_count: state.event_count,
                state_json: serde_json::to_string(&state)?,
            });
            if rows.len() == chunk && !emit(std::mem::replace(&mut rows, Vec::with_capacity(chunk))) {
                return Ok(());
            }
        }
    }
    if !rows.is_empty() {
        emit(rows);
    }
    Ok(())
}
