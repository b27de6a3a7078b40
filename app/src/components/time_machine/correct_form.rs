use domain::ledger::RowType;
use leptos::prelude::*;

use crate::time_machine::page_data::EventRow;
use crate::time_machine::CorrectEvent;

/// "Correct…" under one event of the list (analysts and admins, as known now): reverses the event
/// with a reason, and optionally records the corrected event in the same append, its fields
/// starting from the mistaken event's values. A plain form post without JavaScript; in the
/// background with it (the live regions then refresh and show both the mistake and its reversal).
#[component]
pub fn CorrectForm(fund_id: String, row: EventRow) -> impl IntoView {
    let correct = ServerAction::<CorrectEvent>::new();
    let cells = row.correction.clone().unwrap_or_default();
    let cell = |column: &str| cells.iter().find(|(c, _)| c == column).map(|(_, v)| v.clone()).unwrap_or_default();
    let kind = cell("type");
    let columns: Vec<(&'static str, String)> = match RowType::parse(&kind) {
        Ok(t) => {
            let (required, optional) = t.columns();
            std::iter::once("effective_date").chain(required.iter().copied()).chain(optional.iter().copied()).map(|c| (c, cell(c))).collect()
        }
        Err(_) => Vec::new(),
    };
    let version = row.version;
    view! {
        <details class="correct" data-test=format!("correct-{version}")>
            <summary>"Correct…"</summary>
            <ActionForm action=correct attr:class="inline-fields" attr:data-enhance="">
                <input type="hidden" name="fund_id" value=fund_id/>
                <input type="hidden" name="version" value=version.to_string()/>
                <input type="hidden" name="kind" value=kind.clone()/>
                <label>"Reason " <input type="text" name="reason" maxlength="500" required=true autocomplete="off" placeholder="e.g. wrong amount typed"/></label>
                <label class="check"><input type="checkbox" name="replace" value="yes"/>" and record instead:"</label>
                {columns
                    .into_iter()
                    .map(|(column, value)| {
                        let label = column.replace('_', " ");
                        match column {
                            "effective_date" | "period" => view! {
                                <label>{label} " " <input type="date" name=column value=value.get(..10).unwrap_or_default().to_string()/></label>
                            }
                            .into_any(),
                            "follow_on" => view! {
                                <label class="check"><input type="checkbox" name="follow_on" value="yes" checked=!value.is_empty()/>" follow-on"</label>
                            }
                            .into_any(),
                            _ => view! { <label>{label} " " <input type="text" name=column value=value autocomplete="off"/></label> }.into_any(),
                        }
                    })
                    .collect_view()}
                <button type="submit">"Reverse"</button>
            </ActionForm>
        </details>
    }
}
