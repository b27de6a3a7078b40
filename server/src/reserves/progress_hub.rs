//! Fans reserve-run changes out to this process's progress streams. One PostgreSQL listener per
//! process (not one per browser): on each NOTIFY for a run somebody here follows, the run's row
//! is read once and handed to every stream of that run. After the listener reconnects —
//! notifications sent meanwhile are lost — every followed run is read again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::store::{ReserveRun, Store, RESERVE_EVENTS_CHANNEL};
use tokio::sync::broadcast;

use super::lock;
use uuid::Uuid;

/// Updates one stream may lag behind before it skips to the newest (progress is cumulative).
const BUFFER: usize = 16;

/// A run as read once for all of this process's streams that follow it. The final event's JSON
/// (the whole report, tens of KB) is serialised once and shared, not once per listener.
#[derive(Debug)]
pub struct SharedRun {
    pub run: ReserveRun,
    final_data: std::sync::OnceLock<String>,
}

impl SharedRun {
    pub fn new(run: ReserveRun) -> SharedRun {
        SharedRun { run, final_data: std::sync::OnceLock::new() }
    }

    /// `make`'s output, computed by the first stream that asks.
    pub fn final_data(&self, make: impl FnOnce(&ReserveRun) -> String) -> &str {
        self.final_data.get_or_init(|| make(&self.run))
    }
}

pub struct ProgressHub {
    store: Store,
    followed: Mutex<HashMap<Uuid, broadcast::Sender<Arc<SharedRun>>>>,
}

impl ProgressHub {
    /// Starts the hub and its listener task.
    pub fn start(store: Store) -> Arc<ProgressHub> {
        let hub = Arc::new(ProgressHub { store, followed: Mutex::default() });
        tokio::spawn(listen(Arc::downgrade(&hub)));
        hub
    }

    /// Updates of `run_id` from now on.
    pub fn follow(&self, run_id: Uuid) -> broadcast::Receiver<Arc<SharedRun>> {
        let mut followed = lock(&self.followed);
        followed.retain(|_, tx| tx.receiver_count() > 0);
        followed.entry(run_id).or_insert_with(|| broadcast::channel(BUFFER).0).subscribe()
    }

    /// Reads `run_id` and passes it on, if anybody here follows it.
    async fn refresh(&self, run_id: Uuid) {
        let followed = lock(&self.followed).get(&run_id).filter(|tx| tx.receiver_count() > 0).cloned();
        let Some(tx) = followed else { return };
        match self.store.reserve_run_by_id(run_id).await {
            Ok(Some(run)) => {
                let _ = tx.send(Arc::new(SharedRun::new(run)));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(%run_id, error = %e, "reading a reserve run for its followers failed"),
        }
    }

    async fn refresh_all(&self) {
        let ids: Vec<Uuid> = lock(&self.followed).keys().copied().collect();
        for id in ids {
            self.refresh(id).await;
        }
    }
}

async fn listen(hub: std::sync::Weak<ProgressHub>) {
    loop {
        let Some(store) = hub.upgrade().map(|h| h.store.clone()) else { return };
        let mut listener = match store.listener(RESERVE_EVENTS_CHANNEL).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "reserve progress listener cannot connect; streams poll meanwhile");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        drop(store);
        if let Some(h) = hub.upgrade() {
            h.refresh_all().await;
        }
        loop {
            let next = listener.try_recv().await;
            let Some(h) = hub.upgrade() else { return };
            match next {
                Ok(Some(n)) => {
                    if let Ok(id) = n.payload().parse::<Uuid>() {
                        h.refresh(id).await;
                    }
                }
                // Reconnected: what was sent meanwhile is lost, so read everything followed again.
                Ok(None) => h.refresh_all().await,
                Err(e) => {
                    tracing::warn!(error = %e, "reserve progress listener failed");
                    break;
                }
            }
        }
    }
}
