//! Alerts: raised inside the append transaction that records an actual, listed for the inbox,
//! read and resolved.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use domain::fund::{FundEvent, Metric};
use domain::variance::{ActualFact, AlertPlan, AlertState, Breach, BreachBook, BreachRule, Channel, ForecastIndex, ForecastVersion, OpenAlert, Severity, Side, VarianceLine};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::alert_rules::{rules_in, AlertRule};
use super::rows::event_from_row;
use super::audit::{self, AuditAction, AuditActor, AuditNote, AuditScope};
use super::{Store, StoreError};

/// The NOTIFY channel that wakes delivery workers.
pub const OUTBOX_CHANNEL: &str = "alert_outbox";

/// Webhook and e-mail deliveries one write (one recorded actual, one CSV import, one imported
/// history) may queue per channel; the alerts beyond it are in the in-app inbox only, and their
/// outbound deliveries are recorded as skipped with the reason — so one import cannot turn the
/// service into a mail or webhook cannon.
pub const MAX_OUTBOUND_PER_WRITE: usize = 20;

/// How many outbound deliveries a write has queued so far, per channel (see
/// [`MAX_OUTBOUND_PER_WRITE`]).
#[derive(Debug, Default)]
pub(super) struct OutboundBudget {
    queued: std::collections::HashMap<String, usize>,
}

impl OutboundBudget {
    /// Takes one delivery on `channel`; false once the write's share is used up.
    fn take(&mut self, channel: &str) -> bool {
        if channel == "in_app" {
            return true;
        }
        let used = self.queued.entry(channel.to_string()).or_default();
        *used += 1;
        *used <= MAX_OUTBOUND_PER_WRITE
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRecord {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub rule_id: Option<Uuid>,
    /// The most severe rule breached, as it read when the alert was raised (or escalated).
    pub rule: String,
    /// Every rule the actual breached, most severe first (`rule_id` and `rule` are the first).
    pub rule_ids: Vec<Uuid>,
    pub rules: Vec<String>,
    pub severity: Severity,
    pub company_id: Uuid,
    pub company: Option<String>,
    pub metric: Metric,
    /// The newest period the alert covers (its figures are that period's).
    pub period: NaiveDate,
    /// The period the breach began in, and how many periods it has covered so far.
    pub first_period: NaiveDate,
    pub periods_in_breach: u32,
    pub actual: Decimal,
    pub forecast: Decimal,
    pub forecast_basis: String,
    pub variance: Decimal,
    pub variance_pct: Option<Decimal>,
    pub actual_version: u64,
    pub actual_effective_at: DateTime<Utc>,
    pub state: AlertState,
    pub resolution_note: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The e-mail of who resolved it (`None` before the audit trail, or from the command line).
    pub resolved_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub deliveries: Vec<DeliveryRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub channel: Channel,
    /// pending, delivered, dead (retries exhausted) or skipped (channel not configured).
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub state: Option<AlertState>,
    pub severity: Option<Severity>,
    pub ids: Option<Vec<Uuid>>,
    pub limit: Option<u32>,
}

pub const MAX_ALERTS_LIMIT: u32 = 1_000;

/// One new alert to write: a breach, and the note when it is written already resolved.
#[derive(Debug, Clone)]
pub(super) struct NewAlert {
    pub(super) id: Uuid,
    pub(super) breach: Breach,
    /// The period the breach began in, and the periods it covers.
    pub(super) since: NaiveDate,
    pub(super) periods: u32,
    pub(super) resolution: Option<String>,
}

/// The fund's enabled rules, as the breach planner reads them.
pub(super) fn rule_refs(rules: &[AlertRule]) -> Vec<BreachRule<'_>> {
    rules.iter().map(|r| BreachRule { id: r.id, description: &r.description, spec: &r.spec }).collect()
}

/// Evaluates the fund's rules against the actuals in `events` (just inserted, same transaction)
/// and applies the plan (`domain::variance::breaches`): new alerts with one outbox row per
/// channel, escalations of open alerts with another round of deliveries, and resolutions.
/// Returns the ids of the alerts raised or escalated.
///
/// Ordered so the common case costs one indexed query: an actual without a forecast (or a fund
/// without enabled rules) cannot raise an alert, so the rules, the open alerts and the earlier
/// alerts (cooldown) are read only when there is something to compare.
pub(super) async fn raise_alerts_in(conn: &mut PgConnection, fund_id: Uuid, events: &[FundEvent]) -> Result<Vec<Uuid>, StoreError> {
    let actuals = actuals_in(events);
    if actuals.is_empty() {
        return Ok(Vec::new());
    }
    let companies: Vec<Uuid> = actuals.iter().map(|a| a.company_id).collect::<BTreeSet<_>>().into_iter().collect();
    let rows = sqlx::query(
        "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
         WHERE fund_id = $1 AND event_type = 'FORECAST_CREATED' AND company_id = ANY($2)
           AND EXISTS (SELECT 1 FROM alert_rules WHERE fund_id = $1 AND enabled)
           AND NOT EXISTS (SELECT 1 FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                           AND (r.payload->>'reverses')::bigint = fund_events.version)",
    )
    .bind(fund_id)
    .bind(&companies)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut forecasts: Vec<ForecastVersion> = Vec::with_capacity(rows.len());
    for row in &rows {
        forecasts.extend(ForecastVersion::from_event(&event_from_row(row)?));
    }
    let index = ForecastIndex::new(forecasts);
    let lines = variance_lines(&actuals, &index);
    if lines.is_empty() {
        return Ok(Vec::new());
    }
    let rules = rules_in(conn, fund_id, true).await?;
    let mut book = breach_book_in(conn, fund_id, &companies).await?;
    if rules.iter().any(|r| r.spec.adaptive) {
        let first = events.iter().map(|e| e.version).min().unwrap_or(0);
        for line in earlier_lines(conn, fund_id, &companies, first, &index).await? {
            if let Some(pct) = line.variance_pct {
                book.with_error(line.company_id, line.metric, pct);
            }
        }
    }
    let plans = book.plan(&lines, &rule_refs(&rules), &mut Uuid::new_v4);
    apply_plans(conn, fund_id, plans).await
}

/// The variance lines of the actuals of `companies` recorded before version `before` (not
/// reversed), oldest first: the error history adaptive rules read. Compared with the forecasts
/// in `index` as they stand now; a history import compares each with the forecasts recorded by
/// then, so the two differ only where a forecast was recorded after its actual.
async fn earlier_lines(conn: &mut PgConnection, fund_id: Uuid, companies: &[Uuid], before: u64, index: &ForecastIndex) -> Result<Vec<VarianceLine>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
         WHERE fund_id = $1 AND event_type = 'ACTUAL_RECORDED' AND company_id = ANY($2) AND version < $3
           AND NOT EXISTS (SELECT 1 FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                           AND (r.payload->>'reverses')::bigint = fund_events.version)
         ORDER BY version",
    )
    .bind(fund_id)
    .bind(companies)
    .bind(before.min(i64::MAX as u64) as i64)
    .fetch_all(&mut *conn)
    .await?;
    let mut actuals = Vec::with_capacity(rows.len());
    for row in &rows {
        actuals.extend(ActualFact::from_event(&event_from_row(row)?));
    }
    Ok(variance_lines(&actuals, index))
}

/// The open alerts and the cooldown history of `companies`.
async fn breach_book_in(conn: &mut PgConnection, fund_id: Uuid, companies: &[Uuid]) -> Result<BreachBook, StoreError> {
    let mut book = BreachBook::new();
    let rows = sqlx::query(
        "SELECT id, company_id, metric, period, severity, rule_ids, state, actual_effective_at, variance FROM alerts
         WHERE fund_id = $1 AND company_id = ANY($2)",
    )
    .bind(fund_id)
    .bind(companies)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let metric = metric_of(&r.try_get::<String, _>("metric")?)?;
        let company_id: Uuid = r.try_get("company_id")?;
        let effective_at: DateTime<Utc> = r.try_get("actual_effective_at")?;
        for rule_id in r.try_get::<Vec<Uuid>, _>("rule_ids")? {
            book.with_alerted(rule_id, company_id, metric, effective_at);
        }
        if r.try_get::<String, _>("state")? != "resolved" {
            let severity: String = r.try_get("severity")?;
            book.with_open(OpenAlert {
                id: r.try_get("id")?,
                company_id,
                metric,
                side: Side::of(r.try_get("variance")?),
                period: r.try_get("period")?,
                severity: Severity::parse(&severity).ok_or_else(|| StoreError::Corrupt(format!("alert severity {severity:?}")))?,
            });
        }
    }
    Ok(book)
}

/// Writes one append's plans; returns the ids of the alerts raised or escalated.
async fn apply_plans(conn: &mut PgConnection, fund_id: Uuid, plans: Vec<AlertPlan>) -> Result<Vec<Uuid>, StoreError> {
    let mut raised = Vec::new();
    let mut touched = Vec::new();
    let mut budget = OutboundBudget::default();
    for plan in plans {
        match plan {
            AlertPlan::Raise { alert_id, breach, since, periods, resolution } => {
                touched.push(alert_id);
                raised.push(NewAlert { id: alert_id, breach, since, periods, resolution });
            }
            AlertPlan::Update { alert_id, breach, escalated: true, periods_added } => {
                touched.push(alert_id);
                escalate_alert(conn, fund_id, alert_id, &breach, periods_added, &mut budget).await?;
            }
            AlertPlan::Update { alert_id, breach, escalated: false, periods_added } => {
                continue_alert(conn, fund_id, alert_id, &breach.line, periods_added).await?;
            }
            AlertPlan::Resolve { alert_id, note } => {
                sqlx::query(
                    "UPDATE alerts SET state = 'resolved', resolution_note = $3, resolved_at = now(), read_at = COALESCE(read_at, now())
                     WHERE fund_id = $1 AND id = $2",
                )
                .bind(fund_id)
                .bind(alert_id)
                .bind(&note)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    insert_alerts(conn, fund_id, &raised, &mut budget).await?;
    Ok(touched)
}

/// The open alert reaches a higher severity: the breach's new figures, severity and rules, unread
/// again, and one more round of deliveries.
async fn escalate_alert(conn: &mut PgConnection, fund_id: Uuid, alert_id: Uuid, breach: &Breach, periods_added: u32, budget: &mut OutboundBudget) -> Result<(), StoreError> {
    let round = move_alert_on(conn, fund_id, alert_id, &breach.line, periods_added, Some(breach)).await?;
    let deliveries: Vec<QueuedDelivery> = breach.channels.iter().map(|c| QueuedDelivery::new(alert_id, round, *c, budget)).collect();
    queue_deliveries(conn, fund_id, &deliveries).await
}

/// The breach goes on into a later period at no higher severity: the newest figures and the
/// period count change; its state, severity and deliveries do not.
async fn continue_alert(conn: &mut PgConnection, fund_id: Uuid, alert_id: Uuid, line: &VarianceLine, periods_added: u32) -> Result<(), StoreError> {
    move_alert_on(conn, fund_id, alert_id, line, periods_added, None).await.map(|_| ())
}

/// Writes the open alert's newest actual (`line`), and with `escalation` its new severity and
/// rules, unread again. Returns the alert's next delivery round.
async fn move_alert_on(
    conn: &mut PgConnection,
    fund_id: Uuid,
    alert_id: Uuid,
    line: &VarianceLine,
    periods_added: u32,
    escalation: Option<&Breach>,
) -> Result<i32, StoreError> {
    let l = line;
    let round: i32 = sqlx::query_scalar(
        "UPDATE alerts SET actual_version = $3, actual_effective_at = $4, actual = $5, forecast = $6, forecast_version = $7,
                forecast_basis = $8, variance = $9, variance_pct = $10,
                period = GREATEST(period, $11), first_period = LEAST(first_period, $11), periods_in_breach = periods_in_breach + $12,
                severity = COALESCE($13, severity),
                rule_id = CASE WHEN $13::text IS NULL THEN rule_id ELSE $14 END,
                rule_description = COALESCE($15, rule_description),
                rule_ids = COALESCE($16, rule_ids), rule_descriptions = COALESCE($17, rule_descriptions),
                state = CASE WHEN $13::text IS NULL THEN state ELSE 'unread' END,
                read_at = CASE WHEN $13::text IS NULL THEN read_at END
         WHERE fund_id = $1 AND id = $2
         RETURNING (SELECT COALESCE(max(round), -1) + 1 FROM alert_outbox WHERE alert_id = $2)",
    )
    .bind(fund_id)
    .bind(alert_id)
    .bind(l.actual_version as i64)
    .bind(l.effective_at)
    .bind(l.actual)
    .bind(l.forecast)
    .bind(l.forecast_version as i64)
    .bind(l.forecast_basis.as_str())
    .bind(l.variance)
    .bind(l.variance_pct)
    .bind(l.period)
    .bind(periods_added.min(i32::MAX as u32) as i32)
    .bind(escalation.map(|b| b.severity.as_str()))
    .bind(escalation.and_then(|b| b.rule_ids.first()))
    .bind(escalation.and_then(|b| b.rules.first()))
    .bind(escalation.map(|b| &b.rule_ids))
    .bind(escalation.map(|b| &b.rules))
    .fetch_one(&mut *conn)
    .await?;
    Ok(round)
}

/// Resolves the open alerts that actuals reversed in `events` (just inserted) had raised: the
/// figure they compared no longer stands. The note names the reversal.
pub(super) async fn resolve_reversed_in(conn: &mut PgConnection, fund_id: Uuid, events: &[FundEvent]) -> Result<(), StoreError> {
    let (reversed, by): (Vec<i64>, Vec<String>) = events
        .iter()
        .filter_map(|e| match &e.payload {
            domain::fund::EventPayload::EventReversed(r) => Some((
                r.reverses.min(i64::MAX as u64) as i64,
                format!("The actual was reversed by version {} on {}: {}", e.version, e.recorded_at.format("%Y-%m-%d"), r.reason),
            )),
            _ => None,
        })
        .unzip();
    if reversed.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE alerts a SET state = 'resolved', resolution_note = n.note, resolved_at = now()
         FROM UNNEST($2::bigint[], $3::text[]) AS n(v, note)
         WHERE a.fund_id = $1 AND a.actual_version = n.v AND a.state <> 'resolved'",
    )
    .bind(fund_id)
    .bind(&reversed)
    .bind(&by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The actuals among `events`, in canonical order.
pub(super) fn actuals_in(events: &[FundEvent]) -> Vec<ActualFact> {
    let mut actuals: Vec<ActualFact> = events.iter().filter_map(ActualFact::from_event).collect();
    actuals.sort_by_key(|a| (a.effective_at, a.version));
    actuals
}

/// Each actual that has a forecast to compare with, and the comparison.
pub(super) fn variance_lines(actuals: &[ActualFact], index: &ForecastIndex) -> Vec<VarianceLine> {
    actuals.iter().filter_map(|actual| index.for_actual(actual).map(|(forecast, basis)| VarianceLine::new(actual, forecast, basis))).collect()
}

/// Writes new alerts, and their deliveries: one outbox row per channel the breached rules name.
/// An alert written resolved (back within plan in the same write) sends nothing outbound.
pub(super) async fn insert_alerts(conn: &mut PgConnection, fund_id: Uuid, alerts: &[NewAlert], budget: &mut OutboundBudget) -> Result<(), StoreError> {
    if alerts.is_empty() {
        return Ok(());
    }
    let lines: Vec<&VarianceLine> = alerts.iter().map(|a| &a.breach.line).collect();
    let text = |f: &dyn Fn(&NewAlert) -> String| alerts.iter().map(f).collect::<Vec<String>>();
    let decimals = |f: &dyn Fn(&VarianceLine) -> Decimal| lines.iter().map(|l| f(l)).collect::<Vec<Decimal>>();
    // Arrays of arrays must be rectangular in PostgreSQL: the rule lists go as JSON.
    let rule_lists = |f: &dyn Fn(&Breach) -> serde_json::Value| alerts.iter().map(|a| f(&a.breach)).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO alerts (id, fund_id, rule_id, rule_description, rule_ids, rule_descriptions, severity, company_id, metric,
                             period, actual_version, actual_effective_at, actual, forecast, forecast_version, forecast_basis,
                             variance, variance_pct, state, resolution_note, resolved_at, read_at, first_period, periods_in_breach)
         SELECT id, $1, (ids->>0)::uuid, descr->>0,
                ARRAY(SELECT jsonb_array_elements_text(ids)::uuid), ARRAY(SELECT jsonb_array_elements_text(descr)),
                sev, company, metric, period, av, aeff, actual, forecast, fv, basis, var, pct,
                CASE WHEN note IS NULL THEN 'unread' ELSE 'resolved' END, note,
                CASE WHEN note IS NULL THEN NULL ELSE now() END, CASE WHEN note IS NULL THEN NULL ELSE now() END, since, periods
         FROM UNNEST($2::uuid[], $3::jsonb[], $4::jsonb[], $5::text[], $6::uuid[], $7::text[], $8::date[], $9::bigint[],
                     $10::timestamptz[], $11::numeric[], $12::numeric[], $13::bigint[], $14::text[], $15::numeric[], $16::numeric[],
                     $17::text[], $18::date[], $19::int[])
              AS n(id, ids, descr, sev, company, metric, period, av, aeff, actual, forecast, fv, basis, var, pct, note, since, periods)",
    )
    .bind(fund_id)
    .bind(alerts.iter().map(|a| a.id).collect::<Vec<_>>())
    .bind(rule_lists(&|b| serde_json::json!(b.rule_ids)))
    .bind(rule_lists(&|b| serde_json::json!(b.rules)))
    .bind(text(&|a| a.breach.severity.as_str().to_string()))
    .bind(lines.iter().map(|l| l.company_id).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.metric.as_str().to_string()).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.period).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.actual_version as i64).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.effective_at).collect::<Vec<_>>())
    .bind(decimals(&|l| l.actual))
    .bind(decimals(&|l| l.forecast))
    .bind(lines.iter().map(|l| l.forecast_version as i64).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.forecast_basis.as_str().to_string()).collect::<Vec<_>>())
    .bind(decimals(&|l| l.variance))
    .bind(lines.iter().map(|l| l.variance_pct).collect::<Vec<Option<Decimal>>>())
    .bind(alerts.iter().map(|a| a.resolution.clone()).collect::<Vec<Option<String>>>())
    .bind(alerts.iter().map(|a| a.since).collect::<Vec<NaiveDate>>())
    .bind(alerts.iter().map(|a| a.periods.min(i32::MAX as u32) as i32).collect::<Vec<i32>>())
    .execute(&mut *conn)
    .await?;

    let mut deliveries = Vec::new();
    for a in alerts {
        for c in &a.breach.channels {
            deliveries.push(match &a.resolution {
                Some(_) if *c != Channel::InApp => QueuedDelivery::skipped(a.id, 0, *c, BACK_WITHIN_PLAN_SKIP),
                _ => QueuedDelivery::new(a.id, 0, *c, budget),
            });
        }
    }
    queue_deliveries(conn, fund_id, &deliveries).await
}

const BACK_WITHIN_PLAN_SKIP: &str = "not sent: the breach was back within plan in the same write";

/// One outbox row to write: in-app is delivered at once (the alert row is the delivery), the
/// others are pending, or skipped with the reason.
struct QueuedDelivery {
    alert_id: Uuid,
    round: i32,
    channel: Channel,
    skipped: Option<String>,
}

impl QueuedDelivery {
    fn new(alert_id: Uuid, round: i32, channel: Channel, budget: &mut OutboundBudget) -> Self {
        let skipped = (!budget.take(channel.as_str())).then(|| {
            format!("not sent: one write raised more than {MAX_OUTBOUND_PER_WRITE} alerts for this channel; the rest are in the in-app inbox")
        });
        QueuedDelivery { alert_id, round, channel, skipped }
    }

    fn skipped(alert_id: Uuid, round: i32, channel: Channel, reason: &str) -> Self {
        QueuedDelivery { alert_id, round, channel, skipped: Some(reason.to_string()) }
    }
}

async fn queue_deliveries(conn: &mut PgConnection, fund_id: Uuid, deliveries: &[QueuedDelivery]) -> Result<(), StoreError> {
    if deliveries.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO alert_outbox (alert_id, fund_id, round, channel, status, delivered_at, last_error)
         SELECT a, $1, r, c,
                CASE WHEN c = 'in_app' THEN 'delivered' WHEN why IS NULL THEN 'pending' ELSE 'skipped' END,
                CASE WHEN c = 'in_app' THEN now() END,
                CASE WHEN c <> 'in_app' THEN why END
         FROM UNNEST($2::uuid[], $3::int[], $4::text[], $5::text[]) AS n(a, r, c, why)",
    )
    .bind(fund_id)
    .bind(deliveries.iter().map(|d| d.alert_id).collect::<Vec<_>>())
    .bind(deliveries.iter().map(|d| d.round).collect::<Vec<_>>())
    .bind(deliveries.iter().map(|d| d.channel.as_str()).collect::<Vec<_>>())
    .bind(deliveries.iter().map(|d| d.skipped.clone()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    if deliveries.iter().any(|d| d.channel != Channel::InApp && d.skipped.is_none()) {
        // Delivered at commit; lost if no worker listens, hence the workers' periodic poll too.
        sqlx::query("SELECT pg_notify($1, $2)").bind(OUTBOX_CHANNEL).bind(fund_id.to_string()).execute(&mut *conn).await?;
    }
    Ok(())
}

fn metric_of(metric: &str) -> Result<Metric, StoreError> {
    Metric::ALL.into_iter().find(|m| m.as_str() == metric).ok_or_else(|| StoreError::Corrupt(format!("alert metric {metric:?}")))
}

impl Store {
    /// The fund's alerts, newest first, with their deliveries and company names.
    pub async fn alerts(&self, fund_id: Uuid, filter: &AlertFilter) -> Result<Vec<AlertRecord>, StoreError> {
        let limit = filter.limit.unwrap_or(200);
        if limit == 0 || limit > MAX_ALERTS_LIMIT {
            return Err(StoreError::invalid("limit", format!("must be between 1 and {MAX_ALERTS_LIMIT}")));
        }
        self.fund_version(fund_id).await?;
        let rows = sqlx::query(
            "WITH names AS (
                 SELECT DISTINCT ON (company_id) company_id, payload->>'name' AS name FROM fund_events
                 WHERE fund_id = $1 AND event_type = 'COMPANY_ADDED' ORDER BY company_id, version)
             SELECT a.*, n.name AS company, r.email AS resolved_by_email
             FROM alerts a LEFT JOIN names n ON n.company_id = a.company_id LEFT JOIN users r ON r.id = a.resolved_by
             WHERE a.fund_id = $1 AND ($2::text IS NULL OR a.state = $2) AND ($3::text IS NULL OR a.severity = $3)
               AND ($4::uuid[] IS NULL OR a.id = ANY($4))
             ORDER BY a.created_at DESC, a.actual_effective_at DESC, a.id LIMIT $5",
        )
        .bind(fund_id)
        .bind(filter.state.map(|s| s.as_str()))
        .bind(filter.severity.map(|s| s.as_str()))
        .bind(filter.ids.as_deref())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut alerts = rows.iter().map(alert_from_row).collect::<Result<Vec<_>, _>>()?;
        let ids: Vec<Uuid> = alerts.iter().map(|a| a.id).collect();
        let deliveries = sqlx::query(
            "SELECT alert_id, channel, status, attempts, last_error, next_attempt_at, delivered_at FROM alert_outbox
             WHERE alert_id = ANY($1) ORDER BY id",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        let mut by_alert: HashMap<Uuid, Vec<DeliveryRecord>> = HashMap::new();
        for r in &deliveries {
            let channel: String = r.try_get("channel")?;
            let status: String = r.try_get("status")?;
            by_alert.entry(r.try_get("alert_id")?).or_default().push(DeliveryRecord {
                channel: Channel::parse(&channel).ok_or_else(|| StoreError::Corrupt(format!("outbox channel {channel:?}")))?,
                next_attempt_at: (status == "pending").then(|| r.try_get("next_attempt_at")).transpose()?,
                status,
                attempts: r.try_get::<i32, _>("attempts")? as u32,
                last_error: r.try_get("last_error")?,
                delivered_at: r.try_get("delivered_at")?,
            });
        }
        for a in &mut alerts {
            a.deliveries = by_alert.remove(&a.id).unwrap_or_default();
        }
        Ok(alerts)
    }

    pub async fn alert(&self, fund_id: Uuid, alert_id: Uuid) -> Result<AlertRecord, StoreError> {
        let filter = AlertFilter { ids: Some(vec![alert_id]), ..Default::default() };
        self.alerts(fund_id, &filter).await?.pop().ok_or(StoreError::AlertNotFound(alert_id))
    }

    /// The open (unread or read) alerts whose actual was effective by `as_of`: how many there
    /// are, and the `limit` worst of them (highest severity, then latest actual), without their
    /// deliveries and without company names (`companies` has them). What the Overview shows, in
    /// one query, kept per fund revision (raising, reading and resolving alerts bump it).
    pub async fn open_alerts_by(&self, fund_id: Uuid, as_of: DateTime<Utc>, limit: usize) -> Result<(usize, Vec<AlertRecord>), StoreError> {
        let key = (fund_id, self.fund_head(fund_id).await?.revision, as_of, limit);
        let found = super::kept(&self.caches.open_alerts, key, async { self.read_open_alerts_by(fund_id, as_of, limit).await.map(Arc::new) }).await?;
        Ok((*found).clone())
    }

    async fn read_open_alerts_by(&self, fund_id: Uuid, as_of: DateTime<Utc>, limit: usize) -> Result<(usize, Vec<AlertRecord>), StoreError> {
        let rows = sqlx::query(
            "WITH open AS (
                 SELECT a.*, CASE a.severity WHEN 'urgent' THEN 4 WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END AS rank
                 FROM alerts a WHERE a.fund_id = $1 AND a.state <> 'resolved' AND a.actual_effective_at <= $2),
             worst AS (SELECT * FROM open ORDER BY rank DESC, actual_effective_at DESC, created_at DESC, id LIMIT $3)
             SELECT w.*, (SELECT count(*) FROM open) AS open_total, NULL::text AS company, NULL::text AS resolved_by_email
             FROM worst w ORDER BY rank DESC, actual_effective_at DESC, created_at DESC, id",
        )
        .bind(fund_id)
        .bind(as_of)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let total = match rows.first() {
            Some(r) => r.try_get::<i64, _>("open_total")? as usize,
            None => 0,
        };
        Ok((total, rows.iter().map(alert_from_row).collect::<Result<_, _>>()?))
    }

    /// Kept per (fund, revision): raising, reading and resolving alerts bump it.
    pub async fn unread_alerts(&self, fund_id: Uuid) -> Result<u64, StoreError> {
        let key = (fund_id, self.fund_head(fund_id).await?.revision);
        super::kept(&self.caches.unread, key, async {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts WHERE fund_id = $1 AND state = 'unread'")
                .bind(fund_id)
                .fetch_one(&self.pool)
                .await?;
            Ok(n as u64)
        })
        .await
    }

    /// Marks an unread alert read; a read or resolved alert stays as it is.
    pub async fn mark_alert_read(&self, fund_id: Uuid, alert_id: Uuid) -> Result<AlertRecord, StoreError> {
        self.fund_version(fund_id).await?;
        let done = sqlx::query("UPDATE alerts SET state = 'read', read_at = now() WHERE fund_id = $1 AND id = $2 AND state = 'unread'")
            .bind(fund_id)
            .bind(alert_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() > 0 {
            self.touch_fund(fund_id).await?;
        }
        self.alert(fund_id, alert_id).await
    }

    /// Marks read every unread alert the filter selects (its `severity`; a `state` other than
    /// unread selects none). Returns how many changed.
    pub async fn mark_alerts_read(&self, fund_id: Uuid, filter: &AlertFilter) -> Result<u64, StoreError> {
        self.fund_version(fund_id).await?;
        if filter.state.is_some_and(|s| s != AlertState::Unread) {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE alerts SET state = 'read', read_at = now()
             WHERE fund_id = $1 AND state = 'unread' AND ($2::text IS NULL OR severity = $2)",
        )
        .bind(fund_id)
        .bind(filter.severity.map(|s| s.as_str()))
        .execute(&self.pool)
        .await?;
        if done.rows_affected() > 0 {
            self.touch_fund(fund_id).await?;
        }
        Ok(done.rows_affected())
    }

    pub async fn resolve_alert(&self, actor: &AuditActor, fund_id: Uuid, alert_id: Uuid, note: &str) -> Result<AlertRecord, StoreError> {
        let note = note.trim();
        if note.chars().count() > 2_000 {
            return Err(StoreError::invalid("note", "must be at most 2000 characters"));
        }
        self.fund_version(fund_id).await?;
        let mut tx = self.pool.begin().await?;
        let rule: Option<String> = sqlx::query_scalar(
            "UPDATE alerts SET state = 'resolved', resolution_note = NULLIF($3, ''), resolved_at = now(), resolved_by = $4,
                    read_at = COALESCE(read_at, now())
             WHERE fund_id = $1 AND id = $2 RETURNING rule_description",
        )
        .bind(fund_id)
        .bind(alert_id)
        .bind(note)
        .bind(actor.user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(rule) = rule else {
            return Err(StoreError::AlertNotFound(alert_id));
        };
        let with_note = if note.is_empty() { String::new() } else { format!(": {note}") };
        let entry = AuditNote {
            scope: AuditScope::Fund(fund_id),
            action: AuditAction::AlertResolve,
            subject: alert_id.to_string(),
            summary: format!("resolved the alert \"{rule}\"{with_note}"),
            detail: serde_json::json!({ "rule": rule, "note": note }),
        };
        audit::commit_fund_change(tx, actor, fund_id, entry).await?;
        self.alert(fund_id, alert_id).await
    }
}

pub(super) fn alert_from_row(row: &PgRow) -> Result<AlertRecord, StoreError> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("alert {what} {v:?}"));
    let severity: String = row.try_get("severity")?;
    let metric: String = row.try_get("metric")?;
    let state: String = row.try_get("state")?;
    Ok(AlertRecord {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        rule_id: row.try_get("rule_id")?,
        rule: row.try_get("rule_description")?,
        rule_ids: row.try_get("rule_ids")?,
        rules: row.try_get("rule_descriptions")?,
        severity: Severity::parse(&severity).ok_or_else(|| corrupt("severity", &severity))?,
        company_id: row.try_get("company_id")?,
        company: row.try_get("company")?,
        metric: metric_of(&metric)?,
        period: row.try_get("period")?,
        first_period: row.try_get("first_period")?,
        periods_in_breach: row.try_get::<i32, _>("periods_in_breach")?.max(1) as u32,
        actual: row.try_get::<Decimal, _>("actual")?.normalize(),
        forecast: row.try_get::<Decimal, _>("forecast")?.normalize(),
        forecast_basis: row.try_get("forecast_basis")?,
        variance: row.try_get::<Decimal, _>("variance")?.normalize(),
        variance_pct: row.try_get::<Option<Decimal>, _>("variance_pct")?.map(|d| d.normalize()),
        actual_version: row.try_get::<i64, _>("actual_version")? as u64,
        actual_effective_at: row.try_get("actual_effective_at")?,
        state: AlertState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        resolution_note: row.try_get("resolution_note")?,
        read_at: row.try_get("read_at")?,
        resolved_at: row.try_get("resolved_at")?,
        resolved_by: row.try_get("resolved_by_email")?,
        created_at: row.try_get("created_at")?,
        deliveries: Vec::new(),
    })
}
