//! The alert delivery outbox: claims for delivery workers on any number of replicas.
//!
//! A worker claims one due row with `FOR UPDATE SKIP LOCKED` inside a transaction, delivers, and
//! records the result in that same transaction before committing. Other workers skip the locked
//! row; a worker that dies mid-delivery rolls back, and the row is claimed again later. Nothing
//! is kept in process memory that another replica would need.

use chrono::{DateTime, Utc};
use domain::variance::{Channel, NotificationSettings};
use sqlx::{Postgres, Row, Transaction};
use uuid::Uuid;

use super::alerts::{alert_from_row, AlertRecord};
use super::notification_settings::settings_in;
use super::{Store, StoreError};

/// Everything a worker needs to deliver one alert on one channel.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub outbox_id: i64,
    pub channel: Channel,
    /// Attempts made before this one.
    pub attempts: u32,
    pub alert: AlertRecord,
    pub fund_name: String,
    pub settings: NotificationSettings,
}

/// A claimed outbox row: locked until one of the completing methods commits (or it is dropped,
/// which rolls back and leaves the row for another attempt).
pub struct ClaimedDelivery {
    tx: Transaction<'static, Postgres>,
    pub delivery: Delivery,
}

impl Store {
    /// Claims the next due delivery, if any.
    pub async fn claim_delivery(&self) -> Result<Option<ClaimedDelivery>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT id, alert_id, fund_id, channel, attempts FROM alert_outbox
             WHERE status = 'pending' AND next_attempt_at <= now()
             ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let outbox_id: i64 = row.try_get("id")?;
        let alert_id: Uuid = row.try_get("alert_id")?;
        let fund_id: Uuid = row.try_get("fund_id")?;
        let channel: String = row.try_get("channel")?;
        let alert_row = sqlx::query(
            "SELECT a.*, (SELECT payload->>'name' FROM fund_events e WHERE e.fund_id = a.fund_id
                          AND e.event_type = 'COMPANY_ADDED' AND e.company_id = a.company_id ORDER BY version LIMIT 1) AS company,
                    f.name AS fund_name, NULL::text AS resolved_by_email
             FROM alerts a JOIN funds f ON f.id = a.fund_id WHERE a.id = $1",
        )
        .bind(alert_id)
        .fetch_one(&mut *tx)
        .await?;
        let settings = settings_in(&mut tx, fund_id).await?;
        let delivery = Delivery {
            outbox_id,
            channel: Channel::parse(&channel).ok_or_else(|| StoreError::Corrupt(format!("outbox channel {channel:?}")))?,
            attempts: row.try_get::<i32, _>("attempts")? as u32,
            alert: alert_from_row(&alert_row)?,
            fund_name: alert_row.try_get("fund_name")?,
            settings,
        };
        Ok(Some(ClaimedDelivery { tx, delivery }))
    }

    /// When the earliest pending delivery falls due (a worker sleeps until then at most).
    pub async fn next_delivery_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(sqlx::query_scalar("SELECT min(next_attempt_at) FROM alert_outbox WHERE status = 'pending'")
            .fetch_one(&self.pool)
            .await?)
    }
}

impl ClaimedDelivery {
    pub async fn delivered(self) -> Result<(), StoreError> {
        self.finish("delivered", None, None).await
    }

    /// A failed attempt: retried at `retry_at`, or dead (dead-letter) when `None`.
    pub async fn failed(self, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        match retry_at {
            Some(at) => self.finish("pending", Some(error), Some(at)).await,
            None => self.finish("dead", Some(error), None).await,
        }
    }

    /// The channel is not configured for this fund: nothing to send, nothing to retry.
    pub async fn skipped(self, reason: &str) -> Result<(), StoreError> {
        self.finish("skipped", Some(reason), None).await
    }

    async fn finish(mut self, status: &str, error: Option<&str>, retry_at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let counts = status != "skipped";
        sqlx::query(
            "UPDATE alert_outbox SET status = $2, attempts = attempts + CASE WHEN $5 THEN 1 ELSE 0 END,
                    last_error = COALESCE($3, last_error), next_attempt_at = COALESCE($4, next_attempt_at),
                    delivered_at = CASE WHEN $2 = 'delivered' THEN now() END
             WHERE id = $1",
        )
        .bind(self.delivery.outbox_id)
        .bind(status)
        .bind(error.map(|e| e.chars().take(500).collect::<String>()))
        .bind(retry_at)
        .bind(counts)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(())
    }
}
