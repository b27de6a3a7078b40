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
    /// Monte-Carlo iterations per reserve run (MONTE_CARLO_ITERATIONS, default 10,000).
    pub monte_carlo_iterations: u32,
    pub features: Features,
    /// Seed the demo fund into an empty database at start-up (SEED_DEMO).
    pub seed_demo: bool,
    /// Most pooled database connections (DATABASE_MAX_CONNECTIONS, default 32).
    pub max_connections: u32,
    /// Alert delivery worker (ALERT_* and SMTP_* variables).
    pub delivery: crate::alerts::DeliveryConfig,
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
            monte_carlo_iterations: number(&get, "MONTE_CARLO_ITERATIONS", 10_000, 100, 10_000_000)? as u32,
            features: Features {
                time_machine: flag(&get, "FF_TIME_MACHINE", true)?,
                variance: flag(&get, "FF_VARIANCE", true)?,
                optimal_reserves: flag(&get, "FF_OPTIMAL_RESERVES", true)?,
            },
            seed_demo: flag(&get, "SEED_DEMO", false)?,
            max_connections: number(&get, "DATABASE_MAX_CONNECTIONS", 32, 1, 1_000)? as u32,
            delivery: delivery(&get)?,
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
    })
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
        assert_eq!(c.monte_carlo_iterations, 10_000);
        assert_eq!(c.features, Features::default());
    }

    #[test]
    fn bad_values_name_the_variable() {
        assert_eq!(config(&[]).unwrap_err().name, "DATABASE_URL");
        assert_eq!(config(&[("DATABASE_URL", "x"), ("SNAPSHOT_FREQUENCY", "0")]).unwrap_err().name, "SNAPSHOT_FREQUENCY");
        assert_eq!(config(&[("DATABASE_URL", "x"), ("FF_VARIANCE", "maybe")]).unwrap_err().name, "FF_VARIANCE");
        assert_eq!(config(&[("DATABASE_URL", "x"), ("BIND_ADDR", "nowhere")]).unwrap_err().name, "BIND_ADDR");
        assert!(!config(&[("DATABASE_URL", "x"), ("FF_VARIANCE", "off")]).unwrap().features.variance);
    }
}
