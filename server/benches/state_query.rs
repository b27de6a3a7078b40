//! Bitemporal state at a random date on a 100K-event fund, through the real store on real
//! PostgreSQL (docs/benchmarks.md, "Event store and HTTP"):
//!
//!   DATABASE_URL=postgres://postgres@127.0.0.1:<port>/fundlens cargo bench -p server --bench state_query
//!
//! Creates a fresh database on that cluster, imports `DemoSpec::large_fund` with
//! `Store::import_history` (timed: it is the batched-append path, in-process), then times
//! `store.state(fund, as_of, None)` and `store.state(fund, as_of, Some(known_at))` one after the
//! other for random dates after a warm-up, and prints p50/p95/p99/max. A second pass uses a fresh
//! `Store` (empty caches) without warm-up, as a server just after a restart. The database is
//! dropped at the end. The dates come from a fixed seed and the history from a fixed "now", so two
//! runs ask the same questions.
//!
//! Environment: BENCH_EVENTS (default 100000), BENCH_QUERIES (2000), BENCH_WARMUP (200),
//! SNAPSHOT_FREQUENCY (100, as the server), BENCH_KEEP_DB=1 keeps the database for EXPLAIN.
//! Without `--bench` (e.g. `cargo test --benches`) it does nothing: tests never need a database
//! for it and never measure time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use app::store::Store;
use chrono::{DateTime, TimeZone, Utc};
use domain::demo::{generate, DemoSpec};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// The history ends here, so every run generates the same events and dates.
fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().expect("valid date")
}

const SEED: u64 = 0x5747_4154_455f_5131;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("state_query: run with `cargo bench -p server --bench state_query` (needs DATABASE_URL)");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let events_wanted = env_number("BENCH_EVENTS", 100_000);
    let queries = env_number("BENCH_QUERIES", 2_000);
    let warmup = env_number("BENCH_WARMUP", 200);
    let snapshot_every = env_number("SNAPSHOT_FREQUENCY", 100) as u64;
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL must point at a PostgreSQL cluster (scripts/pg.sh start prints one)");

    let (database_url, name) = fresh_database(&base).await;
    let pool = PgPoolOptions::new().max_connections(8).connect(&database_url).await.expect("connect to the bench database");
    app::store::MIGRATOR.run(&pool).await.expect("migrations");
    let durability: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .expect("settings");
    println!(
        "state_query: database {name}; {}; SNAPSHOT_FREQUENCY={snapshot_every}",
        durability.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
    );

    let spec = DemoSpec::large_fund(fixed_now(), events_wanted);
    let t = Instant::now();
    let history = generate(&spec);
    println!("generate: {} events in {:.2} s", history.len(), t.elapsed().as_secs_f64());

    let store = Store::new(pool.clone(), snapshot_every);
    let t = Instant::now();
    let fund = store.import_history(&history).await.expect("import the large fund");
    let took = t.elapsed().as_secs_f64();
    println!(
        "import_history: {} events in {:.2} s = {:.0} events/s (one transaction, one validated append per recorded instant)",
        history.len(),
        took,
        history.len() as f64 / took
    );
    let (snapshots, invalidated): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(invalidated_by) FROM fund_snapshots WHERE fund_id = $1")
            .bind(fund)
            .fetch_one(&pool)
            .await
            .expect("snapshot counts");
    let late = history.windows(2).filter(|w| w[1].effective_at < w[0].effective_at).count();
    println!("snapshots: {snapshots} ({invalidated} invalidated by late events); events effective before their predecessor in recorded order: {late}");
    // Fresh statistics, as autovacuum would have after a bulk load this size.
    sqlx::query("ANALYZE").execute(&pool).await.expect("analyze");

    let first_effective = history.iter().map(|e| e.effective_at).min().expect("non-empty history");
    let last_effective = history.iter().map(|e| e.effective_at).max().expect("non-empty history");
    let first_recorded = history.first().expect("non-empty history").recorded_at;
    let last_recorded = history.last().expect("non-empty history").recorded_at;
    println!("effective {first_effective} .. {last_effective}; recorded {first_recorded} .. {last_recorded}");

    let mut rng = SplitMix64(SEED);
    let mut random_moment = |from: DateTime<Utc>, to: DateTime<Utc>| {
        let span = (to - from).num_seconds().max(1) as u64;
        from + chrono::Duration::seconds((rng.next() % span) as i64)
    };
    let warm: Vec<(DateTime<Utc>, DateTime<Utc>)> = (0..warmup)
        .map(|_| (random_moment(first_effective, last_effective), random_moment(first_recorded, last_recorded)))
        .collect();
    let dates: Vec<(DateTime<Utc>, DateTime<Utc>)> = (0..queries)
        .map(|_| (random_moment(first_effective, last_effective), random_moment(first_recorded, last_recorded)))
        .collect();

    for &(as_of, known_at) in &warm {
        black_box(store.state(fund, as_of, None).await.expect("state"));
        black_box(store.state(fund, as_of, Some(known_at)).await.expect("state"));
    }
    println!("\nwarm store ({warmup} + {warmup} warm-up queries first), {queries} random dates each, one at a time:");
    measure("state(as_of, None)", &dates, |(as_of, _)| store.state(fund, as_of, None)).await;
    measure("state(as_of, known_at)", &dates, |(as_of, known_at)| store.state(fund, as_of, Some(known_at))).await;

    println!("\ncold store (a fresh Store: empty snapshot and latest-state caches, no warm-up):");
    let cold = Store::new(pool.clone(), snapshot_every);
    measure("state(as_of, None)", &dates, |(as_of, _)| cold.state(fund, as_of, None)).await;
    let cold = Store::new(pool.clone(), snapshot_every);
    measure("state(as_of, known_at)", &dates, |(as_of, known_at)| cold.state(fund, as_of, Some(known_at))).await;

    pool.close().await;
    if std::env::var("BENCH_KEEP_DB").is_ok_and(|v| v == "1") {
        println!("\nkept database {name} (fund {fund})");
    } else {
        drop_database(&base, &name).await;
    }
}

/// Times `query` for every date, one after the other, and prints the percentiles.
async fn measure<F, Fut, T>(label: &str, dates: &[(DateTime<Utc>, DateTime<Utc>)], query: F)
where
    F: Fn((DateTime<Utc>, DateTime<Utc>)) -> Fut,
    Fut: std::future::Future<Output = Result<T, app::store::StoreError>>,
{
    let mut took: Vec<Duration> = Vec::with_capacity(dates.len());
    for &d in dates {
        let t = Instant::now();
        black_box(query(d).await.expect("state query"));
        took.push(t.elapsed());
    }
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let pct = |p: f64| ms(took[((p / 100.0 * took.len() as f64).ceil() as usize).clamp(1, took.len()) - 1]);
    let mean = took.iter().map(|d| ms(*d)).sum::<f64>() / took.len() as f64;
    println!(
        "  {label:<24} n={}  p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms  mean {:.2} ms",
        took.len(),
        pct(50.0),
        pct(95.0),
        pct(99.0),
        ms(*took.last().expect("at least one query")),
        mean
    );
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a whole number")),
        Err(_) => default,
    }
}

async fn fresh_database(base: &str) -> (String, String) {
    let name = format!("bench_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(base).await.expect("connect to the cluster");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.expect("create bench database");
    let i = base.rfind('/').expect("DATABASE_URL has a database part");
    (format!("{}/{name}", &base[..i]), name)
}

async fn drop_database(base: &str, name: &str) {
    let mut admin = PgConnection::connect(base).await.expect("connect to the cluster");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).execute(&mut admin).await.expect("drop bench database");
}

/// SplitMix64: a fixed, dependency-free sequence, enough to spread dates uniformly.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
