use std::net::SocketAddr;

use app::features::Features;
use thiserror::Error;

/// Configuration from the environment; every variable has a documented default (README).
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind_addr: SocketAddr,
    /// Events between automatic snapshots (SNAPSHOT_FREQUENCY, default 100).
    pub snapshot_frequency: u64,
    /// How often each process looks for snapshots that late events invalidated and re-takes them
    /// (SNAPSHOT_RETAKE_INTERVAL_MS, default 5,000; 0 turns the pass off).
    pub snapshot_retake_interval_ms: u64,
    /// Monte-Carlo iterations per reserve run (MONTE_CARLO_ITERATIONS, default 10,000).
    pub monte_carlo_iterations: u32,
    pub features: Features,
    /// Seed the demo fund into an empty database at start-up (SEED_DEMO).
    pub seed_demo: bool,
    /// Most pooled database connections (DATABASE_MAX_CONNECTIONS, default 32).
    pub max_connections: u32,
    /// Longest wait for a pooled connection before a request gets 503 (DATABASE_ACQUIRE_TIMEOUT_MS,
    /// default 3,000): while PostgreSQL is down, requests fail fast instead of hanging.
    pub acquire_timeout: std::time::Duration,
    /// Alert delivery worker (ALERT_* and SMTP_* variables).
    pub delivery: crate::alerts::DeliveryConfig,
    /// Reserve runs: the worker, its limits and the result cache (RESERVE_* variables).
    pub reserves: ReserveConfig,
    /// Sessions, cookies and sign-in limits (SESSION_*, COOKIE_SECURE, LOGIN_*, TRUST_FORWARDED_FOR).
    pub auth: AuthConfig,
    /// Bearer token GET /metrics requires (METRICS_TOKEN; unset: loopback peers only).
    pub metrics_token: Option<String>,
    /// How long a client may take to send a request's headers (HEADER_READ_TIMEOUT_MS, default
    /// 10,000), and a request to be answered (REQUEST_TIMEOUT_S, default 60; an answer then streams
    /// for as long as it needs, e.g. run progress over SSE): slow clients cannot hold sockets.
    pub header_read_timeout: std::time::Duration,
    pub request_timeout: std::time::Duration,
}

/// How this process takes part in reserve runs (README's configuration table).
#[derive(Debug, Clone)]
pub struct ReserveConfig {
    /// Execute queued runs in this process (RESERVE_WORKER, default true; any number of replicas may).
    pub worker: bool,
    /// Runs executed at once by this process (RESERVE_WORKER_CONCURRENCY, default 1: one run
    /// already keeps every core busy through rayon).
    pub concurrency: usize,
    /// A run still going after this long fails (RESERVE_RUN_TIMEOUT_S, default 300).
    pub run_timeout: std::time::Duration,
    /// A running run whose heartbeat is older than this is presumed orphaned and claimed again
    /// (RESERVE_HEARTBEAT_STALE_MS, default 30,000; heartbeats are sent every 500 ms).
    pub heartbeat_stale: std::time::Duration,
    /// Fallback poll of the queue when no NOTIFY arrives (RESERVE_POLL_INTERVAL_MS, default 5,000).
    pub poll_interval: std::time::Duration,
    /// How long a result stays in this process's memory (RESERVE_CACHE_TTL_S, default 3,600).
    pub cache_ttl: std::time::Duration,
    /// Threads one run simulates on (RESERVE_THREADS, default: the cores less one, at least one),
    /// so requests keep a core while a run computes. Results are identical for any number.
    pub threads: usize,
    /// How often funds whose events changed are given a fresh ranking for today
    /// (RESERVE_REFRESH_INTERVAL_MS, default 10,000; 0 turns it off).
    pub refresh_interval: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Send the session cookie only over HTTPS (COOKIE_SECURE, default true; the local scripts serve
    /// plain HTTP on loopback and turn it off).
    pub cookie_secure: bool,
    /// A session unused this long ends (SESSION_IDLE_SECS, default 7,200 = 2 hours).
    pub session_idle_secs: u64,
    /// A session ends this long after sign-in, used or not (SESSION_MAX_AGE_SECS, default 43,200 = 12 hours).
    pub session_max_age_secs: u64,
    /// Failed sign-ins per account, and per address, within 15 minutes before refusing
    /// (LOGIN_MAX_FAILURES_PER_ACCOUNT default 5, LOGIN_MAX_FAILURES_PER_ADDRESS default 30).
    pub login_per_account: i64,
    pub login_per_address: i64,
    /// Password checks at once per process; sign-ins beyond it get 503 with Retry-After
    /// (PASSWORD_HASH_CONCURRENCY, default 4; each argon2 check holds ~19 MiB).
    pub password_hash_concurrency: usize,
    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it;
    /// TRUST_FORWARDED_FOR, default false).
    pub trust_forwarded_for: bool,
    /// Proxies in front of the server that append to X-Forwarded-For; the client address is the
    /// entry this many places from the right (TRUSTED_PROXY_HOPS, default 1).
    pub trusted_proxy_hops: usize,
    /// The demo user's password when SEED_DEMO creates it (DEMO_PASSWORD; default: a random one,
    /// printed in the log once).
    pub demo_password: Option<String>,
}

impl AuthConfig {
    pub fn throttle(&self) -> app::store::accounts::LoginThrottle {
        app::store::accounts::LoginThrottle { per_account: self.login_per_account, per_address: self.login_per_address, ..Default::default() }
    }
}

#[derive(Debug, Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads through `get`, so tests can supply their own environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = get("DATABASE_URL")
            .filter(|v| !v.trim().is_empty())
            .ok_or(ConfigError { name: "DATABASE_URL", message: "is not set (scripts/run.sh starts a local PostgreSQL and sets it)".into() })?;
        // BIND_ADDR first; cargo-leptos's LEPTOS_SITE_ADDR second; then the documented default.
        let bind = get("BIND_ADDR").or_else(|| get("LEPTOS_SITE_ADDR")).unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind_addr = bind
            .parse()
            .map_err(|_| ConfigError { name: "BIND_ADDR", message: format!("{bind:?} is not host:port") })?;
        Ok(Config {
            database_url,
            bind_addr,
            snapshot_frequency: number(&get, "SNAPSHOT_FREQUENCY", 100, 1, 1_000_000)?,
            snapshot_retake_interval_ms: number(&get, "SNAPSHOT_RETAKE_INTERVAL_MS", 5_000, 0, 86_400_000)?,
            monte_carlo_iterations: number(&get, "MONTE_CARLO_ITERATIONS", 10_000, 100, 10_000_000)? as u32,
            features: Features {
                time_machine: flag(&get, "FF_TIME_MACHINE", true)?,
                variance: flag(&get, "FF_VARIANCE", true)?,
                optimal_reserves: flag(&get, "FF_OPTIMAL_RESERVES", true)?,
            },
            seed_demo: flag(&get, "SEED_DEMO", false)?,
            max_connections: number(&get, "DATABASE_MAX_CONNECTIONS", 32, 1, 1_000)? as u32,
            acquire_timeout: std::time::Duration::from_millis(number(&get, "DATABASE_ACQUIRE_TIMEOUT_MS", 3_000, 100, 60_000)?),
            delivery: delivery(&get)?,
            reserves: reserves(&get)?,
            header_read_timeout: std::time::Duration::from_millis(number(&get, "HEADER_READ_TIMEOUT_MS", 10_000, 100, 600_000)?),
            request_timeout: std::time::Duration::from_secs(number(&get, "REQUEST_TIMEOUT_S", 60, 1, 3_600)?),
            metrics_token: get("METRICS_TOKEN").map(|v| v.trim().to_string()).filter(|v| !v.is_empty()),
            auth: AuthConfig {
                cookie_secure: flag(&get, "COOKIE_SECURE", true)?,
                session_idle_secs: number(&get, "SESSION_IDLE_SECS", 7_200, 1, 30 * 86_400)?,
                session_max_age_secs: number(&get, "SESSION_MAX_AGE_SECS", 43_200, 1, 90 * 86_400)?,
                login_per_account: number(&get, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, 1, 1_000)? as i64,
                login_per_address: number(&get, "LOGIN_MAX_FAILURES_PER_ADDRESS", 30, 1, 100_000)? as i64,
                password_hash_concurrency: number(&get, "PASSWORD_HASH_CONCURRENCY", 4, 1, 256)? as usize,
                trust_forwarded_for: flag(&get, "TRUST_FORWARDED_FOR", false)?,
                trusted_proxy_hops: number(&get, "TRUSTED_PROXY_HOPS", 1, 1, 16)? as usize,
                demo_password: get("DEMO_PASSWORD").filter(|v| !v.is_empty()),
            },
        })
    }
}

fn delivery(get: &impl Fn(&str) -> Option<String>) -> Result<crate::alerts::DeliveryConfig, ConfigError> {
    use std::time::Duration;
    let d = crate::alerts::DeliveryConfig::default();
    let smtp_url = get("SMTP_URL").map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    if let Some(url) = &smtp_url {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(ConfigError { name: "SMTP_URL", message: format!("{url:?} is not smtp://host:port or smtps://host:port") });
        }
    }
    Ok(crate::alerts::DeliveryConfig {
        enabled: flag(get, "ALERT_WORKER", d.enabled)?,
        concurrency: number(get, "ALERT_WORKER_CONCURRENCY", d.concurrency as u64, 1, 64)? as usize,
        poll_interval: Duration::from_millis(number(get, "ALERT_POLL_INTERVAL_MS", 5_000, 10, 3_600_000)?),
        retry_base: Duration::from_millis(number(get, "ALERT_RETRY_BASE_MS", 1_000, 1, 3_600_000)?),
        max_attempts: number(get, "ALERT_MAX_ATTEMPTS", d.max_attempts as u64, 1, 100)? as u32,
        timeout: Duration::from_millis(number(get, "ALERT_DELIVERY_TIMEOUT_MS", 10_000, 10, 600_000)?),
        smtp_url,
        smtp_from: get("SMTP_FROM").map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).unwrap_or(d.smtp_from),
        allow_private: flag(get, "WEBHOOK_ALLOW_PRIVATE", d.allow_private)?,
    })
}

fn reserves(get: &impl Fn(&str) -> Option<String>) -> Result<ReserveConfig, ConfigError> {
    use std::time::Duration;
    Ok(ReserveConfig {
        worker: flag(get, "RESERVE_WORKER", true)?,
        concurrency: number(get, "RESERVE_WORKER_CONCURRENCY", 1, 1, 64)? as usize,
        run_timeout: Duration::from_secs(number(get, "RESERVE_RUN_TIMEOUT_S", 300, 1, 86_400)?),
        heartbeat_stale: Duration::from_millis(number(get, "RESERVE_HEARTBEAT_STALE_MS", 30_000, 1_500, 3_600_000)?),
        poll_interval: Duration::from_millis(number(get, "RESERVE_POLL_INTERVAL_MS", 5_000, 10, 3_600_000)?),
        cache_ttl: Duration::from_secs(number(get, "RESERVE_CACHE_TTL_S", 3_600, 1, 30 * 86_400)?),
        refresh_interval: Duration::from_millis(number(get, "RESERVE_REFRESH_INTERVAL_MS", 10_000, 0, 86_400_000)?),
        threads: number(get, "RESERVE_THREADS", default_threads(), 1, 256)? as usize,
    })
}

/// All cores but one for the simulation (at least one).
fn default_threads() -> u64 {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    cores.saturating_sub(1).max(1) as u64
}

fn number(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ConfigError { name, message: format!("{v:?} is not a whole number between {min} and {max}") }),
        },
    }
}

fn flag(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match get(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) => match v.as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError { name, message: format!("{v:?} is not true/false") }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| env.get(k).cloned())
    }

    #[test]
    fn defaults_apply_when_only_the_database_is_given() {
        let c = config(&[("DATABASE_URL", "postgres://x")]).unwrap();
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.snapshot_frequency, 100);
        assert_eq!(c.snapshot_retake_interval_ms, 5_000);
        assert_eq!(c.monte_carlo_iterations, 10_000);
        assert_eq!(c.features, Features::default());
        assert!(c.reserves.worker);
        assert_eq!(c.reserves.concurrency, 1);
        assert_eq!(c.reserves.run_timeout.as_secs(), 300);
        assert_eq!(c.reserves.cache_ttl.as_secs(), 3_600);
    }

    #[test]
    fn bad_values_name_the_variable() {
        assert_eq!(config(&[]).unwrap_err().name, "DATABASE_URL");
        assert_eq!(config(&[("DATABASE_URL", "x"), ("SNAPSHOT_FREQUENCY", "0")]).unwrap_err().name, "SNAPSHOT_FREQUENCY");
        assert_eq!(config(&[("DATABASE_URL", "x"), ("FF_VARIANCE", "maybe")]).unwrap_err().name, "FF_VARIANCE");
        assert_eq!(config(&[("DATABASE_URL", "x"), ("BIND_ADDR", "nowhere")]).unwrap_err().name, "BIND_ADDR");
        assert!(!config(&[("DATABASE_URL", "x"), ("FF_VARIANCE", "off")]).unwrap().features.variance);
        assert_eq!(config(&[("DATABASE_URL", "x"), ("RESERVE_WORKER_CONCURRENCY", "0")]).unwrap_err().name, "RESERVE_WORKER_CONCURRENCY");
        assert_eq!(config(&[("DATABASE_URL", "x"), ("RESERVE_HEARTBEAT_STALE_MS", "100")]).unwrap_err().name, "RESERVE_HEARTBEAT_STALE_MS");
    }
}
