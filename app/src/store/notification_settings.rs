//! Where a fund's webhook and e-mail alerts go.

use domain::variance::NotificationSettings;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use serde_json::json;

use super::audit::{self, AuditAction, AuditActor, AuditNote, AuditScope};
use super::{Store, StoreError};

/// The settings as shown to clients: the webhook secret is never sent back, only whether one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationSettingsView {
    pub webhook_url: Option<String>,
    pub webhook_secret_set: bool,
    pub email_to: Vec<String>,
}

impl From<&NotificationSettings> for NotificationSettingsView {
    fn from(s: &NotificationSettings) -> Self {
        NotificationSettingsView { webhook_url: s.webhook_url.clone(), webhook_secret_set: s.webhook_secret.is_some(), email_to: s.email_to.clone() }
    }
}

impl Store {
    pub async fn notification_settings(&self, fund_id: Uuid) -> Result<NotificationSettings, StoreError> {
        self.fund_version(fund_id).await?;
        let mut conn = self.pool.acquire().await?;
        settings_in(&mut conn, fund_id).await
    }

    /// Replaces the settings. A `None` secret keeps the stored one when the URL is unchanged, so
    /// clients can edit recipients without re-sending the secret.
    pub async fn put_notification_settings(&self, actor: &AuditActor, fund_id: Uuid, new: NotificationSettings) -> Result<NotificationSettings, StoreError> {
        self.fund_version(fund_id).await?;
        let mut tx = self.pool.begin().await?;
        let old = settings_in(&mut tx, fund_id).await?;
        let mut new = new;
        if new.webhook_secret.is_none() && new.webhook_url.is_some() && new.webhook_url == old.webhook_url {
            new.webhook_secret = old.webhook_secret.clone();
        }
        let new = new.validated().map_err(StoreError::from_domain_field)?;
        sqlx::query(
            "INSERT INTO notification_settings (fund_id, webhook_url, webhook_secret, email_to) VALUES ($1, $2, $3, $4)
             ON CONFLICT (fund_id) DO UPDATE SET webhook_url = $2, webhook_secret = $3, email_to = $4, updated_at = now()",
        )
        .bind(fund_id)
        .bind(&new.webhook_url)
        .bind(&new.webhook_secret)
        .bind(&new.email_to)
        .execute(&mut *tx)
        .await?;
        audit::record(&mut tx, actor, settings_note(fund_id, &old, &new)).await?;
        tx.commit().await?;
        Ok(new)
    }
}

/// The audit entry for a settings change. Webhook URLs often carry a credential in their path
/// (Slack's do), so only the host is recorded, and the secret only as changed or not.
fn settings_note(fund_id: Uuid, old: &NotificationSettings, new: &NotificationSettings) -> AuditNote {
    let (old_host, new_host) = (old.webhook_host(), new.webhook_host());
    let mut changes = Vec::new();
    match (&old_host, &new_host) {
        (None, Some(h)) => changes.push(format!("webhook set to {h}")),
        (Some(_), None) => changes.push("webhook removed".to_string()),
        (Some(_), Some(h)) if old.webhook_url != new.webhook_url => changes.push(format!("webhook changed to {h}")),
        _ => {}
    }
    let secret_changed = old.webhook_secret != new.webhook_secret;
    if secret_changed && new.webhook_url.is_some() {
        changes.push(if new.webhook_secret.is_some() { "webhook secret changed" } else { "webhook secret removed" }.to_string());
    }
    if old.email_to != new.email_to {
        changes.push(if new.email_to.is_empty() { "no e-mail recipients".to_string() } else { format!("e-mail to {}", new.email_to.join(", ")) });
    }
    let summary = if changes.is_empty() { "saved the notification settings unchanged".to_string() } else { format!("notification settings: {}", changes.join("; ")) };
    AuditNote {
        scope: AuditScope::Fund(fund_id),
        action: AuditAction::NotificationSettings,
        subject: fund_id.to_string(),
        summary,
        detail: json!({ "webhook_host": new_host, "webhook_secret_changed": secret_changed, "email_to": new.email_to }),
    }
}

pub(super) async fn settings_in(conn: &mut PgConnection, fund_id: Uuid) -> Result<NotificationSettings, StoreError> {
    let row = sqlx::query("SELECT webhook_url, webhook_secret, email_to FROM notification_settings WHERE fund_id = $1")
        .bind(fund_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => NotificationSettings { webhook_url: r.try_get("webhook_url")?, webhook_secret: r.try_get("webhook_secret")?, email_to: r.try_get("email_to")? },
        None => NotificationSettings::default(),
    })
}
