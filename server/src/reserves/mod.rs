//! Optimal Reserves on the server: the worker that executes durable reserve runs, and the
//! progress streams (SSE) that follow them from any process.

pub mod events_stream;
pub mod progress_hub;
pub mod refresher;
pub mod worker;

pub use progress_hub::ProgressHub;
pub use worker::ReserveWorker;
