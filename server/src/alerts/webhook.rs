//! Webhook delivery: a Slack-compatible JSON POST signed with the fund's secret.
//!
//! `X-Fundlens-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Receivers
//! recompute the HMAC over the raw body and reject stale `t` values. `X-Fundlens-Delivery` is the
//! outbox row id: the same for every retry of one delivery, so receivers can drop duplicates.

use app::store::Delivery;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{address, DeliveryConfig};

pub const SIGNATURE_HEADER: &str = "x-fundlens-signature";
pub const DELIVERY_HEADER: &str = "x-fundlens-delivery";

/// The signature header's value for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The HTTP client for webhooks: no redirects (a 3xx is a failed attempt, so a public host cannot
/// bounce the request to a private one), no proxy from the environment (the proxy, not the
/// resolver, would pick the address), and unless `allow_private`, a resolver that only hands out
/// public addresses (`address::PublicOnlyResolver`).
pub fn client(config: &DeliveryConfig) -> Result<reqwest::Client, String> {
    let builder = reqwest::Client::builder().timeout(config.timeout).redirect(reqwest::redirect::Policy::none()).no_proxy();
    let builder = if config.allow_private { builder } else { builder.dns_resolver(address::PublicOnlyResolver) };
    builder.build().map_err(|e| format!("HTTP client: {e}"))
}

/// Posts the alert; any transport error or non-2xx status is a failed attempt. The error text is
/// stored with the delivery and shown to the fund's members, so it names the kind of failure
/// only; the cause (addresses, OS errors) goes to the log.
pub async fn send(client: &reqwest::Client, url: &str, secret: &str, d: &Delivery, allow_private: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "the webhook URL is not valid".to_string())?;
    if !allow_private {
        if let Err(e) = address::check_literal_host(&parsed) {
            tracing::warn!(outbox_id = d.outbox_id, error = %e, "webhook to a non-public address refused");
            return Err(REFUSED.into());
        }
    }
    let body = serde_json::to_vec(&super::message::slack_body(d)).map_err(|_| "the alert could not be encoded".to_string())?;
    let timestamp = chrono::Utc::now().timestamp();
    let response = client
        .post(parsed)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature(secret, timestamp, &body))
        .header(DELIVERY_HEADER, d.outbox_id.to_string())
        .header("x-fundlens-alert", d.alert.id.to_string())
        .body(body)
        .send()
        .await
        .map_err(|e| {
            tracing::warn!(outbox_id = d.outbox_id, error = ?e, "webhook request failed");
            failure_text(&e).to_string()
        })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else if status.is_redirection() {
        Err(format!("webhook answered {status}; redirects are not followed"))
    } else {
        Err(format!("webhook answered {status}"))
    }
}

const REFUSED: &str = "webhook refused: the host is not a public address";

/// A member-facing summary of a transport error.
fn failure_text(e: &reqwest::Error) -> &'static str {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<address::RefusedAddress>() {
            return REFUSED;
        }
        source = s.source();
    }
    if e.is_timeout() {
        "webhook request timed out"
    } else if e.is_connect() {
        "could not connect to the webhook host"
    } else {
        "webhook request failed"
    }
}
