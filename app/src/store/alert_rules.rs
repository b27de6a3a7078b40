//! Alert rules per fund.

use chrono::{DateTime, Utc};
use domain::fund::Metric;
use domain::variance::{Channel, Comparison, RuleSpec, Severity, ThresholdUnit};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use serde_json::json;

use super::audit::{self, AuditAction, AuditActor, AuditNote, AuditScope};
use super::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub id: Uuid,
    pub fund_id: Uuid,
    #[serde(flatten)]
    pub spec: RuleSpec,
    /// "REVENUE below forecast by 20%".
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, fund_id, metric, comparison, threshold, unit, severity, channels, cooldown_days, enabled, adaptive, created_at, updated_at";

impl Store {
    /// Kept per fund revision: creating, changing and deleting a rule bump it.
    pub async fn alert_rules(&self, fund_id: Uuid) -> Result<Vec<AlertRule>, StoreError> {
        let key = (fund_id, self.fund_head(fund_id).await?.revision);
        let rules = super::kept(&self.caches.alert_rules, key, async {
            let mut conn = self.pool.acquire().await?;
            rules_in(&mut conn, fund_id, false).await.map(std::sync::Arc::new)
        })
        .await?;
        Ok((*rules).clone())
    }

    pub async fn create_alert_rule(&self, actor: &AuditActor, fund_id: Uuid, spec: &RuleSpec) -> Result<AlertRule, StoreError> {
        spec.validate().map_err(StoreError::from_domain_field)?;
        self.fund_version(fund_id).await?;
        let mut tx = self.pool.begin().await?;
        // The fund's rules are counted under a lock on its rules, so parallel creations cannot
        // overshoot the cap.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('fundlens.alert_rules:' || $1::text, 0))").bind(fund_id).execute(&mut *tx).await?;
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM alert_rules WHERE fund_id = $1").bind(fund_id).fetch_one(&mut *tx).await?;
        if count >= domain::variance::rules::MAX_RULES_PER_FUND {
            return Err(StoreError::invalid("rules", format!("a fund may have at most {} alert rules", domain::variance::rules::MAX_RULES_PER_FUND)));
        }
        let id = insert_rule(&mut tx, fund_id, spec, None).await?;
        let rule = rule_in(&mut tx, fund_id, id).await?;
        let summary = format!("added the alert rule \"{}\"", rule.description);
        commit_rule_change(tx, actor, &rule, AuditAction::AlertRuleCreate, summary).await?;
        Ok(rule)
    }

    pub async fn update_alert_rule(&self, actor: &AuditActor, fund_id: Uuid, rule_id: Uuid, spec: &RuleSpec) -> Result<AlertRule, StoreError> {
        spec.validate().map_err(StoreError::from_domain_field)?;
        self.fund_version(fund_id).await?;
        let mut tx = self.pool.begin().await?;
        let before = rule_in(&mut tx, fund_id, rule_id).await?;
        let sql = "UPDATE alert_rules SET metric = $3, comparison = $4, threshold = $5, unit = $6, severity = $7, channels = $8,
                   cooldown_days = $9, enabled = $10, adaptive = $11, updated_at = now() WHERE fund_id = $1 AND id = $2";
        let done = bind_spec(sqlx::query(sql).bind(fund_id).bind(rule_id), spec).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::AlertRuleNotFound(rule_id));
        }
        let rule = rule_in(&mut tx, fund_id, rule_id).await?;
        let switched = match (before.spec.enabled, rule.spec.enabled) {
            (true, false) => " (now disabled)",
            (false, true) => " (now enabled)",
            _ => "",
        };
        let summary = format!("changed the alert rule \"{}\" to \"{}\"{switched}", before.description, rule.description);
        commit_rule_change(tx, actor, &rule, AuditAction::AlertRuleUpdate, summary).await?;
        Ok(rule)
    }

    /// Deletes a rule; alerts it raised stay, with the rule's description.
    pub async fn delete_alert_rule(&self, actor: &AuditActor, fund_id: Uuid, rule_id: Uuid) -> Result<(), StoreError> {
        self.fund_version(fund_id).await?;
        let mut tx = self.pool.begin().await?;
        let rule = rule_in(&mut tx, fund_id, rule_id).await?;
        sqlx::query("DELETE FROM alert_rules WHERE fund_id = $1 AND id = $2").bind(fund_id).bind(rule_id).execute(&mut *tx).await?;
        let summary = format!("deleted the alert rule \"{}\"", rule.description);
        commit_rule_change(tx, actor, &rule, AuditAction::AlertRuleDelete, summary).await
    }
}

/// Records a rule change in the audit trail, marks the fund's pages changed and commits.
async fn commit_rule_change(
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    actor: &AuditActor,
    rule: &AlertRule,
    action: AuditAction,
    summary: String,
) -> Result<(), StoreError> {
    let note = AuditNote {
        scope: AuditScope::Fund(rule.fund_id),
        action,
        subject: rule.id.to_string(),
        summary,
        detail: json!({ "description": rule.description, "enabled": rule.spec.enabled }),
    };
    audit::commit_fund_change(tx, actor, rule.fund_id, note).await
}

/// The default rules, written in the transaction that creates the fund.
pub(super) async fn insert_default_rules(conn: &mut PgConnection, fund_id: Uuid) -> Result<(), StoreError> {
    for (position, spec) in RuleSpec::defaults().iter().enumerate() {
        insert_rule(conn, fund_id, spec, Some(position as i32)).await?;
    }
    Ok(())
}

/// The fund's rules in order; only the enabled ones when `enabled_only`.
pub(super) async fn rules_in(conn: &mut PgConnection, fund_id: Uuid, enabled_only: bool) -> Result<Vec<AlertRule>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM alert_rules WHERE fund_id = $1 AND (enabled OR NOT $2) ORDER BY position, created_at, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fund_id).bind(enabled_only).fetch_all(&mut *conn).await?;
    rows.iter().map(rule_from_row).collect()
}

async fn rule_in(conn: &mut PgConnection, fund_id: Uuid, id: Uuid) -> Result<AlertRule, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM alert_rules WHERE fund_id = $1 AND id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(fund_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::AlertRuleNotFound(id))?;
    rule_from_row(&row)
}

async fn insert_rule(conn: &mut PgConnection, fund_id: Uuid, spec: &RuleSpec, position: Option<i32>) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let sql = "INSERT INTO alert_rules (id, fund_id, metric, comparison, threshold, unit, severity, channels, cooldown_days, enabled, adaptive, position)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                       COALESCE($12, (SELECT COALESCE(max(position) + 1, 0) FROM alert_rules WHERE fund_id = $2)))";
    bind_spec(sqlx::query(sql).bind(id).bind(fund_id), spec).bind(position).execute(&mut *conn).await?;
    Ok(id)
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn bind_spec<'q>(q: Query<'q>, spec: &RuleSpec) -> Query<'q> {
    let channels: Vec<String> = spec.channels.iter().map(|c| c.as_str().to_string()).collect();
    q.bind(spec.metric.map(|m| m.as_str().to_string()))
        .bind(spec.comparison.as_str())
        .bind(spec.threshold)
        .bind(spec.unit.as_str())
        .bind(spec.severity.as_str())
        .bind(channels)
        .bind(spec.cooldown_days as i32)
        .bind(spec.enabled)
        .bind(spec.adaptive)
}

fn rule_from_row(row: &PgRow) -> Result<AlertRule, StoreError> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("alert rule {what} {v:?}"));
    let metric: Option<String> = row.try_get("metric")?;
    let metric = metric
        .map(|m| Metric::ALL.into_iter().find(|x| x.as_str() == m).ok_or_else(|| corrupt("metric", &m)))
        .transpose()?;
    let comparison: String = row.try_get("comparison")?;
    let unit: String = row.try_get("unit")?;
    let severity: String = row.try_get("severity")?;
    let channels: Vec<String> = row.try_get("channels")?;
    let spec = RuleSpec {
        metric,
        comparison: Comparison::parse(&comparison).ok_or_else(|| corrupt("comparison", &comparison))?,
        threshold: row.try_get("threshold")?,
        unit: ThresholdUnit::parse(&unit).ok_or_else(|| corrupt("unit", &unit))?,
        severity: Severity::parse(&severity).ok_or_else(|| corrupt("severity", &severity))?,
        channels: channels.iter().map(|c| Channel::parse(c).ok_or_else(|| corrupt("channel", c))).collect::<Result<_, _>>()?,
        cooldown_days: row.try_get::<i32, _>("cooldown_days")? as u32,
        enabled: row.try_get("enabled")?,
        adaptive: row.try_get("adaptive")?,
    };
    Ok(AlertRule {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        description: spec.describe(),
        spec,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
