//! The Fundlens server: configuration, state, router, start-up. `main.rs` only calls [`start`].

pub mod alerts;
pub mod admin_cli;
pub mod api;
pub mod auth;
pub mod config;
pub mod headers;
pub mod health;
pub mod jobs;
pub mod observability;
pub mod page_cache;
pub mod reserves;
pub mod router;
pub mod serve;
pub mod state;

use std::sync::Arc;

use app::store::Store;
use leptos::config::LeptosOptions;
use sqlx::postgres::PgPoolOptions;
use thiserror::Error;

use config::Config;
use state::AppState;

#[derive(Debug, Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(#[from] config::ConfigError),
    #[error("cannot connect to the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("demo seed failed: {0}")]
    Seed(#[from] app::store::StoreError),
    #[error("alert delivery: {0}")]
    Delivery(String),
    #[error("leptos configuration: {0}")]
    Leptos(String),
}

/// Connects, migrates, seeds when asked, and builds the application state.
pub async fn build_state(config: Config, leptos_options: LeptosOptions) -> Result<AppState, StartupError> {
    observability::prometheus();
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
        .connect(&config.database_url)
        .await?;
    app::store::MIGRATOR.run(&pool).await?;
    let store = Store::new(pool, config.snapshot_frequency).with_reserve_cache_ttl(config.reserves.cache_ttl);
    if config.seed_demo {
        if let Some(id) = store.seed_demo_if_empty(chrono::Utc::now()).await? {
            tracing::info!(fund_id = %id, "seeded the demo fund");
            if config.features.optimal_reserves {
                queue_demo_ranking(&store, id, config.monte_carlo_iterations).await?;
            }
        }
        seed_demo_user(&store, config.auth.demo_password.clone()).await?;
    }
    let alert_worker = if config.delivery.enabled {
        let worker = alerts::AlertWorker::spawn(store.clone(), config.delivery.clone()).map_err(StartupError::Delivery)?;
        Some(Arc::new(worker))
    } else {
        None
    };
    let (reserve_worker, reserve_hub) = if config.features.optimal_reserves {
        let worker = config.reserves.worker.then(|| Arc::new(reserves::ReserveWorker::spawn(store.clone(), config.reserves.clone())));
        if config.reserves.worker && !config.reserves.refresh_interval.is_zero() {
            reserves::refresher::spawn(store.clone(), config.reserves.refresh_interval, config.monte_carlo_iterations);
        }
        (worker, Some(reserves::ProgressHub::start(store.clone())))
    } else {
        (None, None)
    };
    // Until it connects, every request reads tokens and roles from the database.
    tokio::spawn(store.clone().follow_access_changes());
    spawn_session_purge(store.clone());
    if config.snapshot_retake_interval_ms > 0 {
        spawn_snapshot_retake(store.clone(), std::time::Duration::from_millis(config.snapshot_retake_interval_ms));
    }
    let routes = Arc::new(leptos_axum::generate_route_list(app::App));
    Ok(AppState { leptos_options, store, features: config.features, config: Arc::new(config), routes, alert_worker, reserve_worker, reserve_hub })
}

/// Queues today's ranking of the freshly seeded demo fund, so the Reserves tab opens on a result
/// (a worker, here or on another process, computes it within a second).
async fn queue_demo_ranking(store: &Store, fund_id: uuid::Uuid, iterations: u32) -> Result<(), StartupError> {
    use app::reserves::run_spec::{RawRunSpec, RunSpec};
    let spec = RunSpec::parse(&RawRunSpec::default(), iterations, chrono::Utc::now())?;
    let who = app::reserves::service::Requester { user: None, actor: "demo seed".into() };
    let answer = app::reserves::service::request_run(store, fund_id, &who, &spec).await?;
    tracing::info!(run_id = %answer.run.id, "queued the demo fund's reserve ranking");
    Ok(())
}

/// Deletes expired sessions and old failed-login records hourly (any replica may; it is idempotent).
fn spawn_session_purge(store: Store) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3_600));
        loop {
            every.tick().await;
            match store.purge_expired_sessions().await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
        }
    });
}

/// Re-takes the snapshots late events invalidated (`store/snapshot_retake.rs`): every `every`,
/// until none is left. Every replica runs it; they skip the funds another one is working on.
fn spawn_snapshot_retake(store: Store, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            loop {
                match store.retake_invalidated_snapshots().await {
                    Ok(0) => break,
                    Ok(n) => tracing::debug!(snapshots = n, "re-took invalidated snapshots"),
                    Err(e) => {
                        tracing::warn!(error = %e, "re-taking invalidated snapshots failed");
                        break;
                    }
                }
            }
        }
    });
}

/// The demo user's address (created by SEED_DEMO).
pub const DEMO_EMAIL: &str = "demo@fundlens.local";

/// Creates the demo user when missing, admin of every fund that has no member yet (the demo fund,
/// and funds from before accounts existed), and prints how to sign in.
async fn seed_demo_user(store: &Store, password: Option<String>) -> Result<(), StartupError> {
    if store.user_by_email(DEMO_EMAIL).await?.is_some() {
        return Ok(());
    }
    let generated = password.is_none();
    let password = match password {
        Some(p) => p,
        None => {
            let mut bytes = [0u8; 9];
            getrandom::fill(&mut bytes).map_err(|e| StartupError::Leptos(format!("no randomness: {e}")))?;
            format!("demo-{}", hex::encode(bytes))
        }
    };
    let hash = app::accounts::password::hash_password(password.clone()).await?;
    let user = store.create_user(DEMO_EMAIL, &hash).await?;
    for fund in store.funds().await? {
        if store.members(fund.id).await?.is_empty() {
            store.grant_role(&app::store::AuditActor::command_line(), fund.id, user.id, domain::access::Role::Admin).await?;
        }
    }
    if generated {
        tracing::info!(email = DEMO_EMAIL, "created the demo user; its password is printed on stderr once");
        eprintln!("fundlens: demo sign-in: {DEMO_EMAIL} / {password}");
    } else {
        tracing::info!(email = DEMO_EMAIL, "created the demo user with DEMO_PASSWORD");
    }
    Ok(())
}

/// Leptos options from cargo-leptos's environment (LEPTOS_*), falling back to Cargo.toml.
pub fn leptos_options() -> Result<LeptosOptions, StartupError> {
    leptos::config::get_configuration(None).map(|c| c.leptos_options).map_err(|e| StartupError::Leptos(e.to_string()))
}
