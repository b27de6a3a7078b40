//! The delivery loop: claim a due outbox row, deliver, record the outcome; sleep until woken by
//! NOTIFY, until the next retry falls due, or until the poll interval passes (a NOTIFY sent while
//! the listener was disconnected is lost, the poll catches it).

use std::sync::Arc;
use std::time::Duration;

use app::store::{ClaimedDelivery, Store};
use chrono::Utc;
use domain::variance::Channel;
use tokio::sync::{watch, Mutex, Notify};
use tokio::task::JoinHandle;

use super::email::{self, Mailer};
use super::{webhook, DeliveryConfig};

/// Handle on the running worker tasks. [`AlertWorker::shutdown`] stops them between deliveries
/// (a delivery in flight finishes and is recorded first).
pub struct AlertWorker {
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

struct Context {
    store: Store,
    config: DeliveryConfig,
    http: reqwest::Client,
    mailer: Option<Mailer>,
    wake: Notify,
}

impl AlertWorker {
    pub fn spawn(store: Store, config: DeliveryConfig) -> Result<AlertWorker, String> {
        super::install_crypto_provider();
        let http = webhook::client(&config)?;
        let mailer = config.smtp_url.as_deref().map(|u| email::mailer(u, config.timeout)).transpose()?;
        let (stop, stop_rx) = watch::channel(false);
        let ctx = Arc::new(Context { store, config, http, mailer, wake: Notify::new() });
        let mut tasks = vec![tokio::spawn(listen(ctx.clone(), stop_rx.clone()))];
        for _ in 0..ctx.config.concurrency.max(1) {
            tasks.push(tokio::spawn(run(ctx.clone(), stop_rx.clone())));
        }
        Ok(AlertWorker { stop, tasks: Mutex::new(tasks) })
    }

    /// Stops the tasks and waits for them.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut *self.tasks.lock().await);
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Kills the tasks at once, mid-delivery if need be, as a crash would (tests).
    pub async fn abort(&self) {
        for t in self.tasks.lock().await.drain(..) {
            t.abort();
        }
    }
}

impl Drop for AlertWorker {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Forwards NOTIFY wake-ups; after a reconnect it wakes everyone, as notifications may be lost.
async fn listen(ctx: Arc<Context>, mut stop: watch::Receiver<bool>) {
    loop {
        let mut listener = match ctx.store.outbox_listener().await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "alert outbox listener cannot connect; relying on polling");
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(ctx.config.poll_interval) => continue,
                }
            }
        };
        ctx.wake.notify_waiters();
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                n = listener.try_recv() => match n {
                    Ok(Some(_)) => ctx.wake.notify_waiters(),
                    // Connection lost: try_recv reconnects on the next call; wake to re-read.
                    Ok(None) => ctx.wake.notify_waiters(),
                    Err(e) => {
                        tracing::warn!(error = %e, "alert outbox listener failed");
                        break;
                    }
                },
            }
        }
    }
}

async fn run(ctx: Arc<Context>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        // Register interest before looking, so a NOTIFY between the look and the wait counts.
        let woken = ctx.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        match ctx.store.claim_delivery().await {
            Ok(Some(claim)) => {
                deliver(&ctx, claim).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "claiming an alert delivery failed"),
        }
        let wait = match ctx.store.next_delivery_due().await {
            Ok(Some(due)) => (due - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(ctx.config.poll_interval),
            _ => ctx.config.poll_interval,
        };
        tokio::select! {
            _ = stop.changed() => break,
            _ = &mut woken => {}
            _ = tokio::time::sleep(wait.max(Duration::from_millis(5))) => {}
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
