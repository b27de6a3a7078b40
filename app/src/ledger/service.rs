//! Ledger export, preview and import against the store (server side).

use chrono::{DateTime, Utc};
use domain::fund::FundEvent;
use domain::ledger::{ledger_csv, parse_ledger_csv, plan_ledger, LedgerPlan, LedgerPreview, LedgerRow};
use domain::variance::{CompanyDirectory, RowError};
use uuid::Uuid;

use super::page_data::LedgerImportOutcome;
use crate::store::{event_field, AppendRequest, EventMetadata, Store, StoreError};

/// The fund's history as a ledger file.
pub async fn export_ledger(store: &Store, fund_id: Uuid) -> Result<String, StoreError> {
    let (_, history) = store.history(fund_id).await?;
    Ok(tokio::task::spawn_blocking(move || ledger_csv(&history)).await.map_err(|e| StoreError::Corrupt(format!("export stopped: {e}")))?)
}

/// Parses and checks a file against the fund as it stands: every bad row (`InvalidRows`), or the
/// plan and the fund version it was made against.
async fn plan(store: &Store, fund_id: Uuid, bytes: Vec<u8>, now: DateTime<Utc>) -> Result<(u64, LedgerPlan), StoreError> {
    let (version, history) = store.history(fund_id).await?;
    tokio::task::spawn_blocking(move || plan_file(&history, &bytes, now))
        .await
        .map_err(|e| StoreError::Corrupt(format!("ledger check stopped: {e}")))?
        .map(|plan| (version, plan))
        .map_err(StoreError::InvalidRows)
}

fn plan_file(history: &[FundEvent], bytes: &[u8], now: DateTime<Utc>) -> Result<LedgerPlan, Vec<RowError>> {
    let rows = parse_file(history, bytes, now)?;
    plan_ledger(history, rows, now)
}

/// The file's rows, read against the companies `history` has (as corrected: a company whose
/// addition was reversed is not there), not yet checked against the history.
fn parse_file(history: &[FundEvent], bytes: &[u8], now: DateTime<Utc>) -> Result<Vec<LedgerRow>, Vec<RowError>> {
    let added: Vec<_> = domain::fund::in_force(history)
        .into_iter()
        .filter_map(|e| match &e.payload {
            domain::fund::EventPayload::CompanyAdded(c) => Some((c.company_id, c.name.as_str(), e.effective_at)),
            _ => None,
        })
        .collect();
    let directory = added.iter().fold(CompanyDirectory::new(added.iter().map(|(id, n, _)| (*id, *n))), |d, (id, _, at)| d.with_added_at(*id, *at));
    parse_ledger_csv(bytes, &directory, now, &mut Uuid::new_v4)
}

/// A ledger file's rows read against the fund's companies (every bad cell as `InvalidRows`),
/// without the history checks: for a correction, whose append checks the row with the mistaken
/// event already left out.
pub async fn parse_ledger_rows(store: &Store, fund_id: Uuid, bytes: Vec<u8>, now: DateTime<Utc>) -> Result<Vec<LedgerRow>, StoreError> {
    let (_, history) = store.history(fund_id).await?;
    tokio::task::spawn_blocking(move || parse_file(&history, &bytes, now))
        .await
        .map_err(|e| StoreError::Corrupt(format!("ledger check stopped: {e}")))?
        .map_err(StoreError::InvalidRows)
}

/// One form's fields (in `LEDGER_COLUMNS` order) as a one-row ledger file: written by the CSV
/// writer, so a comma or a quote in a name stays in the name.
pub fn form_as_ledger(cells: Vec<Option<String>>) -> Option<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let row: Vec<String> = cells.into_iter().map(|c| c.unwrap_or_default()).collect();
    writer.write_record(domain::ledger::LEDGER_COLUMNS).ok()?;
    writer.write_record(&row).ok()?;
    writer.into_inner().ok()
}

/// What the fund would look like after importing the file; nothing written.
pub async fn preview_ledger(store: &Store, fund_id: Uuid, bytes: Vec<u8>, now: DateTime<Utc>) -> Result<LedgerPreview, StoreError> {
    Ok(plan(store, fund_id, bytes, now).await?.1.preview)
}

/// Imports the file as one append: every row, or nothing and every bad row reported. The append
/// requires the fund to be at the version the file was checked against (a concurrent write
/// answers 409: check again), so what was checked is what is stored.
pub async fn import_ledger(
    store: &Store,
    fund_id: Uuid,
    bytes: Vec<u8>,
    metadata: EventMetadata,
    now: DateTime<Utc>,
) -> Result<LedgerImportOutcome, StoreError> {
    let (version, plan) = plan(store, fund_id, bytes, now).await?;
    let LedgerPlan { rows, preview } = plan;
    let events = rows.iter().map(|r| r.event.clone()).collect();
    let req = AppendRequest { expected_version: Some(version), idempotency_key: None, fingerprint: String::new(), events, undated: Vec::new(), metadata };
    let outcome = store.append(fund_id, req).await.map_err(|e| match e {
        // The plan checked what the append checks; if the append still finds something, name the row.
        StoreError::Invalid { field, message } | StoreError::BreaksLaterEvent { field, message, .. } => {
            match event_field(&field).and_then(|(i, inner)| Some((rows.get(i)?, inner))) {
                Some((row, inner)) => {
                    let (column, reason) = domain::ledger::plan::ledger_column(inner, &message);
                    StoreError::InvalidRows(vec![RowError { line: row.line, column, reason }])
                }
                None => StoreError::Invalid { field, message },
            }
        }
        other => other,
    })?;
    Ok(LedgerImportOutcome { imported: outcome.appended, first_version: outcome.first_version, version: outcome.version, alerts: outcome.alerts.len(), preview })
}
