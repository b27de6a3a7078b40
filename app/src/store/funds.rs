use chrono::{DateTime, Utc};
use domain::fund::{decide, EventPayload, FundCreated, FundState, NewEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use super::append::{AppendRequest, EventMetadata};
use super::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FundSummary {
    pub id: Uuid,
    pub name: String,
    pub size: Decimal,
    pub vintage: Option<i32>,
    pub version: u64,
    pub first_effective_at: Option<DateTime<Utc>>,
    pub max_effective_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Creates a fund and its FUND_CREATED event (version 1) in one transaction; `admin`, when
    /// given, becomes the fund's first admin in the same transaction.
    pub async fn create_fund(
        &self,
        name: &str,
        size: Decimal,
        vintage: Option<i32>,
        effective_at: DateTime<Utc>,
        metadata: EventMetadata,
        admin: Option<Uuid>,
    ) -> Result<FundSummary, StoreError> {
        let payload = EventPayload::FundCreated(FundCreated { name: name.trim().to_string(), size, vintage });
        let event = NewEvent { effective_at, payload };
        // Validate before touching the database; field names are those of the request body.
        decide(&FundState::default(), &event, Utc::now()).map_err(|domain::DomainError::Invalid { field, message }| {
            StoreError::invalid(field.trim_start_matches("payload.").to_string(), message)
        })?;
        let id = Uuid::new_v4();
        let mut tx = self.pool.begin().await?;
        insert_fund_row(&mut tx, id, name.trim(), size, vintage).await?;
        super::alert_rules::insert_default_rules(&mut tx, id).await?;
        if let Some(user_id) = admin {
            sqlx::query("INSERT INTO fund_members (fund_id, user_id, role) VALUES ($1, $2, 'admin')").bind(id).bind(user_id).execute(&mut *tx).await?;
            super::accounts::notify_access_changed(&mut tx, user_id).await?;
            // The creator's first role goes in the audit trail like any later one.
            let actor = super::AuditActor { user_id: Some(user_id), token_id: None, address: metadata.address.clone() };
            let note = super::audit::AuditNote {
                scope: super::audit::AuditScope::Fund(id),
                action: super::AuditAction::MemberRole,
                subject: user_id.to_string(),
                summary: format!("created the fund {:?} and became its admin", name.trim()),
                detail: serde_json::json!({ "role": "admin", "previous_role": null }),
            };
            super::audit::record(&mut tx, &actor, note).await?;
        }
        let req = AppendRequest { expected_version: Some(0), idempotency_key: None, fingerprint: String::new(), events: vec![event], undated: Vec::new(), metadata };
        let (outcome, latest) = self.append_in(&mut tx, id, &req).await?;
        tx.commit().await?;
        if let Some(user_id) = admin {
            self.access.forget_user(user_id);
        }
        self.remember_latest(id, outcome.version, outcome.recorded_at, latest);
        self.fund(id).await
    }

    pub async fn funds(&self) -> Result<Vec<FundSummary>, StoreError> {
        self.fund_summaries(None).await
    }

    /// The funds `user_id` is a member of, in the order of `funds()`.
    pub async fn funds_for_user(&self, user_id: Uuid) -> Result<Vec<FundSummary>, StoreError> {
        self.fund_summaries(Some(user_id)).await
    }

    /// Every fund, or only a member's.
    async fn fund_summaries(&self, member: Option<Uuid>) -> Result<Vec<FundSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.id, f.name, f.size, f.vintage, f.version, f.max_effective_at,
                    (SELECT min(effective_at) FROM fund_events e WHERE e.fund_id = f.id) AS first_effective_at
             FROM funds f
             WHERE $1::uuid IS NULL OR EXISTS (SELECT 1 FROM fund_members m WHERE m.fund_id = f.id AND m.user_id = $1)
             ORDER BY f.created_at, f.name",
        )
        .bind(member)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }

    pub async fn fund(&self, id: Uuid) -> Result<FundSummary, StoreError> {
        let row = sqlx::query(
            "SELECT f.id, f.name, f.size, f.vintage, f.version, f.max_effective_at,
                    (SELECT min(effective_at) FROM fund_events e WHERE e.fund_id = f.id) AS first_effective_at
             FROM funds f WHERE f.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::FundNotFound(id))?;
        summary_from_row(&row)
    }

    /// The fund's head version; also the existence check for reads.
    pub async fn fund_version(&self, id: Uuid) -> Result<u64, StoreError> {
        if let Some(head) = self.head_of(id) {
            return Ok(head.version);
        }
        let v: Option<i64> = sqlx::query_scalar("SELECT version FROM funds WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        v.map(|v| v as u64).ok_or(StoreError::FundNotFound(id))
    }
}

impl Store {
    /// Changes whenever anything shown on the fund's pages changes (see the migration).
    pub async fn fund_revision(&self, id: Uuid) -> Result<u64, StoreError> {
        Ok(self.fund_head(id).await?.revision)
    }

    /// The fund's version and revision: the page request's own read when there is one, else one
    /// indexed read.
    pub async fn fund_head(&self, id: Uuid) -> Result<super::FundHead, StoreError> {
        if let Some(head) = self.head_of(id) {
            return Ok(head);
        }
        type Row = (i64, i64, chrono::DateTime<chrono::Utc>, Option<chrono::DateTime<chrono::Utc>>);
        let row: Option<Row> = sqlx::query_as("SELECT version, revision, last_recorded_at, max_effective_at FROM funds WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(version, revision, last_recorded_at, max_effective_at)| super::FundHead {
            fund_id: id,
            version: version as u64,
            revision: revision as u64,
            last_recorded_at,
            max_effective_at,
        })
        .ok_or(StoreError::FundNotFound(id))
    }
}

impl Store {
    /// Records that something shown on the fund's pages changed outside the event stream.
    pub(super) async fn touch_fund(&self, id: Uuid) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        bump_revision(&mut conn, id).await
    }
}

/// Marks a change to the fund that is not an event (a snapshot, an alert read, a rule edited).
pub(super) async fn bump_revision(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<(), StoreError> {
    sqlx::query("UPDATE funds SET revision = revision + 1 WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

pub(super) async fn insert_fund_row(
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    name: &str,
    size: Decimal,
    vintage: Option<i32>,
) -> Result<(), StoreError> {
    // No event recorded yet: the first append (or an import's first historical event) sets it.
    sqlx::query("INSERT INTO funds (id, name, size, vintage, last_recorded_at) VALUES ($1, $2, $3, $4, 'epoch')")
        .bind(id)
        .bind(name)
        .bind(size)
        .bind(vintage)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn summary_from_row(row: &sqlx::postgres::PgRow) -> Result<FundSummary, StoreError> {
    Ok(FundSummary {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        size: row.try_get("size")?,
        vintage: row.try_get("vintage")?,
        version: row.try_get::<i64, _>("version")? as u64,
        first_effective_at: row.try_get("first_effective_at")?,
        max_effective_at: row.try_get("max_effective_at")?,
    })
}
