//! Assembles the hub's page data from the store (server side only).

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use moka::sync::Cache;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::dates::{end_of, parse_moment};
use super::page_data::{DatedView, DiffData, EventRow, FundMeta, SnapshotRow};
use super::view::StateView;
use crate::features::Features;
use crate::funds::FundListItem;
use crate::store::{company_names, Store, StoreError, TimelineEvent, TimelineQuery};

/// Query parameters of a hub URL, as typed by the user or copied from a link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DateParams {
    pub at: Option<String>,
    pub known_at: Option<String>,
    pub compare: Option<String>,
}

/// Fund-level page data, cached per (fund, head version, day) like the dated view.
pub async fn fund_meta(store: &Store, fund_id: Uuid, today: DateTime<Utc>, features: Features) -> Result<Arc<FundMeta>, StoreError> {
    static CACHE: OnceLock<Cache<(Uuid, u64, NaiveDate), Arc<FundMeta>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Cache::builder().max_capacity(1_000).time_to_live(std::time::Duration::from_secs(60)).build());
    let key = (fund_id, store.fund_version(fund_id).await?, today.date_naive());
    if let Some(m) = cache.get(&key) {
        if m.features == features {
            return Ok(m);
        }
    }
    let meta = Arc::new(build_fund_meta(store, fund_id, today, features).await?);
    cache.insert(key, meta.clone());
    Ok(meta)
}

async fn build_fund_meta(store: &Store, fund_id: Uuid, today: DateTime<Utc>, features: Features) -> Result<FundMeta, StoreError> {
    let fund = store.fund(fund_id).await?;
    let funds = store
        .funds()
        .await?
        .into_iter()
        .map(|f| FundListItem { id: f.id, name: f.name, size: f.size, vintage: f.vintage, events: f.version })
        .collect();
    let first_day = fund.first_effective_at.map_or(today.date_naive(), |t| t.date_naive()).min(today.date_naive());
    let ticks = store
        .event_days(fund_id)
        .await?
        .iter()
        .map(|d| (*d - first_day).num_days() / 7 * 7)
        .filter(|d| *d >= 0)
        .collect::<std::collections::BTreeSet<i64>>()
        .into_iter()
        .collect();
    Ok(FundMeta {
        id: fund.id,
        name: fund.name,
        size: fund.size,
        vintage: fund.vintage,
        funds,
        first_day,
        today: today.date_naive(),
        ticks,
        features,
        // Set per caller by the server function; the cached copy holds the lowest.
        role: domain::access::Role::Viewer,
    })
}

/// Whole page data, cached per (fund, head version, parameters, day): any new event changes the
/// head version, so every replica serves fresh data after a write.
type PageKey = (Uuid, u64, DateParams, NaiveDate);

fn page_cache() -> &'static Cache<PageKey, Arc<DatedView>> {
    static CACHE: OnceLock<Cache<PageKey, Arc<DatedView>>> = OnceLock::new();
    CACHE.get_or_init(|| Cache::builder().max_capacity(5_000).time_to_live(std::time::Duration::from_secs(300)).build())
}

pub async fn dated_view(store: &Store, fund_id: Uuid, params: &DateParams, today: DateTime<Utc>) -> Result<Arc<DatedView>, StoreError> {
    let head = store.fund_version(fund_id).await?;
    let key = (fund_id, head, params.clone(), today.date_naive());
    if let Some(v) = page_cache().get(&key) {
        return Ok(v);
    }
    let view = Arc::new(build_dated_view(store, fund_id, params, today).await?);
    page_cache().insert(key, view.clone());
    Ok(view)
}

fn day_param(field: &str, raw: &Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    raw.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_moment(s, true).map_err(|m| StoreError::invalid(field, m)))
        .transpose()
}

/// The moments `at` (default: the end of today) and `known_at` name, or an error naming the field.
pub fn resolve_dates(params: &DateParams, today: DateTime<Utc>) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), StoreError> {
    Ok((day_param("at", &params.at)?.unwrap_or_else(|| end_of(today.date_naive())), day_param("known_at", &params.known_at)?))
}

async fn build_dated_view(store: &Store, fund_id: Uuid, params: &DateParams, today: DateTime<Utc>) -> Result<DatedView, StoreError> {
    let (as_of, known_at) = resolve_dates(params, today)?;
    let compare = day_param("compare", &params.compare)?;
    let at_state = store.state(fund_id, as_of, known_at).await?;
    let now_state = match known_at {
        Some(_) => Some(StateView::new(&store.state(fund_id, as_of, None).await?.state, as_of)),
        None => None,
    };
    let names = company_names(&store.state(fund_id, end_of(today.date_naive()), None).await?.state);
    let around = store
        .timeline(
            fund_id,
            &TimelineQuery { start: Some(as_of - Duration::days(60)), end: Some(as_of), limit: Some(1000), ..Default::default() },
        )
        .await?;
    let mut events: Vec<EventRow> =
        around.events.iter().filter(|e| e.version <= at_state.version).map(|e| event_row(e, &names, at_state.version)).collect();
    events.reverse();
    events.truncate(25);
    // As known at a past moment, the history ends at that moment: nothing later was known.
    let until = known_at.map_or(end_of(today.date_naive()), |k| k.min(end_of(today.date_naive())));
    let series = store.series(fund_id, at_state.version, until).await?.as_ref().clone();
    let diff = match compare {
        Some(c) => {
            let (from, to) = if c <= as_of { (c, as_of) } else { (as_of, c) };
            let d = store.diff(fund_id, from, to, known_at).await?;
            Some(DiffData { events: d.events.iter().map(|e| event_row(e, &names, at_state.version)).collect(), diff: d.diff, truncated: d.events_truncated })
        }
        None => None,
    };
    Ok(DatedView {
        at: as_of.date_naive(),
        known_at: known_at.map(|k| k.date_naive()),
        compare: compare.map(|c| c.date_naive()),
        version: at_state.version,
        state: StateView::new(&at_state.state, as_of),
        now_state,
        events,
        series,
        diff,
    })
}

/// Manual snapshots, newest first.
pub async fn snapshot_rows(store: &Store, fund_id: Uuid) -> Result<Vec<SnapshotRow>, StoreError> {
    Ok(store
        .snapshots(fund_id)
        .await?
        .iter()
        .filter(|s| s.kind == "manual")
        .cloned()
        .map(|s| SnapshotRow {
            id: s.id,
            kind: s.kind,
            description: s.description,
            version: s.version,
            effective_day: s.effective_at.date_naive(),
            created_at: s.created_at,
            stale: s.invalidated_by.is_some(),
        })
        .collect())
}

/// One line of an event list, as known at `known_version`.
fn event_row(e: &TimelineEvent, names: &std::collections::HashMap<Uuid, String>, known_version: u64) -> EventRow {
    let p = &e.payload;
    let amount_key = match e.event_type.as_str() {
        "VALUATION_UPDATED" => "post_money",
        "COMPANY_EXITED" => "proceeds",
        "ACTUAL_RECORDED" | "FORECAST_CREATED" => "value",
        "FUND_CREATED" => "size",
        _ => "amount",
    };
    let amount = p.get(amount_key).and_then(|v| v.as_str()).and_then(|s| s.parse::<Decimal>().ok());
    let detail = match e.event_type.as_str() {
        "ACTUAL_RECORDED" | "FORECAST_CREATED" => p.get("metric").and_then(|m| m.as_str()).map(str::to_string),
        "COMPANY_ADDED" => p.get("stage").and_then(|m| m.as_str()).map(|s| s.replace('_', " ")),
        "INVESTMENT_MADE" if p.get("follow_on").and_then(|f| f.as_bool()) == Some(true) => Some("follow-on".into()),
        "EVENT_REVERSED" => Some(format!(
            "cancels version {}: {}",
            p.get("reverses").and_then(|v| v.as_u64()).unwrap_or_default(),
            p.get("reason").and_then(|r| r.as_str()).unwrap_or_default()
        )),
        _ => None,
    };
    let reversed_by = e.reversed_by.filter(|v| *v <= known_version);
    let company = e.company_id.and_then(|id| names.get(&id).cloned());
    let correction = if reversed_by.is_some() || e.reversed_by.is_some() {
        None
    } else {
        domain::fund::EventPayload::from_stored(&e.event_type, domain::fund::CURRENT_SCHEMA_VERSION, p.clone()).ok().and_then(|payload| {
            let event = domain::fund::FundEvent { version: e.version, effective_at: e.effective_at, recorded_at: e.recorded_at, payload };
            let cells = domain::ledger::ledger_cells(&event, company.clone())?;
            Some(domain::ledger::LEDGER_COLUMNS.iter().filter_map(|c| cells.get(c).map(|v| (c.to_string(), v.clone()))).collect())
        })
    };
    EventRow {
        version: e.version,
        event_type: e.event_type.clone(),
        company,
        effective_at: e.effective_at,
        recorded_at: e.recorded_at,
        late: e.is_late(),
        amount,
        detail,
        reversed_by,
        correction,
    }
}
