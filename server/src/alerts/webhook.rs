//! Webhook delivery: a Slack-compatible JSON POST signed with the fund's secret.
//!
//! `X-Fundlens-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Receivers
//! recompute the HMAC over the raw body and reject stale `t` values. `X-Fundlens-Delivery` is the
//! outbox row id: the same for every retry of one delivery, so receivers can drop duplicates.

use app::store::Delivery;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

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

/// Posts the alert; any transport error or non-2xx status is a failed attempt.
pub async fn send(client: &reqwest::Client, url: &str, secret: &str, d: &Delivery) -> Result<(), String> {
    let body = serde_json::to_vec(&super::message::slack_body(d)).map_err(|e| e.to_string())?;
    let timestamp = chrono::Utc::now().timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature(secret, timestamp, &body))
        .header(DELIVERY_HEADER, d.outbox_id.to_string())
        .header("x-fundlens-alert", d.alert.id.to_string())
        .body(body)
        .send()
        .await
        .map_err(|e| format!("webhook request failed: {e}"))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("webhook answered {status}"))
    }
}
