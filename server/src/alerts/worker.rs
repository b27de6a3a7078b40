//! The delivery queue on the shared job runner (`crate::jobs`): claim a due outbox row, deliver,
//! record the outcome; workers sleep until woken by NOTIFY, until the next retry falls due, or
//! until the poll interval passes.

use std::sync::Arc;
use std::time::Duration;

use app::store::{ClaimedDelivery, Store, StoreError, OUTBOX_CHANNEL};
use chrono::Utc;
use domain::variance::Channel;

use super::email::{self, Mailer};
use super::{webhook, DeliveryConfig};
use crate::jobs::{JobQueue, Runner};

/// Handle on the running delivery workers. [`AlertWorker::shutdown`] stops them between
/// deliveries (a delivery in flight finishes and is recorded first).
pub struct AlertWorker {
    runner: Runner,
}

struct Context {
    store: Store,
    config: DeliveryConfig,
    http: reqwest::Client,
    mailer: Option<Mailer>,
}

impl AlertWorker {
    pub fn spawn(store: Store, config: DeliveryConfig) -> Result<AlertWorker, String> {
        super::install_crypto_provider();
        let http = webhook::client(&config)?;
        let mailer = config.smtp_url.as_deref().map(|u| email::mailer(u, config.timeout)).transpose()?;
        let (concurrency, poll) = (config.concurrency, config.poll_interval);
        let ctx = Arc::new(Context { store: store.clone(), config, http, mailer });
        Ok(AlertWorker { runner: Runner::spawn(store, ctx, concurrency, poll) })
    }

    /// Stops the tasks and waits for them.
    pub async fn shutdown(&self) {
        self.runner.shutdown().await;
    }

    /// Kills the tasks at once, mid-delivery if need be, as a crash would (tests).
    pub async fn abort(&self) {
        self.runner.abort().await;
    }
}

impl JobQueue for Context {
    type Claim = ClaimedDelivery;
    const NAME: &'static str = "alert deliveries";
    const CHANNEL: &'static str = OUTBOX_CHANNEL;

    async fn claim(&self) -> Result<Option<ClaimedDelivery>, StoreError> {
        self.store.claim_delivery().await
    }

    async fn process(&self, claim: ClaimedDelivery) {
        deliver(self, claim).await
    }

    async fn next_due(&self) -> Option<Duration> {
        match self.store.next_delivery_due().await {
            Ok(Some(due)) => Some((due - Utc::now()).to_std().unwrap_or(Duration::ZERO)),
            _ => None,
        }
    }
}

async fn deliver(ctx: &Context, claim: ClaimedDelivery) {
    let d = &claim.delivery;
    let channel = d.channel.as_str();
    let outcome = match d.channel {
        Channel::InApp => Ok(()),
        Channel::Webhook => match (&d.settings.webhook_url, &d.settings.webhook_secret) {
            (Some(url), Some(secret)) => webhook::send(&ctx.http, url, secret, d, ctx.config.allow_private).await,
            _ => return finish(claim.skipped("the fund has no webhook_url").await, channel),
        },
        Channel::Email => {
            if d.settings.email_to.is_empty() {
                return finish(claim.skipped("the fund has no email_to recipients").await, channel);
            }
            match &ctx.mailer {
                Some(m) => email::send(m, &ctx.config.smtp_from, d).await,
                None => return finish(claim.skipped("SMTP_URL is not configured").await, channel),
            }
        }
    };
    match outcome {
        Ok(()) => {
            metrics::counter!("alert_deliveries_total", "channel" => channel).increment(1);
            finish(claim.delivered().await, channel);
        }
        Err(error) => {
            metrics::counter!("alert_deliveries_failed_total", "channel" => channel).increment(1);
            let attempts = d.attempts + 1;
            let retry_at = (attempts < ctx.config.max_attempts)
                .then(|| Utc::now() + chrono::Duration::from_std(ctx.config.backoff(attempts)).unwrap_or_default());
            tracing::warn!(outbox_id = d.outbox_id, channel, attempts, dead = retry_at.is_none(), %error, "alert delivery failed");
            if retry_at.is_none() {
                metrics::counter!("alert_deliveries_dead_total", "channel" => channel).increment(1);
            }
            finish(claim.failed(&error, retry_at).await, channel);
        }
    }
}

fn finish(result: Result<(), app::store::StoreError>, channel: &str) {
    if let Err(e) = result {
        // The claim rolls back: the row is delivered again later (at least once).
        tracing::error!(error = %e, channel, "recording an alert delivery failed");
    }
}
