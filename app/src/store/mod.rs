//! The event store on PostgreSQL (server side only): append, bitemporal state, snapshots,
//! timeline and diff. Every query is written out here; no SQL lives anywhere else.

pub mod accounts;
mod actuals;
mod alert_rules;
mod alerts;
mod append;
pub mod audit;
mod append_optimistic;
mod append_write;
mod error;
mod funds;
mod head;
mod import;
mod import_replay;
mod import_snapshots;
mod ledger;
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
pub use alerts::{AlertFilter, AlertRecord, DeliveryRecord, MAX_ALERTS_LIMIT, MAX_OUTBOUND_PER_WRITE, OUTBOX_CHANNEL};
pub use notification_settings::NotificationSettingsView;
pub use outbox::{ClaimedDelivery, Delivery};
pub use reserve_scenarios::{ReserveScenario, MAX_SCENARIOS};
pub use reserve_runs::{
    ClaimedRun, Heartbeat, NewReserveRun, ReserveRun, RunOutcome, RunStatus, MAX_RUNS_LISTED, RESERVE_EVENTS_CHANNEL, RESERVE_QUEUE_CHANNEL,
};
pub use audit::{AuditActor, AuditAction, MAX_AUDIT_LIMIT};
pub use append::{AppendOutcome, AppendRequest, AppendedEvent, EventMetadata, MAX_BATCH};
pub use error::{event_field, StoreError};
pub use funds::FundSummary;
pub use ledger::{LedgerUpload, MAX_UPLOAD_BYTES};
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
    /// Every per-process cache, behind one pointer (a `Store` is cloned for each request).
    caches: Arc<Caches>,
    access: Arc<accounts::AccessCache>,
    /// The head one page request read first (see [`FundHead`]); `None` outside page renders.
    head: Option<FundHead>,
}

/// A fund's event version and page revision as read once at the start of a page request (by the
/// page cache, which keys the page by that revision). The render's reads of that fund use it, so
/// every part of the page sees the same version, and they do not each ask the database again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundHead {
    pub fund_id: Uuid,
    pub version: u64,
    pub revision: u64,
    /// recorded_at of the last event, and the latest effective date (`None` before the first):
    /// what `Store::state` needs of the head, so a page's state read needs no second query.
    pub last_recorded_at: chrono::DateTime<chrono::Utc>,
    pub max_effective_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What one server process keeps in memory. Each entry is either keyed by something immutable
/// (a snapshot id, a run id, a set of committed events) or revalidated on every read (the latest
/// state against the fund's head, pages against the fund's revision), so none is ever served
/// stale; the bounds only limit memory.
#[derive(Clone)]
struct Caches {
    latest: Cache<Uuid, Arc<Latest>>,
    snapshots: Cache<i64, Arc<FundState>>,
    /// States read by `state()` (see `state::StateKey`): a key names a fixed set of committed
    /// events; bounded in number and idle time.
    states: Cache<state::StateKey, Arc<FundState>>,
    series: Cache<(Uuid, u64, chrono::NaiveDate), Arc<Vec<domain::time_machine::SeriesPoint>>>,
    /// Reserve-run results by cache key (`reserves::service`): the key holds the fund version
    /// the dates see, so an append never makes an entry stale; the TTL only bounds memory.
    reserve_results: Cache<String, Arc<ReserveRun>>,
    /// Decoded reports of succeeded runs by run id: a result never changes once written.
    reserve_reports: Cache<Uuid, Arc<domain::reserves::ReserveReport>>,
    /// The Reserves tab's parameter and calibration tables per set of assumptions (their JSON):
    /// pure, so never stale.
    reserve_tables: Cache<String, Arc<crate::reserves::page_data::AssumptionTables>>,
    /// The Reserves tab's quarter-end history per (fund, fund revision, date, today), kept only
    /// once every quarter end has its ranking: a finished run bumps the revision.
    reserve_history: Cache<(Uuid, u64, chrono::NaiveDate, chrono::NaiveDate), Arc<Vec<crate::reserves::page_data::QuarterRanking>>>,
    /// Forecasts and actuals per (fund, version): a version names a fixed set of events; weighed
    /// by the number of facts.
    version_facts: Cache<(Uuid, u64), Arc<actuals::VersionFacts>>,
    /// The fund's companies per (fund, head version): fixed by the version.
    companies: Cache<(Uuid, u64), Arc<Vec<actuals::CompanyEntry>>>,
    /// Per (fund, revision), which every change to them bumps in the same transaction: the unread
    /// alert count, the share links and the snapshot list that every hub page shows.
    unread: Cache<(Uuid, u64), u64>,
    share_links: Cache<(Uuid, u64), Arc<Vec<accounts::ShareLink>>>,
    snapshot_lists: Cache<(Uuid, u64), Arc<Vec<SnapshotInfo>>>,
    /// Also per (fund, revision): the alert rules and the saved reserve scenarios (without results).
    alert_rules: Cache<(Uuid, u64), Arc<Vec<alert_rules::AlertRule>>>,
    scenario_lists: Cache<(Uuid, u64), Arc<Vec<ReserveScenario>>>,
    /// Also per (fund, revision), with the date and the number asked for: the Overview's open
    /// alerts (how many, and the worst few) as of a date.
    open_alerts: Cache<(Uuid, u64, chrono::DateTime<chrono::Utc>, usize), Arc<(usize, Vec<AlertRecord>)>>,
    /// Also per (fund, revision), which every run's finish or cancellation bumps: the latest
    /// succeeded run for (as of, known at), if any (the Overview and Reserves tabs read it).
    latest_rankings: Cache<(Uuid, u64, chrono::DateTime<chrono::Utc>, Option<chrono::DateTime<chrono::Utc>>), Option<Arc<ReserveRun>>>,
    /// Signing secrets by name, for [`SIGNING_SECRET_TTL`]: another process's rotation reaches
    /// this one's new signatures within that time (old signatures verify meanwhile, as
    /// `server_secrets_for_verifying` reads the database every time).
    signing_secrets: Cache<String, Arc<Vec<u8>>>,
}

/// `cache`'s entry for `key`, or else `read`'s answer, kept there. For the caches whose key alone
/// keeps an entry current: a revision or version in it (an entry never outlives a change), or an
/// id of something immutable.
async fn kept<K, V>(
    cache: &Cache<K, V>,
    key: K,
    read: impl std::future::Future<Output = Result<V, StoreError>>,
) -> Result<V, StoreError>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    if let Some(found) = cache.get(&key) {
        return Ok(found);
    }
    let found = read.await?;
    cache.insert(key, found.clone());
    Ok(found)
}

/// How long a signing secret is kept in memory (`Store::server_secret`).
pub const SIGNING_SECRET_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// How long a reserve result stays in memory by default (RESERVE_CACHE_TTL_S).
pub const DEFAULT_RESERVE_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(3_600);

impl Store {
    /// `snapshot_every`: events between automatic snapshots (SNAPSHOT_FREQUENCY).
    pub fn new(pool: PgPool, snapshot_every: u64) -> Self {
        Store {
            pool,
            snapshot_every: snapshot_every.max(1),
            caches: Arc::new(Caches {
                latest: Cache::new(1_000),
                snapshots: Cache::new(20_000),
                states: Cache::builder().max_capacity(128).time_to_idle(std::time::Duration::from_secs(600)).build(),
                series: Cache::new(1_000),
                reserve_results: reserve_cache(DEFAULT_RESERVE_CACHE_TTL),
                reserve_reports: Cache::new(256),
                reserve_tables: Cache::new(64),
                reserve_history: Cache::new(1_000),
                version_facts: Cache::builder()
                    .weigher(|_: &(Uuid, u64), f: &Arc<actuals::VersionFacts>| f.len().try_into().unwrap_or(u32::MAX))
                    .max_capacity(500_000)
                    .build(),
                companies: Cache::new(1_000),
                unread: Cache::new(1_000),
                share_links: Cache::new(1_000),
                snapshot_lists: Cache::new(1_000),
                alert_rules: Cache::new(1_000),
                scenario_lists: Cache::new(1_000),
                open_alerts: Cache::new(1_000),
                latest_rankings: Cache::new(1_000),
                signing_secrets: Cache::builder().max_capacity(16).time_to_live(SIGNING_SECRET_TTL).build(),
            }),
            access: Arc::new(accounts::AccessCache::new()),
            head: None,
        }
    }

    /// The same store for one page request that read `head` first.
    pub fn with_head(&self, head: FundHead) -> Store {
        Store { head: Some(head), ..self.clone() }
    }

    /// The head this request read of `fund_id`, if it is a page request of that fund.
    fn head_of(&self, fund_id: Uuid) -> Option<FundHead> {
        self.head.filter(|h| h.fund_id == fund_id)
    }

    /// The same store with reserve results kept in memory for `ttl`.
    pub fn with_reserve_cache_ttl(mut self, ttl: std::time::Duration) -> Self {
        let mut caches = self.caches.as_ref().clone();
        caches.reserve_results = reserve_cache(ttl);
        self.caches = Arc::new(caches);
        self
    }

    pub fn reserve_cache(&self) -> &Cache<String, Arc<ReserveRun>> {
        &self.caches.reserve_results
    }

    pub fn reserve_tables_cache(&self) -> &Cache<String, Arc<crate::reserves::page_data::AssumptionTables>> {
        &self.caches.reserve_tables
    }

    pub fn reserve_history_cache(&self) -> &Cache<(Uuid, u64, chrono::NaiveDate, chrono::NaiveDate), Arc<Vec<crate::reserves::page_data::QuarterRanking>>> {
        &self.caches.reserve_history
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
