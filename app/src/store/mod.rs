//! The event store on PostgreSQL (server side only): append, bitemporal state, snapshots,
//! timeline and diff. Every query is written out here; no SQL lives anywhere else.

pub mod accounts;
mod actuals;
mod alert_rules;
mod alerts;
mod append;
mod append_optimistic;
mod append_write;
mod error;
mod funds;
mod head;
mod import;
mod import_replay;
mod import_snapshots;
mod notification_settings;
mod outbox;
mod reserve_runs;
mod reserve_scenarios;
mod rows;
mod seed;
mod series;
mod snapshot_retake;
mod snapshots;
mod state;
mod timeline;

use std::sync::Arc;

use domain::fund::FundState;
use moka::sync::Cache;
use sqlx::PgPool;
use uuid::Uuid;

pub use actuals::{CompanyEntry, VarianceFacts};
pub use alert_rules::AlertRule;
pub use alerts::{AlertFilter, AlertRecord, DeliveryRecord, MAX_ALERTS_LIMIT, OUTBOX_CHANNEL};
pub use notification_settings::NotificationSettingsView;
pub use outbox::{ClaimedDelivery, Delivery};
pub use reserve_scenarios::{ReserveScenario, MAX_SCENARIOS};
pub use reserve_runs::{
    ClaimedRun, Heartbeat, NewReserveRun, ReserveRun, RunOutcome, RunStatus, MAX_RUNS_LISTED, RESERVE_EVENTS_CHANNEL, RESERVE_QUEUE_CHANNEL,
};
pub use append::{AppendOutcome, AppendRequest, AppendedEvent, EventMetadata, MAX_BATCH};
pub use error::StoreError;
pub use funds::FundSummary;
pub use snapshots::SnapshotInfo;
pub use state::StateAt;
pub use timeline::{company_names, DiffView, TimelineEvent, TimelineOrder, TimelinePage, TimelineQuery, MAX_TIMELINE_LIMIT};

/// Applies the SQL migrations embedded at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The latest state of a fund as this process last saw it, reused only when the database's head
/// still matches (so several server processes can share one database safely). An append stores
/// it just before its commit, so the next writer, woken by the commit, finds it; the version and
/// `last_recorded_at` together tell that entry apart from another process's append of the same
/// version should the commit fail (the entry is also dropped then).
#[derive(Debug)]
struct Latest {
    version: u64,
    last_recorded_at: chrono::DateTime<chrono::Utc>,
    state: FundState,
}

#[derive(Clone)]
pub struct Store {
    pool: PgPool,
    snapshot_every: u64,
    latest: Cache<Uuid, Arc<Latest>>,
    snapshots: Cache<i64, Arc<FundState>>,
    series: Cache<(Uuid, u64, chrono::NaiveDate), Arc<Vec<domain::time_machine::SeriesPoint>>>,
    access: Arc<accounts::AccessCache>,
    /// Reserve-run results by cache key (`reserves::service`): the key holds the fund version
    /// the dates see, so an append never makes an entry stale; the TTL only bounds memory.
    reserve_results: Cache<String, Arc<ReserveRun>>,
    /// The Reserves tab's calibration table per model (its JSON): pure, so never stale.
    calibration: Cache<String, Arc<Vec<crate::reserves::page_data::CalibrationRow>>>,
}

/// How long a reserve result stays in memory by default (RESERVE_CACHE_TTL_S).
pub const DEFAULT_RESERVE_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(3_600);

impl Store {
    /// `snapshot_every`: events between automatic snapshots (SNAPSHOT_FREQUENCY).
    pub fn new(pool: PgPool, snapshot_every: u64) -> Self {
        Store {
            pool,
            snapshot_every: snapshot_every.max(1),
            latest: Cache::new(1_000),
            snapshots: Cache::new(20_000),
            series: Cache::new(1_000),
            access: Arc::new(accounts::AccessCache::new()),
            reserve_results: reserve_cache(DEFAULT_RESERVE_CACHE_TTL),
            calibration: Cache::new(64),
        }
    }

    /// The same store with reserve results kept in memory for `ttl`.
    pub fn with_reserve_cache_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.reserve_results = reserve_cache(ttl);
        self
    }

    pub fn reserve_cache(&self) -> &Cache<String, Arc<ReserveRun>> {
        &self.reserve_results
    }

    pub fn calibration_cache(&self) -> &Cache<String, Arc<Vec<crate::reserves::page_data::CalibrationRow>>> {
        &self.calibration
    }

    /// A listener on one NOTIFY channel (background workers, progress streams).
    pub async fn listener(&self, channel: &str) -> Result<sqlx::postgres::PgListener, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(channel).await?;
        Ok(listener)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

fn reserve_cache(ttl: std::time::Duration) -> Cache<String, Arc<ReserveRun>> {
    Cache::builder().max_capacity(2_000).time_to_live(ttl).build()
}
