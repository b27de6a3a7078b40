use leptos::prelude::*;

/// Corrects a stored event (analysts and admins): appends an EVENT_REVERSED of `version` with the
/// `reason`, and, when `replace` is set, the corrected event from the form's ledger fields (`kind`
/// and the columns, as `record_event` reads them), in one append — both, or neither. The append
/// checks the corrected event with the mistaken one left out, and refuses a reversal that would
/// make a later event invalid. Errors name the form's field (`version`, `reason`, a column).
#[server(prefix = "/sfn", endpoint = "correct_event")]
#[allow(clippy::too_many_arguments)]
pub async fn correct_event(
    fund_id: String,
    version: String,
    reason: String,
    replace: Option<String>,
    kind: Option<String>,
    effective_date: Option<String>,
    company: Option<String>,
    amount: Option<String>,
    post_money: Option<String>,
    ownership: Option<String>,
    stage: Option<String>,
    sector: Option<String>,
    follow_on: Option<String>,
    metric: Option<String>,
    period: Option<String>,
    value: Option<String>,
    source: Option<String>,
) -> Result<u64, ServerFnError> {
    use domain::fund::{EventPayload, EventReversed, NewEvent};

    use crate::store::{event_field, AppendRequest, StoreError};

    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let reverses: u64 = version
        .trim()
        .parse()
        .ok()
        .filter(|v| *v > 0 && *v <= i64::MAX as u64)
        .ok_or_else(|| crate::server::bad_argument("version", "must be the version number of a stored event"))?;
    let now = chrono::Utc::now();
    let reversal = NewEvent { effective_at: now, payload: EventPayload::EventReversed(EventReversed { reverses, reason }) };
    let mut events = vec![reversal];
    if replace.as_deref().is_some_and(|r| !r.trim().is_empty()) {
        let Some(kind) = kind.filter(|k| !k.trim().is_empty() && k.trim() != "reserve_assumptions") else {
            return Err(crate::server::bad_argument("kind", "choose the kind of the corrected event"));
        };
        let cells = vec![
            Some(kind),
            effective_date,
            company,
            amount,
            post_money,
            ownership,
            stage,
            sector,
            follow_on,
            metric,
            period,
            value,
            source,
            None,
        ];
        let Some(bytes) = super::super::ledger::service::form_as_ledger(cells) else {
            return Err(crate::server::bad_argument("kind", "the form could not be read"));
        };
        match super::super::ledger::service::parse_ledger_rows(&store, id, bytes, now).await {
            Ok(rows) => events.extend(rows.into_iter().map(|r| r.event)),
            Err(StoreError::InvalidRows(rows)) => return Err(super::record_event::form_error(rows.iter().map(|r| (r.column.as_str(), r.reason.as_str())))),
            Err(e) => return Err(crate::server::to_server_error(e)),
        }
    }
    let metadata = crate::accounts::authorize::event_metadata();
    // The reversal is sent undated: the store gives it the reversed event's effective moment.
    let req = AppendRequest { expected_version: None, idempotency_key: None, fingerprint: String::new(), events, undated: vec![0], metadata };
    match store.append(id, req).await {
        Ok(outcome) => Ok(outcome.version),
        Err(StoreError::Invalid { field, message } | StoreError::BreaksLaterEvent { field, message, .. }) => {
            let column = match event_field(&field) {
                Some((0, "payload.reverses" | "effective_at")) => "version".to_string(),
                Some((0, "payload.reason")) => "reason".to_string(),
                Some((_, inner)) => domain::ledger::plan::ledger_column(inner, &message).0,
                None => field,
            };
            Err(super::record_event::form_error([(column.as_str(), message.as_str())]))
        }
        Err(e) => Err(crate::server::to_server_error(e)),
    }
}

