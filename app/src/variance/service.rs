//! Variance and alert data from the store (server side only): rows, charts, CSV in and out,
//! recording actuals.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::fund::{ActualRecorded, ActualSource, EventPayload, Metric, NewEvent};
use domain::variance::csv_rows::{parse_metric, parse_source};
use domain::variance::{
    accuracy_from, coming_periods, compare_all, heat_cells, FLAG_CHANCE, RuleSpec, parse_actuals_csv, AlertState, CompanyDirectory, CsvContext, ForecastIndex, RowError, Severity, VarianceLine,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::page_data::{AccuracyRow, AlertRow, CompanyOption, DeliveryRow, HeatMapCell, ForecastActualPoint, ImportOutcome, InboxSummary, PredictedPeriod, RecordedActual, VarianceRow, VarianceView};
use crate::store::{AlertFilter, AlertRecord, AppendRequest, EventMetadata, Store, StoreError};
use super::table_page::{table_page, TablePage};
use crate::time_machine::dates::{end_of, parse_moment};

/// Filters of the variance table, as typed in a URL or form (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VarianceParams {
    pub at: Option<String>,
    pub known_at: Option<String>,
    pub metric: Option<String>,
    pub severity: Option<String>,
}

/// Parsed filters.
#[derive(Debug, Clone, Copy)]
pub struct VarianceQuery {
    pub as_of: DateTime<Utc>,
    pub known_at: Option<DateTime<Utc>>,
    pub metric: Option<Metric>,
    pub severity: Option<Severity>,
}

impl VarianceParams {
    /// Errors name the parameter (`at`, `known_at`, `metric`, `severity`).
    pub fn parse(&self, now: DateTime<Utc>) -> Result<VarianceQuery, StoreError> {
        let moment = |field: &str, raw: &Option<String>| {
            raw.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_moment(s, true).map_err(|m| StoreError::invalid(field, m)))
                .transpose()
        };
        let metric = self.metric.as_deref().filter(|s| !s.trim().is_empty()).map(|s| parse_metric(s).map_err(|m| StoreError::invalid("metric", m))).transpose()?;
        let severity = self
            .severity
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Severity::parse(s).ok_or_else(|| StoreError::invalid("severity", format!("{s:?} is not info, warning, critical or urgent"))))
            .transpose()?;
        Ok(VarianceQuery {
            as_of: moment("at", &self.at)?.unwrap_or_else(|| end_of(now.date_naive())),
            known_at: moment("known_at", &self.known_at)?,
            metric,
            severity,
        })
    }
}

/// Every actual effective by `as_of` (as known at `known_at`) against its forecast, newest
/// period first, optionally only one metric and only rows at a given severity.
pub async fn variance_rows(store: &Store, fund_id: Uuid, q: &VarianceQuery) -> Result<(u64, Vec<VarianceRow>), StoreError> {
    let facts = facts_for(store, fund_id, q).await?;
    let names = company_names(store, fund_id).await?;
    let rows = rows_of(store, fund_id, &facts, q, &names).await?;
    Ok((facts.facts.version, rows))
}

/// What the variance rows and the forecast accuracy are computed from: the version's facts up to
/// the date, and the query's metric.
struct QueryFacts {
    facts: crate::store::VarianceFacts,
    metric: Option<Metric>,
}

impl QueryFacts {
    fn index(&self) -> &ForecastIndex {
        self.facts.index()
    }

    /// The variance lines of the query's metric (every metric without one).
    fn lines(&self) -> impl Iterator<Item = &VarianceLine> {
        self.facts.lines().iter().filter(move |l| self.metric.is_none_or(|m| m == l.metric))
    }
}

async fn facts_for(store: &Store, fund_id: Uuid, q: &VarianceQuery) -> Result<QueryFacts, StoreError> {
    let facts = store.variance_facts(fund_id, q.as_of, q.known_at).await?;
    Ok(QueryFacts { facts, metric: q.metric })
}

async fn company_names(store: &Store, fund_id: Uuid) -> Result<HashMap<Uuid, String>, StoreError> {
    Ok(store.companies(fund_id).await?.iter().map(|c| (c.id, c.name.clone())).collect())
}

async fn rows_of(store: &Store, fund_id: Uuid, facts: &QueryFacts, q: &VarianceQuery, names: &HashMap<Uuid, String>) -> Result<Vec<VarianceRow>, StoreError> {
    let rules: Vec<_> = store.alert_rules(fund_id).await?.into_iter().map(|r| r.spec).collect();
    rows_from(facts.lines(), &rules, q, names)
}

/// Every row of the table for the filters, in the table's order.
fn rows_from<'a>(lines: impl Iterator<Item = &'a VarianceLine>, rules: &[RuleSpec], q: &VarianceQuery, names: &HashMap<Uuid, String>) -> Result<Vec<VarianceRow>, StoreError> {
    Ok(table_page(lines, rules, q.severity, names, None, usize::MAX)?.rows)
}

/// The heat map: every company and metric (whatever the filters), by company name then metric,
/// with the coming period's prediction as known at `at` where it is flagged. `all`: every
/// metric's lines.
fn heat_map_of(index: &ForecastIndex, all: &[VarianceLine], rules: &[RuleSpec], names: &HashMap<Uuid, String>, at: DateTime<Utc>) -> Vec<HeatMapCell> {
    let mut flagged: HashMap<(Uuid, Metric), PredictedPeriod> = coming_periods(index, all, rules, at)
        .into_iter()
        .filter(|c| c.prediction.breach_chance >= FLAG_CHANCE)
        .map(|c| {
            let p = c.prediction;
            let predicted = PredictedPeriod {
                period: c.period,
                forecast: c.forecast,
                expected_actual: p.expected_actual,
                expected_pct: p.expected_pct,
                low_pct: p.low_pct,
                high_pct: p.high_pct,
                chance_pct: (p.breach_chance * 100.0).round().clamp(0.0, 100.0) as u8,
                periods: p.periods,
            };
            ((c.company_id, c.metric), predicted)
        })
        .collect();
    let mut cells: Vec<HeatMapCell> = heat_cells(all, rules)
        .into_iter()
        .map(|c| HeatMapCell {
            flagged: flagged.remove(&(c.company_id, c.metric)),
            company: names.get(&c.company_id).cloned().unwrap_or_else(|| c.company_id.to_string()),
            company_id: c.company_id,
            metric: c.metric,
            period: c.period,
            variance_pct: c.variance_pct,
            direction: c.direction,
            severity: c.severity,
        })
        .collect();
    cells.sort_by(|a, b| a.company.cmp(&b.company).then(a.company_id.cmp(&b.company_id)).then(a.metric.cmp(&b.metric)));
    cells
}

/// Forecast accuracy per company and metric over the actuals effective by `as_of` (as known at
/// `known_at`), by company name then metric; `metric` filters.
pub async fn accuracy_rows(store: &Store, fund_id: Uuid, q: &VarianceQuery) -> Result<(u64, Vec<AccuracyRow>), StoreError> {
    let facts = facts_for(store, fund_id, q).await?;
    let names = company_names(store, fund_id).await?;
    Ok((facts.facts.version, accuracy_of(&facts, &names)))
}

fn accuracy_of(facts: &QueryFacts, names: &HashMap<Uuid, String>) -> Vec<AccuracyRow> {
    let of_metric = facts.facts.actuals_with_errors().filter(|(a, _)| facts.metric.is_none_or(|m| m == a.metric));
    let mut rows: Vec<AccuracyRow> = accuracy_from(of_metric)
        .into_iter()
        .map(|a| AccuracyRow {
            company: names.get(&a.company_id).cloned().unwrap_or_else(|| a.company_id.to_string()),
            company_id: a.company_id,
            metric: a.metric,
            overall: a.overall,
            early: a.early,
            late: a.late,
        })
        .collect();
    rows.sort_by(|a, b| a.company.cmp(&b.company).then_with(|| a.metric.cmp(&b.metric)));
    rows
}

/// The Variance tab's data, with every row of the table for the filters (a read-only report
/// shows them all).
pub async fn variance_view(store: &Store, fund_id: Uuid, params: &VarianceParams, now: DateTime<Utc>) -> Result<VarianceView, StoreError> {
    let q = params.parse(now)?;
    let parts = ViewParts::load(store, fund_id, &q).await?;
    let rows = rows_from(parts.facts.lines(), &parts.rules, &q, &parts.names)?;
    parts.into_view(store, fund_id, &q, rows).await
}

/// The Variance tab's data with one page of its table (`view.rows` is the page): `for_company`
/// narrows the table to one company, `after` is the page cursor, `size` rows a page.
pub async fn variance_page(
    store: &Store,
    fund_id: Uuid,
    params: &VarianceParams,
    now: DateTime<Utc>,
    for_company: Option<Uuid>,
    after: Option<&str>,
    size: usize,
) -> Result<(VarianceView, TablePage), StoreError> {
    let q = params.parse(now)?;
    let parts = ViewParts::load(store, fund_id, &q).await?;
    let lines = parts.facts.lines().filter(|l| for_company.is_none_or(|c| c == l.company_id));
    let mut page = table_page(lines, &parts.rules, q.severity, &parts.names, after, size)?;
    let rows = std::mem::take(&mut page.rows);
    Ok((parts.into_view(store, fund_id, &q, rows).await?, page))
}

/// The heat map and the accuracy table of a query, the same whatever page of the table is
/// shown: kept per (fund, revision, as of, known at, metric), as every change that could alter
/// them (an event, a rule) bumps the fund's revision.
type BoardKey = (Uuid, u64, DateTime<Utc>, Option<DateTime<Utc>>, Option<Metric>);

fn boards() -> &'static moka::sync::Cache<BoardKey, std::sync::Arc<(Vec<HeatMapCell>, Vec<AccuracyRow>)>> {
    static CACHE: std::sync::OnceLock<moka::sync::Cache<BoardKey, std::sync::Arc<(Vec<HeatMapCell>, Vec<AccuracyRow>)>>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| moka::sync::Cache::builder().max_capacity(500).time_to_live(std::time::Duration::from_secs(300)).build())
}

/// What the Variance tab is computed from: the facts for the query, the fund's companies and its
/// alert rules.
struct ViewParts {
    facts: QueryFacts,
    entries: std::sync::Arc<Vec<crate::store::CompanyEntry>>,
    names: HashMap<Uuid, String>,
    rules: Vec<RuleSpec>,
}

impl ViewParts {
    async fn load(store: &Store, fund_id: Uuid, q: &VarianceQuery) -> Result<Self, StoreError> {
        let facts = facts_for(store, fund_id, q).await?;
        let entries = store.companies(fund_id).await?;
        let names: HashMap<Uuid, String> = entries.iter().map(|c| (c.id, c.name.clone())).collect();
        let rules: Vec<RuleSpec> = store.alert_rules(fund_id).await?.into_iter().map(|r| r.spec).collect();
        Ok(ViewParts { facts, entries, names, rules })
    }

    /// The tab with `rows` as its table: the heat map, accuracy and company list are the same
    /// whatever the table shows.
    async fn into_view(self, store: &Store, fund_id: Uuid, q: &VarianceQuery, rows: Vec<VarianceRow>) -> Result<VarianceView, StoreError> {
        let key = (fund_id, store.fund_revision(fund_id).await?, q.as_of, q.known_at, q.metric);
        let board = match boards().get(&key) {
            Some(board) => board,
            None => {
                let heat_map = heat_map_of(self.facts.index(), self.facts.facts.lines(), &self.rules, &self.names, q.as_of);
                let board = std::sync::Arc::new((heat_map, accuracy_of(&self.facts, &self.names)));
                boards().insert(key, board.clone());
                board
            }
        };
        let (heat_map, accuracy) = (board.0.clone(), board.1.clone());
        let companies = self.entries.iter().map(|c| CompanyOption { id: c.id, name: c.name.clone() }).collect();
        Ok(VarianceView {
            accuracy,
            heat_map,
            at: q.as_of.date_naive(),
            known_at: q.known_at.map(|k| k.date_naive()),
            metric: q.metric,
            severity: q.severity,
            version: self.facts.facts.version,
            rows,
            companies,
            unread_alerts: store.unread_alerts(fund_id).await?,
        })
    }
}

/// Forecast versus actual per period for one company and metric (for a chart), oldest first.
/// A period with an actual shows the forecast that actual is compared with (its latest actual);
/// one without shows the latest forecast known.
pub async fn series_for(
    store: &Store,
    fund_id: Uuid,
    company_id: Uuid,
    metric: Metric,
    known_at: Option<DateTime<Utc>>,
) -> Result<Vec<ForecastActualPoint>, StoreError> {
    let facts = store.variance_facts(fund_id, DateTime::<Utc>::MAX_UTC, known_at).await?;
    let forecasts: Vec<_> = facts.forecasts().iter().filter(|f| f.company_id == company_id && f.metric == metric).cloned().collect();
    let actuals: Vec<_> = facts.actuals().iter().filter(|a| a.company_id == company_id && a.metric == metric).cloned().collect();
    let index = ForecastIndex::new(forecasts.clone());
    let mut points: std::collections::BTreeMap<NaiveDate, ForecastActualPoint> = std::collections::BTreeMap::new();
    for f in &forecasts {
        let latest = index.versions(company_id, metric, f.period).last().map(|v| v.value);
        points.entry(f.period).or_insert(ForecastActualPoint { period: f.period, forecast: latest, actual: None, variance_pct: None, forecast_basis: None });
    }
    let mut latest_actuals = actuals.clone();
    latest_actuals.sort_by_key(|a| (a.effective_at, a.version));
    for line in compare_all(forecasts, &latest_actuals) {
        points.insert(
            line.period,
            ForecastActualPoint { period: line.period, forecast: Some(line.forecast), actual: Some(line.actual), variance_pct: line.variance_pct, forecast_basis: Some(line.forecast_basis) },
        );
    }
    for a in &latest_actuals {
        points.entry(a.period).or_insert(ForecastActualPoint { period: a.period, forecast: None, actual: Some(a.value), variance_pct: None, forecast_basis: None });
    }
    Ok(points.into_values().collect())
}

/// The variance rows as CSV (header + one line per row). Every cell goes through
/// `spreadsheet_safe`: company names are free text and must not run as formulas.
pub fn csv_export(rows: &[VarianceRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "company_id", "company", "metric", "period", "forecast", "actual", "variance", "variance_pct", "severity", "direction",
        "forecast_basis", "source", "effective_at", "recorded_at",
    ];
    let _ = w.write_record(header);
    for r in rows {
        let source = r.source.as_str();
        let cells = [
            r.company_id.to_string(),
            r.company.clone(),
            r.metric.as_str().to_string(),
            r.period.to_string(),
            r.forecast.to_string(),
            r.actual.to_string(),
            r.variance.to_string(),
            r.variance_pct.map_or_else(|| "n/a".to_string(), |p| p.to_string()),
            r.severity.map_or("", |s| s.as_str()).to_string(),
            r.direction.as_str().to_string(),
            r.forecast_basis.as_str().to_string(),
            source.to_string(),
            r.effective_at.to_rfc3339(),
            r.recorded_at.to_rfc3339(),
        ];
        let _ = w.write_record(cells.iter().map(|c| domain::variance::spreadsheet_safe(c).into_owned()));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// An actual as submitted by a form or an integration; text fields are parsed here.
#[derive(Debug, Clone, Default)]
pub struct ActualInput {
    pub company_id: String,
    pub metric: String,
    pub value: String,
    pub effective_date: String,
    pub period: Option<String>,
    pub source: Option<String>,
}

/// Records one actual; the alerts it raises are written in the same transaction.
pub async fn record_actual(
    store: &Store,
    fund_id: Uuid,
    input: &ActualInput,
    default_source: ActualSource,
    metadata: EventMetadata,
) -> Result<RecordedActual, StoreError> {
    let company_id: Uuid = input.company_id.trim().parse().map_err(|_| StoreError::invalid("company_id", format!("{:?} is not a UUID", input.company_id)))?;
    let metric = parse_metric(&input.metric).map_err(|m| StoreError::invalid("metric", m))?;
    let value: Decimal = domain::amount::parse_strict(input.value.trim()).map_err(|m| StoreError::invalid("value", m))?;
    let effective_at = domain::variance::csv_rows::parse_day_or_moment(input.effective_date.trim()).map_err(|m| StoreError::invalid("effective_date", m))?;
    let period = input
        .period
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| domain::dates::parse_day(s).map_err(|m| StoreError::invalid("period", m)))
        .transpose()?;
    let source = match input.source.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_source(s).map_err(|m| StoreError::invalid("source", m))?,
        None => default_source,
    };
    let payload = EventPayload::ActualRecorded(ActualRecorded { company_id, metric, period, value, source });
    let req = AppendRequest {
        expected_version: None,
        idempotency_key: None,
        fingerprint: String::new(),
        events: vec![NewEvent { effective_at, payload }],
        undated: Vec::new(),
        metadata,
    };
    let outcome = store.append(fund_id, req).await.map_err(single_event_field)?;
    let alerts = if outcome.alerts.is_empty() {
        Vec::new()
    } else {
        store.alerts(fund_id, &AlertFilter { ids: Some(outcome.alerts.clone()), ..Default::default() }).await?
    };
    Ok(RecordedActual {
        version: outcome.version,
        company_id,
        metric,
        period: period.unwrap_or_else(|| effective_at.date_naive()),
        value,
        source,
        effective_at,
        recorded_at: outcome.recorded_at,
        alerts: alerts.into_iter().map(alert_row).collect(),
    })
}

/// `events[0].payload.value` → `value`, `events[0].effective_at` → `effective_date`.
fn single_event_field(e: StoreError) -> StoreError {
    match e {
        StoreError::Invalid { field, message } => StoreError::Invalid { field: request_field(&field), message },
        other => other,
    }
}

fn request_field(field: &str) -> String {
    let rest = field.split_once('.').map_or(field, |(_, r)| r);
    match rest {
        "effective_at" => "effective_date".into(),
        r => r.strip_prefix("payload.").unwrap_or(r).to_string(),
    }
}

/// Imports a CSV file of actuals: every row valid and all recorded in one transaction (with
/// their alerts), or nothing written and every bad row reported.
pub async fn import_actuals_csv(
    store: &Store,
    fund_id: Uuid,
    bytes: &[u8],
    metadata: EventMetadata,
    now: DateTime<Utc>,
) -> Result<ImportOutcome, StoreError> {
    let fund = store.fund(fund_id).await?;
    let companies = store.companies(fund_id).await?;
    let directory = companies
        .iter()
        .fold(CompanyDirectory::new(companies.iter().map(|c| (c.id, c.name.as_str()))), |d, c| d.with_added_at(c.id, c.added_at));
    let ctx = CsvContext { companies: &directory, fund_start: fund.first_effective_at, now };
    let rows = parse_actuals_csv(bytes, &ctx).map_err(StoreError::InvalidRows)?;
    let events = rows
        .iter()
        .map(|r| NewEvent {
            effective_at: r.effective_at,
            payload: EventPayload::ActualRecorded(ActualRecorded { company_id: r.company_id, metric: r.metric, period: r.period, value: r.value, source: r.source }),
        })
        .collect();
    let req = AppendRequest { expected_version: None, idempotency_key: None, fingerprint: String::new(), events, undated: Vec::new(), metadata };
    let outcome = store.append(fund_id, req).await.map_err(|e| match e {
        // A rule only the fund's history can check: name the row it broke.
        StoreError::Invalid { field, message } => {
            let index = crate::store::event_field(&field).map(|(i, _)| i);
            let column = match request_field(&field).as_str() {
                "company_id" => "company".to_string(),
                other => other.to_string(),
            };
            match index.and_then(|i| rows.get(i)) {
                Some(row) => StoreError::InvalidRows(vec![RowError { line: row.line, column, reason: message }]),
                None => StoreError::Invalid { field, message },
            }
        }
        other => other,
    })?;
    Ok(ImportOutcome { imported: outcome.appended, first_version: outcome.first_version, version: outcome.version, alerts: outcome.alerts.len() })
}

/// The inbox, newest first; `state` and `severity` filter when given.
pub async fn alert_rows(store: &Store, fund_id: Uuid, state: Option<&str>, severity: Option<&str>) -> Result<Vec<AlertRow>, StoreError> {
    let filter = alert_filter(state, severity)?;
    Ok(store.alerts(fund_id, &filter).await?.into_iter().map(alert_row).collect())
}

/// Parses the inbox filters; errors name `state` or `severity`.
pub fn alert_filter(state: Option<&str>, severity: Option<&str>) -> Result<AlertFilter, StoreError> {
    let state = state
        .filter(|s| !s.trim().is_empty())
        .map(|s| AlertState::parse(s.trim()).ok_or_else(|| StoreError::invalid("state", format!("{s:?} is not unread, read or resolved"))))
        .transpose()?;
    let severity = severity
        .filter(|s| !s.trim().is_empty())
        .map(|s| Severity::parse(s).ok_or_else(|| StoreError::invalid("severity", format!("{s:?} is not info, warning, critical or urgent"))))
        .transpose()?;
    Ok(AlertFilter { state, severity, ..Default::default() })
}

pub async fn inbox_summary(store: &Store, fund_id: Uuid) -> Result<InboxSummary, StoreError> {
    Ok(InboxSummary { unread: store.unread_alerts(fund_id).await? })
}

pub fn alert_row(a: AlertRecord) -> AlertRow {
    AlertRow {
        id: a.id,
        severity: a.severity,
        rule: a.rule,
        rules: a.rules,
        company: a.company.unwrap_or_else(|| a.company_id.to_string()),
        company_id: a.company_id,
        metric: a.metric,
        period: a.period,
        first_period: a.first_period,
        periods_in_breach: a.periods_in_breach,
        actual: a.actual,
        forecast: a.forecast,
        variance: a.variance,
        variance_pct: a.variance_pct,
        forecast_basis: a.forecast_basis,
        state: a.state,
        resolution_note: a.resolution_note,
        resolved_by: a.resolved_by,
        effective_at: a.actual_effective_at,
        created_at: a.created_at,
        deliveries: a
            .deliveries
            .into_iter()
            .map(|d| DeliveryRow { channel: d.channel, status: d.status, attempts: d.attempts, last_error: d.last_error })
            .collect(),
    }
}
