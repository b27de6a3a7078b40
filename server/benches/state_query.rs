//! Bitemporal state at a random date on a 100K-event fund, through the real store on real
//! PostgreSQL (docs/benchmarks.md, "Event store and HTTP"):
//!
//!   DATABASE_URL=postgres://postgres@127.0.0.1:<port>/fundlens cargo bench -p server --bench state_query
//!
//! Creates a fresh database on that cluster, imports `DemoSpec::large_fund` with
//! `Store::import_history` (timed: validated in memory, written in bulk, in-process), then times
//! `store.state(fund, as_of, None)` and `store.state(fund, as_of, Some(known_at))` one after the
//! other for random dates after a warm-up, and prints p50/p95/p99/max. A second pass uses a fresh
//! `Store` (empty caches) without warm-up, as a server just after a restart. The database is
//! dropped at the end. The dates come from a fixed seed and the history from a fixed "now", so two
//! runs ask the same questions.
//!
//! `BENCH_LOAD=fixture` loads the same events with a few bulk INSERTs instead (no validation: the
//! generator's own tests replay every event through `decide`) and then measures the queries under
//! several snapshot layouts written straight into `fund_snapshots` (BENCH_LAYOUTS, comma-separated):
//!   `frontier`  one snapshot per SNAPSHOT_FREQUENCY versions at the fund's latest effective date,
//!               with `invalidated_by` as late events set it: what the store's appends write today;
//!   `lag<N>`    the same, but N days behind the latest effective date (e.g. `lag90`);
//!   `rebuild`   one snapshot per SNAPSHOT_FREQUENCY events in effective order, all at the final
//!               version (a rebuild pass after an import);
//!   `none`      no snapshots (full replay);
//!   `a+b`       both layouts' snapshots (e.g. `frontier+rebuild`).
//! (`import_history` itself writes `rebuild`'s snapshots, each marked with the version by which
//! its date was complete instead of the final one: see `store/import_snapshots.rs`.)
//! It exists to measure what the read path would cost with other layouts.
//!
//! Environment: BENCH_EVENTS (default 100000), BENCH_QUERIES (2000), BENCH_WARMUP (200),
//! SNAPSHOT_FREQUENCY (100, as the server), BENCH_LOAD (import | fixture), BENCH_LAYOUTS
//! (frontier,lag90,rebuild), BENCH_PLAN_CACHE_MODE (a PostgreSQL plan_cache_mode for the bench's
//! connections, e.g. force_custom_plan), BENCH_KNOWN_AT=0 (skip the `known_at` queries),
//! BENCH_KEEP_DB=1 keeps the database for EXPLAIN, BENCH_RETAKE=1 (fixture mode) runs the
//! background pass that re-takes invalidated snapshots after writing each layout, before measuring.
//! Without `--bench` (e.g. `cargo test --benches`) it does nothing: tests never need a database
//! for it and never measure time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use app::store::Store;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use domain::demo::{generate, DemoSpec, GeneratedEvent};
use domain::fund::{evolve, FundEvent, FundState, CURRENT_SCHEMA_VERSION};
use domain::time_machine::replay::{self, canonical_cmp};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
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
    let mut connect: PgConnectOptions = database_url.parse().expect("database URL");
    // E.g. force_custom_plan: shows what the read path costs when PostgreSQL's cached generic plan
    // for the replay query (which cannot bound the index scan below) is out of the way.
    let plan_cache_mode = std::env::var("BENCH_PLAN_CACHE_MODE").unwrap_or_default();
    if !plan_cache_mode.is_empty() {
        connect = connect.options([("plan_cache_mode", plan_cache_mode.as_str())]);
    }
    let pool = PgPoolOptions::new().max_connections(8).connect_with(connect).await.expect("connect to the bench database");
    app::store::MIGRATOR.run(&pool).await.expect("migrations");
    let durability: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .expect("settings");
    println!(
        "state_query: database {name}; {}; SNAPSHOT_FREQUENCY={snapshot_every}; plan_cache_mode={}",
        durability.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "),
        if plan_cache_mode.is_empty() { "auto (default)" } else { plan_cache_mode.as_str() }
    );

    let spec = DemoSpec::large_fund(fixed_now(), events_wanted);
    let t = Instant::now();
    let history = generate(&spec);
    println!("generate: {} events in {:.2} s", history.len(), t.elapsed().as_secs_f64());

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

    let load = std::env::var("BENCH_LOAD").unwrap_or_else(|_| "import".into());
    let fund = match load.as_str() {
        "import" => {
            let store = Store::new(pool.clone(), snapshot_every);
            let t = Instant::now();
            let fund = store.import_history(&history).await.expect("import the large fund");
            let took = t.elapsed().as_secs_f64();
            println!(
                "import_history: {} events in {:.2} s = {:.0} events/s (one transaction; validated in memory, written in bulk)",
                history.len(),
                took,
                history.len() as f64 / took
            );
            describe_snapshots(&pool, fund).await;
            vacuum(&pool).await;
            measure_all(&pool, snapshot_every, fund, &warm, &dates).await;
            fund
        }
        "fixture" => {
            let t = Instant::now();
            let (fund, events) = load_fixture(&pool, &spec, &history).await;
            println!("fixture: {} events inserted in {:.2} s (bulk INSERT, no validation)", events.len(), t.elapsed().as_secs_f64());
            cost_model(&events);
            let layouts = std::env::var("BENCH_LAYOUTS").unwrap_or_else(|_| "frontier,lag90,rebuild".into());
            for layout in layouts.split(',').map(str::trim).filter(|l| !l.is_empty()) {
                let t = Instant::now();
                let snapshots = layout_snapshots(layout, &events, snapshot_every);
                write_snapshots(&pool, fund, &snapshots).await;
                println!(
                    "\n== layout {layout}: {} snapshots computed and written in {:.2} s",
                    snapshots.len(),
                    t.elapsed().as_secs_f64()
                );
                describe_snapshots(&pool, fund).await;
                if std::env::var("BENCH_RETAKE").is_ok_and(|v| v == "1") {
                    retake(&pool, snapshot_every).await;
                    describe_snapshots(&pool, fund).await;
                }
                vacuum(&pool).await;
                verify(&pool, snapshot_every, fund, &events, &dates[..dates.len().min(20)]).await;
                measure_all(&pool, snapshot_every, fund, &warm, &dates).await;
            }
            fund
        }
        other => panic!("BENCH_LOAD={other:?}: expected import or fixture"),
    };

    pool.close().await;
    if std::env::var("BENCH_KEEP_DB").is_ok_and(|v| v == "1") {
        println!("\nkept database {name} (fund {fund})");
    } else {
        drop_database(&base, &name).await;
    }
}

/// Runs the background pass that re-takes invalidated snapshots until it has nothing left, as
/// the server's snapshot worker would (timed).
async fn retake(pool: &PgPool, snapshot_every: u64) {
    let store = Store::new(pool.clone(), snapshot_every);
    let t = Instant::now();
    let mut handled = 0;
    loop {
        let n = store.retake_invalidated_snapshots().await.expect("retake snapshots");
        if n == 0 {
            break;
        }
        handled += n;
    }
    println!("retake pass: {handled} invalidated snapshot dates re-taken in {:.2} s", t.elapsed().as_secs_f64());
}

/// What autovacuum does within a minute of a bulk load (hint bits, visibility map, statistics),
/// done now so that it does not run in the middle of the measurement.
async fn vacuum(pool: &PgPool) {
    sqlx::query("VACUUM (ANALYZE) funds, fund_events, fund_snapshots").execute(pool).await.expect("vacuum");
}

async fn describe_snapshots(pool: &PgPool, fund: Uuid) {
    let (snapshots, invalidated, bytes): (i64, i64, Option<i64>) = sqlx::query_as(
        "SELECT count(*), count(invalidated_by), sum(pg_column_size(state))::bigint FROM fund_snapshots WHERE fund_id = $1",
    )
    .bind(fund)
    .fetch_one(pool)
    .await
    .expect("snapshot counts");
    println!(
        "snapshots: {snapshots} ({invalidated} invalidated by late events), {:.1} MB of state JSON",
        bytes.unwrap_or(0) as f64 / 1e6
    );
}

/// Both query kinds on a warmed store, then on fresh stores (empty caches).
async fn measure_all(pool: &PgPool, snapshot_every: u64, fund: Uuid, warm: &[(DateTime<Utc>, DateTime<Utc>)], dates: &[(DateTime<Utc>, DateTime<Utc>)]) {
    // BENCH_KNOWN_AT=0 measures `state(as_of, None)` only (the past-knowledge queries can take
    // minutes on layouts that serve them badly).
    let known_at_too = std::env::var("BENCH_KNOWN_AT").map_or(true, |v| v != "0");
    let store = Store::new(pool.clone(), snapshot_every);
    for &(as_of, known_at) in warm {
        black_box(store.state(fund, as_of, None).await.expect("state"));
        if known_at_too {
            black_box(store.state(fund, as_of, Some(known_at)).await.expect("state"));
        }
    }
    println!("warm store ({} warm-up dates first), {} random dates each, one at a time:", warm.len(), dates.len());
    measure("state(as_of, None)", dates, |(as_of, _)| store.state(fund, as_of, None)).await;
    if known_at_too {
        measure("state(as_of, known_at)", dates, |(as_of, known_at)| store.state(fund, as_of, Some(known_at))).await;
    }

    println!("cold store (a fresh Store: empty snapshot and latest-state caches, no warm-up):");
    let cold = Store::new(pool.clone(), snapshot_every);
    measure("state(as_of, None)", dates, |(as_of, _)| cold.state(fund, as_of, None)).await;
    if known_at_too {
        let cold = Store::new(pool.clone(), snapshot_every);
        measure("state(as_of, known_at)", dates, |(as_of, known_at)| cold.state(fund, as_of, Some(known_at))).await;
    }
}

/// The history as `import_history` would store it (versions in recorded order, the fund row's
/// head columns set), written with bulk INSERTs and no validation.
async fn load_fixture(pool: &PgPool, spec: &DemoSpec, history: &[GeneratedEvent]) -> (Uuid, Vec<FundEvent>) {
    let fund = Uuid::new_v4();
    let events: Vec<FundEvent> = history
        .iter()
        .enumerate()
        .map(|(i, e)| FundEvent { version: i as u64 + 1, effective_at: e.effective_at, recorded_at: e.recorded_at, payload: e.payload.clone() })
        .collect();
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query(
        "INSERT INTO funds (id, name, size, vintage, version, last_recorded_at, max_effective_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(fund)
    .bind(&spec.fund_name)
    .bind(spec.fund_size)
    .bind(Some(spec.start.year()))
    .bind(events.len() as i64)
    .bind(events.last().expect("non-empty").recorded_at)
    .bind(events.iter().map(|e| e.effective_at).max())
    .execute(&mut *tx)
    .await
    .expect("fund row");
    for chunk in events.chunks(5_000) {
        sqlx::query(
            "INSERT INTO fund_events (fund_id, version, event_type, schema_version, payload, company_id, effective_at, recorded_at, metadata)
             SELECT $1, v, t, $2, p, c, e, r, '{\"actor\":\"fixture\"}'::jsonb
             FROM UNNEST($3::bigint[], $4::text[], $5::jsonb[], $6::uuid[], $7::timestamptz[], $8::timestamptz[]) AS n(v, t, p, c, e, r)",
        )
        .bind(fund)
        .bind(CURRENT_SCHEMA_VERSION)
        .bind(chunk.iter().map(|e| e.version as i64).collect::<Vec<_>>())
        .bind(chunk.iter().map(|e| e.payload.event_type().to_string()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|e| e.payload.to_stored()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|e| e.payload.company_id()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|e| e.effective_at).collect::<Vec<_>>())
        .bind(chunk.iter().map(|e| e.recorded_at).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await
        .expect("insert events");
    }
    tx.commit().await.expect("commit fixture");
    (fund, events)
}

/// The store, reading a fixture layout, must answer as a full replay does (else the layout is wrong).
async fn verify(pool: &PgPool, snapshot_every: u64, fund: Uuid, events: &[FundEvent], dates: &[(DateTime<Utc>, DateTime<Utc>)]) {
    let store = Store::new(pool.clone(), snapshot_every);
    for &(as_of, known_at) in dates {
        let known_version = events.iter().filter(|e| e.recorded_at <= known_at).map(|e| e.version).max().unwrap_or(0);
        let got = store.state(fund, as_of, Some(known_at)).await.expect("state");
        assert_eq!(got.version, known_version, "known version at {known_at}");
        assert!(*got.state == replay::state_at(events, as_of, known_version), "state({as_of}, {known_at}) differs from a full replay");
        let got = store.state(fund, as_of, None).await.expect("state");
        assert!(*got.state == replay::state_at(events, as_of, events.len() as u64), "state({as_of}) differs from a full replay");
    }
    println!("verified: {} dates answer as a full replay does", dates.len());
}

/// Where a replay's time goes, per event, in memory: decoding a stored payload (JSON value to
/// typed payload, as `rows::event_from_row` does) and folding it (`evolve`).
fn cost_model(events: &[FundEvent]) {
    let stored: Vec<(String, serde_json::Value)> = events.iter().map(|e| (e.payload.event_type().to_string(), e.payload.to_stored())).collect();
    let t = Instant::now();
    for (event_type, payload) in &stored {
        black_box(domain::fund::EventPayload::from_stored(event_type, CURRENT_SCHEMA_VERSION, payload.clone()).expect("decodes"));
    }
    let decode = t.elapsed().as_secs_f64() / events.len() as f64;
    let text: Vec<String> = stored.iter().map(|(_, p)| p.to_string()).collect();
    let t = Instant::now();
    for json in &text {
        black_box(serde_json::from_str::<serde_json::Value>(json).expect("parses"));
    }
    let parse = t.elapsed().as_secs_f64() / events.len() as f64;
    let mut canonical: Vec<&FundEvent> = events.iter().collect();
    canonical.sort_by(|a, b| canonical_cmp(a, b));
    let t = Instant::now();
    black_box(replay::replay(FundState::default(), canonical.iter().copied()));
    let fold = t.elapsed().as_secs_f64() / events.len() as f64;
    println!(
        "per event, in memory: JSON text -> Value {:.2} us, Value -> payload {:.2} us, evolve {:.2} us",
        parse * 1e6,
        decode * 1e6,
        fold * 1e6
    );
    // A snapshot of the whole fund, as the store decodes it (JSONB -> Value -> FundState) and
    // straight from the text.
    let state = replay::replay(FundState::default(), canonical.iter().copied());
    let text = serde_json::to_string(&state).expect("state to JSON");
    let runs = 20;
    let t = Instant::now();
    for _ in 0..runs {
        let value: serde_json::Value = serde_json::from_str(&text).expect("parses");
        black_box(serde_json::from_value::<FundState>(value).expect("decodes"));
    }
    let via_value = t.elapsed().as_secs_f64() / runs as f64;
    let t = Instant::now();
    for _ in 0..runs {
        black_box(serde_json::from_str::<FundState>(&text).expect("decodes"));
    }
    let direct = t.elapsed().as_secs_f64() / runs as f64;
    let t = Instant::now();
    for _ in 0..runs {
        black_box(state.clone());
    }
    let clone = t.elapsed().as_secs_f64() / runs as f64;
    println!(
        "final state ({} companies, {} cash flows): {:.0} KB of JSON; decode via Value {:.2} ms, straight from text {:.2} ms; clone {:.3} ms",
        state.companies.len(),
        state.cash_flows.len(),
        text.len() as f64 / 1e3,
        via_value * 1e3,
        direct * 1e3,
        clone * 1e3
    );
}

struct FixtureSnapshot {
    version: u64,
    effective_at: DateTime<Utc>,
    invalidated_by: Option<u64>,
    state: FundState,
}

/// The snapshots a layout would leave (see the module docs). `events` are in version order.
fn layout_snapshots(layout: &str, events: &[FundEvent], every: u64) -> Vec<FixtureSnapshot> {
    let mut canonical: Vec<&FundEvent> = events.iter().collect();
    canonical.sort_by(|a, b| canonical_cmp(a, b));
    let every = every.max(1) as usize;
    if let Some((a, b)) = layout.split_once('+') {
        let mut both = layout_snapshots(a, events, every as u64);
        both.extend(layout_snapshots(b, events, every as u64));
        return both;
    }
    match layout {
        "none" => Vec::new(),
        "rebuild" => {
            let last = events.len() as u64;
            let mut out = Vec::new();
            let mut state = FundState::default();
            let mut since = 0;
            for (i, e) in canonical.iter().enumerate() {
                state = evolve(state, e);
                since += 1;
                // A snapshot must hold every event at its effective date: wait for the run's end.
                let run_ends = canonical.get(i + 1).is_none_or(|n| n.effective_at != e.effective_at);
                if since >= every && run_ends {
                    since = 0;
                    out.push(FixtureSnapshot { version: last, effective_at: e.effective_at, invalidated_by: None, state: state.clone() });
                }
            }
            out
        }
        _ => {
            let lag_days: i64 = match layout {
                "frontier" => 0,
                l => l.strip_prefix("lag").and_then(|d| d.parse().ok()).unwrap_or_else(|| panic!("unknown layout {l:?}")),
            };
            frontier_snapshots(events, &canonical, every, chrono::Duration::days(lag_days))
        }
    }
}

/// A snapshot every `every` versions at (latest effective date so far - lag), as known at that
/// version, built incrementally while the previous one is still valid.
fn frontier_snapshots(events: &[FundEvent], canonical: &[&FundEvent], every: usize, lag: chrono::Duration) -> Vec<FixtureSnapshot> {
    let mut out: Vec<FixtureSnapshot> = Vec::new();
    let mut frontier = events[0].effective_at;
    // Position in `canonical` up to which the previous snapshot's state has folded (by effective date).
    let mut previous: Option<(u64, DateTime<Utc>, FundState)> = None;
    for (i, e) in events.iter().enumerate() {
        frontier = frontier.max(e.effective_at);
        let version = i as u64 + 1;
        if version % every as u64 != 0 {
            continue;
        }
        let at = frontier - lag;
        if at < events[0].effective_at {
            continue;
        }
        let still_valid = previous.as_ref().is_some_and(|(v, t, _)| {
            *t <= at && !events[*v as usize..i + 1].iter().any(|x| x.effective_at <= *t)
        });
        let (from, base) = match previous.take() {
            Some((_, t, s)) if still_valid => (Some(t), s),
            _ => (None, FundState::default()),
        };
        let start = from.map_or(0, |t| canonical.partition_point(|x| x.effective_at <= t));
        let end = canonical.partition_point(|x| x.effective_at <= at);
        let state = replay::replay(base, canonical[start..end].iter().copied().filter(|x| x.version <= version));
        let invalidated_by = events[i + 1..].iter().find(|x| x.effective_at <= at).map(|x| x.version);
        out.push(FixtureSnapshot { version, effective_at: at, invalidated_by, state: state.clone() });
        previous = Some((version, at, state));
    }
    out
}

async fn write_snapshots(pool: &PgPool, fund: Uuid, snapshots: &[FixtureSnapshot]) {
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("DELETE FROM fund_snapshots WHERE fund_id = $1").bind(fund).execute(&mut *tx).await.expect("clear snapshots");
    for chunk in snapshots.chunks(50) {
        sqlx::query(
            "INSERT INTO fund_snapshots (fund_id, version, effective_at, invalidated_by, kind, event_count, state)
             SELECT $1, v, e, i, 'automatic', c, s
             FROM UNNEST($2::bigint[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::jsonb[]) AS n(v, e, i, c, s)",
        )
        .bind(fund)
        .bind(chunk.iter().map(|s| s.version as i64).collect::<Vec<_>>())
        .bind(chunk.iter().map(|s| s.effective_at).collect::<Vec<_>>())
        .bind(chunk.iter().map(|s| s.invalidated_by.map(|v| v as i64)).collect::<Vec<_>>())
        .bind(chunk.iter().map(|s| s.state.event_count as i64).collect::<Vec<_>>())
        .bind(chunk.iter().map(|s| serde_json::to_value(&s.state).expect("state to JSON")).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await
        .expect("insert snapshots");
    }
    tx.commit().await.expect("commit snapshots");
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
