//! Alert delivery: a worker inside the server process that drains the durable outbox
//! (`alert_outbox`) to webhooks and e-mail. Any number of replicas may run it: rows are claimed
//! with `FOR UPDATE SKIP LOCKED` and the outcome is written in the claim's own transaction.

pub mod address;
pub mod email;
pub mod message;
pub mod webhook;
pub mod worker;

use std::time::Duration;

pub use worker::AlertWorker;

/// How the worker runs (environment variables in the README's configuration table).
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Run the worker in this process (ALERT_WORKER).
    pub enabled: bool,
    /// Deliveries in flight at once (ALERT_WORKER_CONCURRENCY).
    pub concurrency: usize,
    /// Fallback poll when no NOTIFY arrives (ALERT_POLL_INTERVAL_MS).
    pub poll_interval: Duration,
    /// First retry delay; doubles per attempt (ALERT_RETRY_BASE_MS).
    pub retry_base: Duration,
    /// Attempts before a delivery is dead (ALERT_MAX_ATTEMPTS).
    pub max_attempts: u32,
    /// Per-request timeout of webhook and SMTP calls (ALERT_DELIVERY_TIMEOUT_MS).
    pub timeout: Duration,
    /// `smtp://host:port` (plain), `smtp://host:port?tls=required` (STARTTLS) or `smtps://…` (SMTP_URL).
    pub smtp_url: Option<String>,
    /// Sender address (SMTP_FROM).
    pub smtp_from: String,
    /// Let webhooks go to loopback, private and other non-public addresses (WEBHOOK_ALLOW_PRIVATE,
    /// default false). Unsafe: only for local tests whose receiver listens on 127.0.0.1.
    pub allow_private: bool,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            enabled: true,
            concurrency: 4,
            poll_interval: Duration::from_secs(5),
            retry_base: Duration::from_secs(1),
            max_attempts: 6,
            timeout: Duration::from_secs(10),
            smtp_url: None,
            smtp_from: "Fundlens <alerts@fundlens.localhost>".into(),
            allow_private: false,
        }
    }
}

impl DeliveryConfig {
    /// Delay before retry number `attempts` (1 s, 2 s, 4 s … with the default base), capped at an hour.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(20));
        self.retry_base.saturating_mul(factor).min(Duration::from_secs(3_600))
    }
}

/// rustls needs one process-wide crypto provider; reqwest and lettre both use it.
pub fn install_crypto_provider() {
    // Err means one is installed already (tests start several servers): keep it.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
