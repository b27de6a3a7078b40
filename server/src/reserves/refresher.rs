//! Keeps today's ranking current: every RESERVE_REFRESH_INTERVAL_MS, each fund whose events
//! changed since its latest ranking for today — and then stayed quiet for a moment, so an import
//! of 5,000 actuals queues one run, not 5,000 — gets a run with the default settings. Any number
//! of processes may run it: identical runs are deduplicated (one in progress per key).

use std::time::Duration;

use app::reserves::run_spec::{RawRunSpec, RunSpec};
use app::reserves::service::{request_run, Requester};
use app::store::{Store, StoreError};

/// A fund must have had no new event for this long before its ranking is refreshed.
pub const QUIET_FOR: Duration = Duration::from_secs(3);

pub fn spawn(store: Store, every: Duration, default_iterations: u32) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = refresh_once(&store, default_iterations).await {
                tracing::warn!(error = %e, "refreshing reserve rankings failed");
            }
        }
    });
}

/// One pass; returns how many runs it queued.
pub async fn refresh_once(store: &Store, default_iterations: u32) -> Result<usize, StoreError> {
    let mut queued = 0;
    for fund_id in store.funds_changed_since_ranking(QUIET_FOR).await? {
        let spec = RunSpec::parse(&RawRunSpec::default(), default_iterations, chrono::Utc::now())?;
        let who = Requester { user: None, actor: "automatic refresh after new events".into() };
        match request_run(store, fund_id, &who, &spec).await {
            Ok(answer) if answer.answered == app::reserves::service::Answered::Queued => queued += 1,
            Ok(_) => {}
            // A fund the default settings do not fit (say smaller than the $1M increment): its tab says why.
            Err(StoreError::Invalid { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(queued)
}
