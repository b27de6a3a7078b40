//! Executes queued reserve runs (any server process may): the simulation runs on rayon inside
//! `spawn_blocking`, never on the async runtime, while this task sends a heartbeat every 500 ms,
//! writes progress at most ten times a second, and raises the engine's cancel flag when the run's
//! row asks for it (from any process) or when the run passes its time limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::reserves::service::StoredInput;
use app::store::{ClaimedRun, RunOutcome, Store, StoreError, RESERVE_QUEUE_CHANNEL};
use domain::reserves::{ReserveError, RunParams};
use uuid::Uuid;

use super::lock;
use crate::config::ReserveConfig;
use crate::jobs::{JobQueue, Runner};

/// How often the executing process says it is alive (and reads the cancel flag).
pub const HEARTBEAT_EVERY: Duration = Duration::from_millis(500);
/// How often progress is looked at.
const PROGRESS_POLL: Duration = Duration::from_millis(20);
/// Progress is written when it moved: the first movement at once (a short run still shows a
/// value between 0 and done), then at most once per this interval (≤ 10 writes/s per run).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Handle on this process's reserve workers.
pub struct ReserveWorker {
    runner: Runner,
}

impl ReserveWorker {
    pub fn spawn(store: Store, config: ReserveConfig) -> ReserveWorker {
        let worker_id = format!("{}:{}:{}", hostname(), std::process::id(), &Uuid::new_v4().simple().to_string()[..8]);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.threads)
            .thread_name(|i| format!("reserve-sim-{i}"))
            .start_handler(|_| lower_priority())
            .build()
            .map(Arc::new)
            .map_err(|e| tracing::warn!(error = %e, "no reserve thread pool; runs use the global one"))
            .ok();
        let queue = Arc::new(RunQueue { store: store.clone(), config: config.clone(), worker_id, in_flight: Mutex::default(), pool });
        ReserveWorker { runner: Runner::spawn(store, queue, config.concurrency, config.poll_interval) }
    }

    /// Stops between runs (a run in progress finishes and is recorded first).
    pub async fn shutdown(&self) {
        self.runner.shutdown().await;
    }

    /// Kills the workers mid-run, as a crash would: no more heartbeats, nothing recorded (tests).
    pub async fn abort(&self) {
        self.runner.abort().await;
    }
}

struct RunQueue {
    store: Store,
    config: ReserveConfig,
    /// host:pid:random — tells this process's claims from another's, also for two servers in one test process.
    worker_id: String,
    /// Cancel flags of the runs this process is executing.
    in_flight: Mutex<HashMap<Uuid, Arc<AtomicBool>>>,
    /// RESERVE_THREADS threads for the simulation, apart from the async runtime's.
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl JobQueue for RunQueue {
    type Claim = ClaimedRun;
    const NAME: &'static str = "reserve runs";
    const CHANNEL: &'static str = RESERVE_QUEUE_CHANNEL;

    async fn claim(&self) -> Result<Option<ClaimedRun>, StoreError> {
        self.store.claim_reserve_run(&self.worker_id, self.config.heartbeat_stale).await
    }

    async fn process(&self, claim: ClaimedRun) {
        let run_id = claim.run.id;
        let outcome = self.execute(claim).await;
        lock(&self.in_flight).remove(&run_id);
        let Some(outcome) = outcome else { return };
        let status = match &outcome {
            RunOutcome::Succeeded { .. } => "succeeded",
            RunOutcome::Failed { .. } => "failed",
            RunOutcome::Cancelled => "cancelled",
        };
        match self.store.finish_reserve_run(run_id, &self.worker_id, &outcome).await {
            Ok(true) => {
                metrics::counter!("reserve_runs_finished_total", "status" => status).increment(1);
                if let RunOutcome::Succeeded { duration_ms, .. } = outcome {
                    metrics::histogram!("reserve_run_duration_seconds").record(duration_ms as f64 / 1_000.0);
                    self.remember(run_id).await;
                }
                if status == "failed" {
                    metrics::counter!("reserve_runs_failed_total").increment(1);
                }
            }
            Ok(false) => tracing::info!(%run_id, "reserve run was taken over by another process; result dropped"),
            Err(e) => tracing::error!(%run_id, error = %e, "recording a reserve run's outcome failed; another process will run it again"),
        }
    }

    fn on_abort(&self) {
        for flag in lock(&self.in_flight).values() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

impl RunQueue {
    /// Runs the simulation; `None` when the run is no longer this process's to record.
    async fn execute(&self, claim: ClaimedRun) -> Option<RunOutcome> {
        let run_id = claim.run.id;
        let (portfolio, params) = match decode(claim) {
            Ok(v) => v,
            Err(error) => return Some(RunOutcome::Failed { error, field: None }),
        };
        let cancel = Arc::new(AtomicBool::new(false));
        lock(&self.in_flight).insert(run_id, cancel.clone());
        let progress = Arc::new(AtomicU64::new(0f64.to_bits()));
        let started = Instant::now();
        let (flag, fraction, pool) = (cancel.clone(), progress.clone(), self.pool.clone());
        let mut job = tokio::task::spawn_blocking(move || {
            let report = |f: f64| raise(&fraction, f);
            let simulate = || domain::reserves::run_fund(&portfolio, &params, &report, &flag);
            match pool {
                Some(pool) => pool.install(simulate),
                None => simulate(),
            }
        });
        let deadline = tokio::time::sleep(self.config.run_timeout);
        tokio::pin!(deadline);
        let mut ticks = tokio::time::interval(PROGRESS_POLL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let (mut written, mut last_beat, mut timed_out, mut abandoned) = (0.0f64, Instant::now(), false, false);
        let mut last_progress_write: Option<Instant> = None;
        let result = loop {
            tokio::select! {
                done = &mut job => break done,
                _ = &mut deadline, if !timed_out => {
                    timed_out = true;
                    cancel.store(true, Ordering::Relaxed);
                }
                _ = ticks.tick() => {
                    let f = f64::from_bits(progress.load(Ordering::Relaxed));
                    let moved = f > written && last_progress_write.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
                    if !moved && last_beat.elapsed() < HEARTBEAT_EVERY {
                        continue;
                    }
                    if moved {
                        last_progress_write = Some(Instant::now());
                    }
                    let phase = if f >= 0.99 { "ranking" } else { "simulating" };
                    match self.store.reserve_run_heartbeat(run_id, &self.worker_id, moved.then_some((f, phase))).await {
                        Ok(beat) => {
                            if !beat.still_ours {
                                abandoned = true;
                                cancel.store(true, Ordering::Relaxed);
                            }
                            if beat.cancel_requested {
                                cancel.store(true, Ordering::Relaxed);
                            }
                        }
                        Err(e) => tracing::warn!(%run_id, error = %e, "reserve run heartbeat failed"),
                    }
                    if moved {
                        written = f;
                    }
                    last_beat = Instant::now();
                }
            }
        };
        if abandoned {
            return None;
        }
        let duration_ms = started.elapsed().as_millis() as i64;
        Some(match result {
            Ok(Ok(report)) => match serde_json::to_value(&report) {
                Ok(result) => RunOutcome::Succeeded { result, duration_ms },
                Err(e) => RunOutcome::Failed { error: format!("the result could not be encoded: {e}"), field: None },
            },
            Ok(Err(ReserveError::Cancelled)) if timed_out => RunOutcome::Failed {
                error: format!("the run took longer than RESERVE_RUN_TIMEOUT_S ({} s) and was stopped; try fewer iterations", self.config.run_timeout.as_secs()),
                field: Some("iterations".into()),
            },
            Ok(Err(ReserveError::Cancelled)) => RunOutcome::Cancelled,
            Ok(Err(ReserveError::Invalid { field, message })) => RunOutcome::Failed { error: format!("{field}: {message}"), field: Some(field) },
            Err(e) => {
                tracing::error!(%run_id, error = %e, "reserve simulation panicked");
                RunOutcome::Failed { error: "the simulation stopped unexpectedly; it has been logged".into(), field: None }
            }
        })
    }

    /// Puts a finished result into this process's cache.
    async fn remember(&self, run_id: Uuid) {
        if let Ok(Some(run)) = self.store.reserve_run_by_id(run_id).await {
            self.store.reserve_cache().insert(run.cache_key.clone(), Arc::new(run));
        }
    }
}

/// The stored engine input and parameters of a claimed run.
fn decode(claim: ClaimedRun) -> Result<(domain::reserves::FundPortfolio, RunParams), String> {
    let input: StoredInput = serde_json::from_value(claim.input).map_err(|e| format!("stored run input unreadable: {e}"))?;
    let params: RunParams = serde_json::from_value(claim.params).map_err(|e| format!("stored run parameters unreadable: {e}"))?;
    Ok((input.into_portfolio(), params))
}

/// Records a progress fraction from any rayon thread; keeps the highest seen.
fn raise(slot: &AtomicU64, f: f64) {
    let mut current = slot.load(Ordering::Relaxed);
    while f > f64::from_bits(current) {
        match slot.compare_exchange_weak(current, f.to_bits(), Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break,
            Err(seen) => current = seen,
        }
    }
}

/// Makes the calling thread yield to the request-serving threads when cores are short: a run
/// takes longer on a busy machine rather than slowing every page and health check.
fn lower_priority() {
    // SAFETY: nice(2) only changes the calling thread's scheduling priority (on Linux, per thread).
    #[cfg(target_os = "linux")]
    unsafe {
        libc::nice(10);
    }
}


fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "host".into())
}
