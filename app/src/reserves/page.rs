//! The Reserves tab's data for a date: the newest ranking, the run in progress, what changed since,
//! and the parameters in force. Opening the tab on a date without a current ranking queues one
//! with the default settings (deduplicated like any identical request), so the tab always shows —
//! or is computing — a ranking for the fund as that date sees it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::access::Role;
use domain::reserves::{ReserveAssumptions, ReserveReport, RunParams};
use uuid::Uuid;

use super::page_data::{
    AssumptionTables, CalibrationRow, ChangeLine, Comparison, ComparisonRow, ParameterRow, QuarterCompany, QuarterRanking, Ranking, ReservesPageData, ReservesQuery, RunDefaults, RunProgress,
    ScenarioSummary,
};
use super::run_spec::{RawRunSpec, RunSpec, DEFAULT_INCREMENT, DEFAULT_SEED};
use super::service::{request_run, Requester};
use crate::store::{ReserveRun, ReserveScenario, RunStatus, Store, StoreError};

/// Most "changed since" lines shown.
const MAX_CHANGES: i64 = 12;

/// Who is looking, and the server's settings.
pub struct Viewer<'a> {
    pub role: Role,
    /// Named in the runs the tab queues by itself.
    pub name: &'a str,
    pub default_iterations: u32,
}

pub async fn reserves_page(store: &Store, fund_id: Uuid, query: &ReservesQuery, viewer: &Viewer<'_>, now: DateTime<Utc>) -> Result<ReservesPageData, StoreError> {
    let default_iterations = viewer.default_iterations;
    let raw = RawRunSpec { as_of: query.at.clone(), known_at: query.known_at.clone(), ..Default::default() };
    let spec = RunSpec::parse(&raw, default_iterations, now).map_err(|e| match e {
        StoreError::Invalid { field, message } if field == "as_of" => StoreError::Invalid { field: "at".into(), message },
        other => other,
    })?;
    let at_state = store.state(fund_id, spec.as_of, spec.known_at).await?;
    if !at_state.state.exists {
        return Err(StoreError::invalid("at", "is before the fund existed"));
    }
    let current_version = at_state.state.last_version;
    let mut latest = store.latest_reserve_ranking(fund_id, spec.as_of, spec.known_at).await?;
    let mut pending = store.reserve_run_in_progress(fund_id, spec.as_of, spec.known_at).await?;
    let stale = latest.as_ref().is_none_or(|(r, _)| r.fund_version != current_version);
    let mut notice = None;
    if stale && pending.is_none() {
        let who = Requester { user: None, actor: format!("Reserves tab (opened by {})", viewer.name) };
        match request_run(store, fund_id, &who, &spec).await {
            Ok(answer) if answer.run.status == RunStatus::Succeeded => {
                let report = store.reserve_report(answer.run.id).await?;
                latest = Some((answer.run.as_ref().clone(), report));
            }
            Ok(answer) => pending = Some(answer.run.as_ref().clone()),
            // The default settings do not fit this fund (say an increment above a small fund's
            // size): the page says why instead of failing.
            Err(StoreError::Invalid { field, message }) => notice = Some(format!("No ranking with the default settings: {field} {message}.")),
            Err(e) => return Err(e),
        }
    }
    let changes_since = match &latest {
        Some((r, _)) if r.fund_version != current_version => changes(store, fund_id, r.fund_version, spec.as_of, at_state.version, &at_state.state).await?,
        _ => Vec::new(),
    };
    let scenarios = store.reserve_scenario_list(fund_id).await?;
    let opened = match non_blank(&query.scenario) {
        Some(raw) => Some(find_scenario(store, fund_id, &scenarios, raw, "scenario").await?),
        None => None,
    };
    if let Some(s) = &opened {
        // The opened scenario replaces the date's ranking on the page, frozen as it was saved.
        let report: ReserveReport = serde_json::from_value(s.result.clone())?;
        latest = Some((scenario_run(s, fund_id), Arc::new(report)));
    }
    let comparison = match non_blank(&query.compare) {
        Some(raw) => {
            let left = find_scenario(store, fund_id, &scenarios, raw, "compare_scenario").await?;
            let left_report: ReserveReport = serde_json::from_value(left.result.clone())?;
            let (right_name, right_report) = match non_blank(&query.with).filter(|w| *w != "current") {
                Some(other) => {
                    let right = find_scenario(store, fund_id, &scenarios, other, "with").await?;
                    (right.name.clone(), Arc::new(serde_json::from_value::<ReserveReport>(right.result.clone())?))
                }
                None => match &latest {
                    Some((_, report)) => (format!("Current ranking ({})", spec.as_of.format("%-d %b %Y")), report.clone()),
                    None => return Err(StoreError::invalid("with", "there is no current ranking to compare with yet")),
                },
            };
            Some(compare(&left.name, &left_report, &right_name, &right_report))
        }
        None => None,
    };
    let (history, history_pending) = history(store, fund_id, &at_state.state, spec.as_of, now, default_iterations).await?;
    let assumptions = at_state.state.reserve_assumptions.as_ref().map(|a| a.assumptions.clone()).unwrap_or_default();
    let tables = assumption_tables(store, &assumptions).await?;
    Ok(ReservesPageData {
        at: spec.as_of.date_naive(),
        known_at: spec.known_at.map(|k| k.date_naive()),
        ranking: latest.map(|(run, report)| ranking(run, report, current_version)),
        pending: pending.map(|r| RunProgress {
            run_id: r.id,
            status: r.status.as_str().to_string(),
            progress: r.progress,
            events_url: format!("/api/funds/{fund_id}/reserves/runs/{}/events", r.id),
            iterations: r.iterations,
        }),
        defaults: RunDefaults { iterations: default_iterations, increment: DEFAULT_INCREMENT, seed: DEFAULT_SEED },
        can_run: viewer.role.allows(Role::Analyst),
        changes_since,
        parameters: tables.parameters.clone(),
        assumptions_json: tables.assumptions_json.clone(),
        calibration: tables.calibration.clone(),
        can_edit_assumptions: viewer.role.allows(Role::Admin),
        notice,
        opened: opened.as_ref().map(summary),
        scenarios: scenarios.iter().map(summary).collect(),
        comparison,
        history,
        history_pending,
    })
}

/// Cheques simulated per stage for the calibration table (a few milliseconds; cached per model).
const CALIBRATION_PATHS: u32 = 20_000;

/// The parameter and calibration tables and the editor's JSON for a set of assumptions, computed
/// once per set (off the async runtime: the calibration simulates) and kept in the store.
async fn assumption_tables(store: &Store, assumptions: &ReserveAssumptions) -> Result<Arc<AssumptionTables>, StoreError> {
    let key = serde_json::to_string(assumptions)?;
    if let Some(tables) = store.reserve_tables_cache().get(&key) {
        return Ok(tables);
    }
    let mut params = RunParams::default();
    assumptions.apply(&mut params);
    let parameters = parameter_rows(&params, assumptions);
    let assumptions_json = serde_json::to_string_pretty(assumptions)?;
    let model = params.model;
    let calibration = tokio::task::spawn_blocking(move || {
        domain::reserves::outcome_spread_by_stage(&model, CALIBRATION_PATHS, 7)
            .into_iter()
            .map(|s| {
                let published = domain::reserves::PUBLISHED_LOSS_RATES.iter().find(|p| p.stage == s.stage);
                CalibrationRow {
                    stage: s.stage,
                    below_1x: s.spread.below_1x,
                    from_1x_to_5x: s.spread.from_1x_to_5x,
                    from_5x_to_10x: s.spread.from_5x_to_10x,
                    at_least_10x: s.spread.at_least_10x,
                    mean_multiple: s.mean_multiple,
                    published_below_1x: published.map(|p| p.below_1x),
                    source: published.map(|p| p.source.to_string()).unwrap_or_default(),
                }
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("calibration: {e}")))?;
    let tables = Arc::new(AssumptionTables { parameters: Arc::new(parameters), calibration: Arc::new(calibration), assumptions_json });
    store.reserve_tables_cache().insert(key, tables.clone());
    Ok(tables)
}

/// Quarter ends shown in the history, at most.
const MAX_QUARTERS: usize = 12;

/// The last quarter ends up to `as_of` (and today) since the fund began, oldest first.
pub fn quarter_ends(first: chrono::NaiveDate, last: chrono::NaiveDate) -> Vec<chrono::NaiveDate> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let (mut year, mut quarter) = (last.year(), (last.month0() / 3) as i32);
    while out.len() < MAX_QUARTERS {
        let end = match quarter {
            0 => chrono::NaiveDate::from_ymd_opt(year, 3, 31),
            1 => chrono::NaiveDate::from_ymd_opt(year, 6, 30),
            2 => chrono::NaiveDate::from_ymd_opt(year, 9, 30),
            _ => chrono::NaiveDate::from_ymd_opt(year, 12, 31),
        };
        let Some(end) = end else { break };
        if end < first {
            break;
        }
        if end <= last {
            out.push(end);
        }
        quarter -= 1;
        if quarter < 0 {
            quarter = 3;
            year -= 1;
        }
    }
    out.reverse();
    out
}

/// The rankings at past quarter ends as known then; quarter ends without one are queued as a
/// batch (each an ordinary, cached, reproducible run), so the chart fills in as they finish.
async fn history(
    store: &Store,
    fund_id: Uuid,
    state: &domain::fund::FundState,
    as_of: DateTime<Utc>,
    now: DateTime<Utc>,
    default_iterations: u32,
) -> Result<(Arc<Vec<QuarterRanking>>, usize), StoreError> {
    let Some(created) = state.created_at else { return Ok((Arc::new(Vec::new()), 0)) };
    let last = as_of.min(now).date_naive();
    // Complete histories are kept per fund revision (which every finished run bumps).
    let key = (fund_id, store.fund_revision(fund_id).await?, as_of.date_naive(), last);
    if let Some(history) = store.reserve_history_cache().get(&key) {
        return Ok((history, 0));
    }
    let ends = quarter_ends(created.date_naive(), last);
    let moments: Vec<DateTime<Utc>> = ends.iter().map(|d| crate::time_machine::dates::end_of(*d)).collect();
    let rows = store.rankings_as_known_then(fund_id, &moments).await?;
    let in_progress = store.dates_in_progress_as_known_then(fund_id, &moments).await?;
    let mut pending = 0;
    for m in &moments {
        if rows.iter().any(|r| r.0 == *m) {
            continue;
        }
        pending += 1;
        if in_progress.contains(m) {
            continue;
        }
        let spec = RunSpec { as_of: *m, known_at: Some(*m), iterations: default_iterations, increment: DEFAULT_INCREMENT, seed: DEFAULT_SEED };
        let who = Requester { user: None, actor: "Reserves tab history (quarter ends)".into() };
        match request_run(store, fund_id, &who, &spec).await {
            Ok(_) => {}
            Err(StoreError::Invalid { .. }) => pending -= 1,
            Err(e) => return Err(e),
        }
    }
    let history: Vec<QuarterRanking> = moments
        .iter()
        .zip(&ends)
        .filter_map(|(m, end)| {
            let companies: Vec<QuarterCompany> = rows
                .iter()
                .filter(|r| r.0 == *m)
                .map(|r| QuarterCompany { name: r.1.clone(), follow_on_multiple: r.2, recommended: r.3, rank: r.4.max(0) as u32 })
                .collect();
            (!companies.is_empty()).then(|| QuarterRanking { quarter_end: *end, companies })
        })
        .collect();
    let history = Arc::new(history);
    if pending == 0 {
        store.reserve_history_cache().insert(key, history.clone());
    }
    Ok((history, pending))
}

fn non_blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The scenario `raw` names (from `listed`, the fund's), read whole with its frozen result.
async fn find_scenario(store: &Store, fund_id: Uuid, listed: &[ReserveScenario], raw: &str, field: &str) -> Result<ReserveScenario, StoreError> {
    let id: Uuid = raw.parse().map_err(|_| StoreError::invalid(field, format!("{raw:?} is not a scenario id")))?;
    let missing = || StoreError::invalid(field, "no such scenario in this fund");
    if !listed.iter().any(|s| s.id == id) {
        return Err(missing());
    }
    store.reserve_scenario(fund_id, id).await?.ok_or_else(missing)
}

fn summary(s: &ReserveScenario) -> ScenarioSummary {
    ScenarioSummary {
        id: s.id,
        name: s.name.clone(),
        description: s.description.clone(),
        as_of: s.as_of,
        fund_version: s.fund_version,
        iterations: s.iterations,
        created_by: s.created_by.clone(),
        created_at: s.created_at,
    }
}

/// A scenario shown as a run (its frozen result and settings).
fn scenario_run(s: &ReserveScenario, fund_id: Uuid) -> ReserveRun {
    ReserveRun {
        id: s.run_id,
        fund_id,
        requested_by: format!("scenario “{}” saved by {}", s.name, s.created_by),
        as_of: s.as_of,
        known_at: s.known_at,
        known_version: s.fund_version,
        fund_version: s.fund_version,
        iterations: s.iterations,
        increment: s.increment,
        seed: s.seed,
        assumptions: serde_json::Value::Null,
        status: RunStatus::Succeeded,
        progress: 1.0,
        phase: "succeeded".into(),
        cancel_requested: false,
        attempts: 1,
        queued_at: s.created_at,
        started_at: None,
        finished_at: Some(s.created_at),
        duration_ms: None,
        result: None,
        error: None,
        error_field: None,
        cache_key: String::new(),
    }
}

/// Companies of either side, in the left side's rank order, then the right side's others.
fn compare(left_name: &str, left: &ReserveReport, right_name: &str, right: &ReserveReport) -> Comparison {
    let mut names: Vec<&str> = left.companies.iter().map(|c| c.name.as_str()).collect();
    for c in &right.companies {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    let side = |r: &ReserveReport, name: &str| r.companies.iter().find(|c| c.name == name).map(|c| (c.follow_on_multiple, c.recommended_allocation));
    let rows = names
        .into_iter()
        .map(|name| {
            let (l, r) = (side(left, name), side(right, name));
            ComparisonRow {
                company: name.to_string(),
                left_multiple: l.map(|x| x.0),
                right_multiple: r.map(|x| x.0),
                left_recommended: l.map(|x| x.1),
                right_recommended: r.map(|x| x.1),
            }
        })
        .collect();
    Comparison { left: left_name.to_string(), right: right_name.to_string(), rows }
}

fn ranking(run: ReserveRun, report: Arc<ReserveReport>, current_version: u64) -> Ranking {
    Ranking {
        run_id: run.id,
        as_of: run.as_of,
        known_at: run.known_at,
        fund_version: run.fund_version,
        current_version,
        iterations: run.iterations,
        increment: run.increment,
        seed: run.seed.to_string(),
        finished_at: run.finished_at,
        duration_ms: run.duration_ms,
        requested_by: run.requested_by,
        report,
    }
}

async fn changes(
    store: &Store,
    fund_id: Uuid,
    after: u64,
    as_of: DateTime<Utc>,
    known_version: u64,
    state: &domain::fund::FundState,
) -> Result<Vec<ChangeLine>, StoreError> {
    let names = crate::store::company_names(state);
    let events = store.events_since(fund_id, after, as_of, known_version, MAX_CHANGES).await?;
    Ok(events
        .into_iter()
        .map(|(version, event_type, effective_at, company)| {
            let what = event_label(&event_type);
            let label = match company.and_then(|c| names.get(&c)) {
                Some(name) => format!("{what}: {name}"),
                None => what,
            };
            ChangeLine { version, effective_at, label }
        })
        .collect())
}

/// `VALUATION_UPDATED` → "Valuation updated".
pub fn event_label(event_type: &str) -> String {
    let words = event_type.to_ascii_lowercase().replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every `{value, source}` leaf of the model and the constraints, by its JSON path.
fn parameter_rows(params: &RunParams, assumptions: &ReserveAssumptions) -> Vec<ParameterRow> {
    let budget = assumptions.reserve_budget;
    let mut rows = Vec::new();
    let tree = serde_json::json!({ "model": params.model, "constraints": params.constraints });
    walk("", &tree, &mut rows);
    rows.push(ParameterRow {
        key: "reserve_budget".into(),
        value: budget.map(|b| b.normalize().to_string()).unwrap_or_else(|| "held reserves, capped at uninvested capital".into()),
        source: if budget.is_some() { domain::reserves::FUND_OVERRIDE.into() } else { "docs/reserves-model.md, Available reserves".into() },
        overridden: budget.is_some(),
    });
    match &assumptions.variance_adjustment {
        Some(rule) => {
            let row = |key: &str, value: String| ParameterRow { key: format!("variance_adjustment.{key}"), value, source: domain::reserves::FUND_OVERRIDE.into(), overridden: true };
            rows.push(row("revenue_below_pct", format!("{}%", rule.revenue_below_pct.normalize())));
            rows.push(row("periods", rule.periods.to_string()));
            rows.push(row("graduation_factor", format!("× {}", rule.graduation_factor)));
        }
        None => rows.push(ParameterRow {
            key: "variance_adjustment".into(),
            value: "off".into(),
            source: "docs/reserves-model.md, Variance adjustment (opt-in per fund)".into(),
            overridden: false,
        }),
    }
    rows
}

fn walk(path: &str, v: &serde_json::Value, rows: &mut Vec<ParameterRow>) {
    let serde_json::Value::Object(map) = v else { return };
    if let (Some(value), Some(serde_json::Value::String(source))) = (map.get("value"), map.get("source")) {
        let value = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        rows.push(ParameterRow { key: path.to_string(), value, source: source.clone(), overridden: source == domain::reserves::FUND_OVERRIDE });
        return;
    }
    for (k, child) in map {
        let next = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
        walk(&next, child, rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_is_listed_with_its_source() {
        let rows = parameter_rows(&RunParams::default(), &ReserveAssumptions::default());
        let seed = rows.iter().find(|r| r.key == "model.stages.seed.graduation").expect("seed graduation");
        assert!(!seed.source.is_empty() && !seed.overridden);
        assert!(rows.iter().any(|r| r.key == "constraints.hurdle"));
        assert!(rows.len() > 50, "{}", rows.len());
        assert_eq!(event_label("VALUATION_UPDATED"), "Valuation updated");
    }

    #[test]
    fn quarter_ends_run_from_the_fund_start_to_the_date_oldest_first() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(quarter_ends(d("2024-02-10"), d("2024-11-15")), vec![d("2024-03-31"), d("2024-06-30"), d("2024-09-30")]);
        assert_eq!(quarter_ends(d("2024-02-10"), d("2024-12-31")).last(), Some(&d("2024-12-31")));
        assert_eq!(quarter_ends(d("2010-01-01"), d("2026-12-01")).len(), 12);
        assert!(quarter_ends(d("2024-05-01"), d("2024-05-20")).is_empty());
    }
}
