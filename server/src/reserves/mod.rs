//! Optimal Reserves on the server: the worker that executes durable reserve runs, and the
//! progress streams (SSE) that follow them from any process.

pub mod events_stream;
pub mod progress_hub;
pub mod refresher;
pub mod worker;

pub use progress_hub::ProgressHub;
pub use worker::ReserveWorker;

/// A mutex's guard; a poisoned lock (a panic while held) still guards plain bookkeeping data.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
