//! A run's progress as server-sent events: `progress` events while it is queued or running, then
//! exactly one of `result`, `failed` or `cancelled`, then the stream ends.
//!
//! Event ids make `Last-Event-ID` resumption stateless (any process can resume any stream):
//! a progress event's id is its fraction in thousandths (0–1000), the final event's is 1001. A
//! resumed stream sends only progress beyond the id it was given, and the final event unless that
//! was the id. Updates come from the process's [`ProgressHub`]; a stream also re-reads the row
//! every second, so nothing depends on a notification arriving.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use app::store::{ReserveRun, RunStatus, Store};
use axum::response::sse::Event;
use chrono::Utc;
use futures_util::stream::{self, Stream};
use serde_json::json;
use tokio::sync::broadcast;

use super::progress_hub::{ProgressHub, SharedRun};

/// Id of the final event.
pub const FINAL_EVENT_ID: i64 = 1_001;
/// How long a stream waits for a notification before reading the row itself.
const FALLBACK_POLL: Duration = Duration::from_secs(1);

struct Cursor {
    store: Store,
    updates: broadcast::Receiver<Arc<SharedRun>>,
    run: Arc<SharedRun>,
    /// Highest event id sent (or given by Last-Event-ID); -1 before any.
    sent: i64,
    /// The run's state has changed since it was last looked at.
    fresh: bool,
    done: bool,
}

/// The event stream of `run` for one client, resuming after `last_event_id`.
pub fn run_events(store: Store, hub: &ProgressHub, run: ReserveRun, last_event_id: Option<i64>) -> impl Stream<Item = Result<Event, Infallible>> {
    let cursor = Cursor { updates: hub.follow(run.id), store, run: Arc::new(SharedRun::new(run)), sent: last_event_id.unwrap_or(-1), fresh: true, done: false };
    stream::unfold(cursor, |mut c| async move {
        loop {
            if c.done {
                return None;
            }
            if c.fresh {
                c.fresh = false;
                if let Some(event) = next_event(&mut c) {
                    return Some((Ok(event), c));
                }
                if c.done {
                    return None;
                }
            }
            wait_for_change(&mut c).await;
        }
    })
}

/// The event the current state calls for, if any.
fn next_event(c: &mut Cursor) -> Option<Event> {
    let shared = c.run.clone();
    let run = &shared.run;
    if run.status.is_final() {
        c.done = true;
        if c.sent >= FINAL_EVENT_ID {
            return None;
        }
        c.sent = FINAL_EVENT_ID;
        let name = match run.status {
            RunStatus::Succeeded => "result",
            RunStatus::Failed => "failed",
            _ => "cancelled",
        };
        let data = shared.final_data(final_data);
        return Some(Event::default().event(name).id(FINAL_EVENT_ID.to_string()).data(data));
    }
    let thousandths = (run.progress * 1_000.0).floor().clamp(0.0, 1_000.0) as i64;
    if thousandths <= c.sent {
        return None;
    }
    c.sent = thousandths;
    Some(Event::default().event("progress").id(thousandths.to_string()).data(progress_data(run).to_string()))
}

/// The final event's data: the whole run with its report, or why it failed, or that it was cancelled.
fn final_data(run: &ReserveRun) -> String {
    let value = match run.status {
        RunStatus::Succeeded => serde_json::to_value(run).unwrap_or_default(),
        RunStatus::Failed => json!({"run_id": run.id, "status": "failed", "error": run.error, "field": run.error_field}),
        _ => json!({"run_id": run.id, "status": "cancelled"}),
    };
    value.to_string()
}

/// `{run_id, status, fraction, phase, elapsed_ms, remaining_ms}`; the estimate extrapolates the
/// time since the run started at its current pace (null until there is a pace to go by).
fn progress_data(run: &ReserveRun) -> serde_json::Value {
    let elapsed_ms = run.started_at.map(|s| (Utc::now() - s).num_milliseconds().max(0));
    let remaining_ms = match elapsed_ms {
        Some(e) if run.progress > 0.0 && run.status == RunStatus::Running => Some(((e as f64) * (1.0 - run.progress) / run.progress).round() as i64),
        _ => None,
    };
    json!({
        "run_id": run.id,
        "status": run.status,
        "fraction": (run.progress * 1_000.0).floor() / 1_000.0,
        "phase": run.phase,
        "elapsed_ms": elapsed_ms,
        "remaining_ms": remaining_ms,
    })
}

async fn wait_for_change(c: &mut Cursor) {
    tokio::select! {
        update = c.updates.recv() => match update {
            Ok(run) => {
                c.run = run;
                c.fresh = true;
            }
            // Fell behind: progress is cumulative, the newest is enough.
            Err(broadcast::error::RecvError::Lagged(_)) => re_read(c).await,
            // The hub went away: poll.
            Err(broadcast::error::RecvError::Closed) => {
                tokio::time::sleep(FALLBACK_POLL).await;
                re_read(c).await;
            }
        },
        _ = tokio::time::sleep(FALLBACK_POLL) => re_read(c).await,
    }
}

async fn re_read(c: &mut Cursor) {
    match c.store.reserve_run_by_id(c.run.run.id).await {
        Ok(Some(run)) => {
            c.run = Arc::new(SharedRun::new(run));
            c.fresh = true;
        }
        Ok(None) => c.done = true,
        Err(e) => tracing::warn!(run_id = %c.run.run.id, error = %e, "re-reading a reserve run failed; retrying"),
    }
}
