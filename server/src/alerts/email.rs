//! E-mail delivery over SMTP with lettre.

use app::store::Delivery;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub type Mailer = AsyncSmtpTransport<Tokio1Executor>;

/// A transport for `SMTP_URL` (`smtp://127.0.0.1:2525` is plain SMTP, fine for localhost).
pub fn mailer(url: &str, timeout: std::time::Duration) -> Result<Mailer, String> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("SMTP_URL: {e}"))?.timeout(Some(timeout)).build())
}

pub async fn send(mailer: &Mailer, from: &str, d: &Delivery) -> Result<(), String> {
    let from: Mailbox = from.parse().map_err(|e| format!("SMTP_FROM: {e}"))?;
    let mut builder = Message::builder().from(from).subject(super::message::subject(d));
    for to in &d.settings.email_to {
        builder = builder.to(to.parse::<Mailbox>().map_err(|e| format!("recipient {to:?}: {e}"))?);
    }
    let message = builder.body(super::message::text(d)).map_err(|e| format!("message: {e}"))?;
    // The stored text is shown to the fund's members: the SMTP server's own words go to the log.
    mailer.send(message).await.map(|_| ()).map_err(|e| {
        tracing::warn!(outbox_id = d.outbox_id, error = %e, "SMTP delivery failed");
        if e.is_permanent() { "the mail server refused the message" } else { "the mail server could not be reached or failed" }.to_string()
    })
}
