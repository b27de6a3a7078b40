//! One small runner for the background work queued in PostgreSQL (alert deliveries, reserve runs).
//!
//! A queue says how to claim its next item (with `FOR UPDATE SKIP LOCKED`, so any number of server
//! processes share the work and none takes an item twice) and how to process it. The runner keeps
//! `concurrency` tasks claiming and processing, and sleeps between items until a NOTIFY on the
//! queue's channel wakes it, until the queue's next item falls due, or until the poll interval
//! passes — a notification sent while the listener was reconnecting is lost, the poll catches it.
//! Nothing a queue needs lives only in one process's memory.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use app::store::{Store, StoreError};
use tokio::sync::{watch, Mutex, Notify};
use tokio::task::JoinHandle;

/// A kind of background work stored in PostgreSQL.
pub trait JobQueue: Send + Sync + 'static {
    /// An item claimed by this process.
    type Claim: Send + 'static;

    /// The queue's name in logs.
    const NAME: &'static str;
    /// The NOTIFY channel announcing new items.
    const CHANNEL: &'static str;

    /// The next item to do, if any.
    fn claim(&self) -> impl Future<Output = Result<Option<Self::Claim>, StoreError>> + Send;

    /// Does the item and records its outcome; errors are the queue's to record.
    fn process(&self, claim: Self::Claim) -> impl Future<Output = ()> + Send;

    /// How long until an item already queued falls due (e.g. a retry), if the queue knows.
    fn next_due(&self) -> impl Future<Output = Option<Duration>> + Send {
        async { None }
    }

    /// Called when the runner is killed mid-item (tests simulating a crash): stop CPU work that
    /// would otherwise go on in blocking threads.
    fn on_abort(&self) {}
}

/// Handle on a running queue's tasks.
pub struct Runner {
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    on_abort: Box<dyn Fn() + Send + Sync>,
}

struct Shared<Q> {
    store: Store,
    queue: Arc<Q>,
    poll_interval: Duration,
    wake: Notify,
}

impl Runner {
    /// Starts `concurrency` workers (at least one) and the listener that wakes them.
    pub fn spawn<Q: JobQueue>(store: Store, queue: Arc<Q>, concurrency: usize, poll_interval: Duration) -> Runner {
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared { store, queue: queue.clone(), poll_interval, wake: Notify::new() });
        let mut tasks = vec![tokio::spawn(listen(shared.clone(), stop_rx.clone()))];
        for _ in 0..concurrency.max(1) {
            tasks.push(tokio::spawn(work(shared.clone(), stop_rx.clone())));
        }
        Runner { stop, tasks: Mutex::new(tasks), on_abort: Box::new(move || queue.on_abort()) }
    }

    /// Stops the workers between items (an item in progress finishes and is recorded first).
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut *self.tasks.lock().await);
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Kills the workers at once, mid-item if need be, as a crash would (tests).
    pub async fn abort(&self) {
        for t in self.tasks.lock().await.drain(..) {
            t.abort();
        }
        (self.on_abort)();
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Forwards NOTIFY wake-ups; after a (re)connect it wakes everyone, as notifications may be lost.
async fn listen<Q: JobQueue>(shared: Arc<Shared<Q>>, mut stop: watch::Receiver<bool>) {
    loop {
        let mut listener = match shared.store.listener(Q::CHANNEL).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(queue = Q::NAME, error = %e, "queue listener cannot connect; relying on polling");
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(shared.poll_interval) => continue,
                }
            }
        };
        shared.wake.notify_waiters();
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                n = listener.try_recv() => match n {
                    Ok(Some(_)) => shared.wake.notify_waiters(),
                    // Connection lost: try_recv reconnects on the next call; wake to re-read.
                    Ok(None) => shared.wake.notify_waiters(),
                    Err(e) => {
                        tracing::warn!(queue = Q::NAME, error = %e, "queue listener failed");
                        break;
                    }
                },
            }
        }
    }
}

async fn work<Q: JobQueue>(shared: Arc<Shared<Q>>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        // Register interest before looking, so a NOTIFY between the look and the wait counts.
        let woken = shared.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        match shared.queue.claim().await {
            Ok(Some(claim)) => {
                shared.queue.process(claim).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(queue = Q::NAME, error = %e, "claiming work failed"),
        }
        let wait = shared.queue.next_due().await.map_or(shared.poll_interval, |d| d.min(shared.poll_interval));
        tokio::select! {
            _ = stop.changed() => break,
            _ = &mut woken => {}
            _ = tokio::time::sleep(wait.max(Duration::from_millis(5))) => {}
        }
    }
}
