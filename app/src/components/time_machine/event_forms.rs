use chrono::NaiveDate;
use domain::fund::{Metric, Stage};
use domain::ledger::RowType;
use leptos::prelude::*;

use crate::time_machine::{CompanyOption, RecordEvent};

/// "Record an event": one form per kind of event (every ledger row type but the reserve
/// assumptions, which the Reserves tab edits), each with only the fields its kind uses, the
/// effective date defaulting to today and allowed in the past. Posted in the background when
/// JavaScript runs (the live regions then refresh; the server's error, naming the field, appears
/// under the form), a plain form post otherwise.
#[component]
pub fn EventForms(fund_id: String, companies: Vec<CompanyOption>, today: NaiveDate, first_day: NaiveDate) -> impl IntoView {
    let kinds: Vec<RowType> = RowType::ALL.into_iter().filter(|t| *t != RowType::ReserveAssumptions).collect();
    view! {
        <section class="panel event-forms" aria-labelledby="event-forms-title" data-test="event-forms">
            <h2 id="event-forms-title">"Record an event"</h2>
            <p class="muted">"Late records are normal: date an event when it was true (a Q2 mark entered in August is dated 30 June). Stored events never change."</p>
            {kinds.into_iter().map(|kind| view! {
                <EventForm fund_id=fund_id.clone() kind=kind companies=companies.clone() today=today first_day=first_day/>
            }).collect_view()}
        </section>
    }
}

#[component]
fn EventForm(fund_id: String, kind: RowType, companies: Vec<CompanyOption>, today: NaiveDate, first_day: NaiveDate) -> impl IntoView {
    let record = ServerAction::<RecordEvent>::new();
    let (required, optional) = kind.columns();
    let fields: Vec<(&'static str, bool)> = required.iter().map(|c| (*c, true)).chain(optional.iter().map(|c| (*c, false))).collect();
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    view! {
        <details class="event-form" data-kind=kind.name()>
            <summary>{single(kind)}</summary>
            <ActionForm action=record attr:class="inline-fields" attr:data-enhance="" attr:data-test=format!("record-{}", kind.name())>
                <input type="hidden" name="fund_id" value=fund_id/>
                <input type="hidden" name="kind" value=kind.name()/>
                <label>"Effective date " <input type="date" name="effective_date" value=day(today) min=day(first_day) max=day(today) required=true/></label>
                {fields.into_iter().map(|(column, required)| field(kind, column, required, &companies)).collect_view()}
                <button type="submit">"Record"</button>
            </ActionForm>
        </details>
    }
}

/// The summary line of a kind's form.
fn single(kind: RowType) -> &'static str {
    match kind {
        RowType::Company => "Add a company",
        RowType::Investment => "Investment",
        RowType::Valuation => "Valuation mark",
        RowType::CapitalCall => "Capital call",
        RowType::Distribution => "Distribution",
        RowType::Exit => "Exit",
        RowType::WriteOff => "Write-off",
        RowType::ReservePlan => "Reserve plan",
        RowType::Forecast => "Forecast",
        RowType::Actual => "Actual",
        RowType::ReserveAssumptions => "Reserve assumptions",
    }
}

fn field(kind: RowType, column: &'static str, required: bool, companies: &[CompanyOption]) -> AnyView {
    let amount = |label: &'static str, placeholder: &'static str| {
        view! {
            <label>{label} <input type="text" name=column inputmode="decimal" placeholder=placeholder required=required autocomplete="off"/></label>
        }
        .into_any()
    };
    match column {
        "company" if kind == RowType::Company => view! {
            <label>"Name " <input type="text" name="company" maxlength="200" required=true autocomplete="off"/></label>
        }
        .into_any(),
        "company" => view! {
            <label>
                {if required { "Company " } else { "Company (optional) " }}
                <select name="company" required=required>
                    {(!required).then(|| view! { <option value="">"—"</option> })}
                    {companies.iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        "amount" if kind == RowType::Exit => amount("Proceeds (USD) ", "9000000"),
        "amount" if kind == RowType::ReservePlan => amount("Planned reserve (USD) ", "3000000"),
        "amount" => amount("Amount (USD) ", "1000000"),
        "post_money" => amount(if required { "Post-money (USD) " } else { "Post-money (USD, optional) " }, "25000000"),
        "ownership" => amount("Ownership (fraction, optional) ", "0.2"),
        "value" => amount("Value ", "1250000"),
        "stage" => view! {
            <label>
                {if required { "Stage " } else { "New stage (optional) " }}
                <select name="stage" required=required>
                    {(!required).then(|| view! { <option value="">"—"</option> })}
                    {Stage::ALL.into_iter().map(|s| view! { <option value=s.label()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        "sector" => view! { <label>"Sector (optional) " <input type="text" name="sector" maxlength="100" autocomplete="off"/></label> }.into_any(),
        "follow_on" => view! { <label class="check"><input type="checkbox" name="follow_on" value="yes"/>" Follow-on (draws on reserves)"</label> }.into_any(),
        "metric" => view! {
            <label>"Metric "
                <select name="metric" required=true>
                    {Metric::ALL.into_iter().map(|m| view! { <option value=m.as_str()>{m.as_str()}</option> }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        "period" => view! {
            <label>{if required { "Period end " } else { "Period end (optional) " }} <input type="date" name="period" required=required/></label>
        }
        .into_any(),
        "source" => view! {
            <label>"Source "
                <select name="source">
                    <option value="manual">"manual"</option>
                    <option value="import">"import"</option>
                    <option value="api">"api"</option>
                </select>
            </label>
        }
        .into_any(),
        other => view! { <label>{other} " " <input type="text" name=other/></label> }.into_any(),
    }
}
