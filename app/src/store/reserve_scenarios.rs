//! Named reserve scenarios: a run's settings and result frozen under a name (`reserve_scenarios`).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::{ReserveRun, Store, StoreError};

/// Most scenarios kept per fund.
pub const MAX_SCENARIOS: i64 = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReserveScenario {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub run_id: Uuid,
    pub name: String,
    pub description: String,
    pub as_of: DateTime<Utc>,
    pub known_at: Option<DateTime<Utc>>,
    pub fund_version: u64,
    pub iterations: u32,
    pub increment: Decimal,
    pub seed: u64,
    /// The run's `ReserveReport`.
    pub result: serde_json::Value,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, fund_id, run_id, name, description, as_of, known_at, fund_version, iterations, increment, seed, result, created_by, created_at";

impl Store {
    /// Freezes a succeeded run under `name`. The name must be unique within the fund.
    pub async fn save_reserve_scenario(&self, run: &ReserveRun, name: &str, description: &str, created_by: &str) -> Result<ReserveScenario, StoreError> {
        let Some(result) = &run.result else { return Err(StoreError::invalid("run_id", "only a finished ranking can be saved")) };
        let mut tx = self.pool.begin().await?;
        let (count, taken): (i64, bool) = sqlx::query_as(
            "SELECT count(*), coalesce(bool_or(lower(name) = lower($2)), false) FROM reserve_scenarios WHERE fund_id = $1",
        )
        .bind(run.fund_id)
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        if taken {
            return Err(StoreError::invalid("name", format!("a scenario named {name:?} exists already")));
        }
        if count >= MAX_SCENARIOS {
            return Err(StoreError::invalid("name", format!("this fund has {MAX_SCENARIOS} scenarios already; delete some first")));
        }
        let sql = format!(
            "INSERT INTO reserve_scenarios (id, fund_id, run_id, name, description, as_of, known_at, fund_version, iterations, increment, seed, result, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(run.fund_id)
            .bind(run.id)
            .bind(name)
            .bind(description)
            .bind(run.as_of)
            .bind(run.known_at)
            .bind(run.fund_version as i64)
            .bind(run.iterations as i32)
            .bind(run.increment)
            .bind(run.seed as i64)
            .bind(result)
            .bind(created_by)
            .fetch_one(&mut *tx)
            .await?;
        super::funds::bump_revision(&mut tx, run.fund_id).await?;
        tx.commit().await?;
        scenario_from_row(&row)
    }

    /// A fund's scenarios, newest first.
    pub async fn reserve_scenarios(&self, fund_id: Uuid) -> Result<Vec<ReserveScenario>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM reserve_scenarios WHERE fund_id = $1 ORDER BY created_at DESC, id LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fund_id).bind(MAX_SCENARIOS).fetch_all(&self.pool).await?;
        rows.iter().map(scenario_from_row).collect()
    }

    /// The same list without the frozen results (the Reserves tab lists names and dates; it reads
    /// one scenario's result with [`Self::reserve_scenario`] when it is opened or compared). Kept
    /// per fund revision: saving and deleting a scenario bump it.
    pub async fn reserve_scenario_list(&self, fund_id: Uuid) -> Result<Vec<ReserveScenario>, StoreError> {
        let key = (fund_id, self.fund_head(fund_id).await?.revision);
        let list = super::kept(&self.caches.scenario_lists, key, async { self.read_reserve_scenario_list(fund_id).await.map(std::sync::Arc::new) }).await?;
        Ok((*list).clone())
    }

    async fn read_reserve_scenario_list(&self, fund_id: Uuid) -> Result<Vec<ReserveScenario>, StoreError> {
        let columns = COLUMNS.replace("result", "'null'::jsonb AS result");
        let sql = format!("SELECT {columns} FROM reserve_scenarios WHERE fund_id = $1 ORDER BY created_at DESC, id LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fund_id).bind(MAX_SCENARIOS).fetch_all(&self.pool).await?;
        rows.iter().map(scenario_from_row).collect()
    }

    pub async fn reserve_scenario(&self, fund_id: Uuid, id: Uuid) -> Result<Option<ReserveScenario>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM reserve_scenarios WHERE fund_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fund_id).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(scenario_from_row).transpose()
    }

    /// Deletes a scenario; false when there was none.
    pub async fn delete_reserve_scenario(&self, fund_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM reserve_scenarios WHERE fund_id = $1 AND id = $2").bind(fund_id).bind(id).execute(&mut *tx).await?;
        super::funds::bump_revision(&mut tx, fund_id).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }
}

fn scenario_from_row(row: &PgRow) -> Result<ReserveScenario, StoreError> {
    Ok(ReserveScenario {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        run_id: row.try_get("run_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        as_of: row.try_get("as_of")?,
        known_at: row.try_get("known_at")?,
        fund_version: row.try_get::<i64, _>("fund_version")? as u64,
        iterations: row.try_get::<i32, _>("iterations")? as u32,
        increment: row.try_get("increment")?,
        seed: row.try_get::<i64, _>("seed")? as u64,
        result: row.try_get("result")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}
